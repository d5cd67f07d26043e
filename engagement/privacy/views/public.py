"""Public pages: the privacy notice, the accessibility statement, and residents' own data requests.

The notice and the statement are built from settings and from the registered providers and
retention rules, so they say what the code does. URLs in blueprint.py.
"""

from __future__ import annotations

from datetime import date

from flask import Response, current_app, redirect, render_template, request, session, stream_with_context, url_for

from engagement.core.actions import commit, perform, render_form, submit
from engagement.core.db import utcnow
from engagement.core.personal_data import providers, retention_rules
from engagement.core.timeutil import format_date, to_local
from engagement.core.tokens import InvalidToken
from engagement.extensions import limiter
from engagement.privacy import export, selfservice, subjects
from engagement.privacy.forms import ButtonForm, RequestForm, SelfEraseForm
from engagement.privacy.models import SELF_SERVICE


def local_today() -> date:
    return to_local(utcnow()).date()


def _setting_date(name: str) -> str:
    try:
        return format_date(date.fromisoformat(current_app.config[name]))
    except ValueError:
        return current_app.config[name]


def notice():
    collected = [p for p in providers() if p.about]
    return render_template(
        "privacy/notice.html",
        providers=collected,
        rules=retention_rules(),
        updated=_setting_date("PRIVACY_NOTICE_UPDATED"),
    )


def accessibility():
    return render_template("privacy/accessibility.html", checked=_setting_date("ACCESSIBILITY_LAST_CHECKED"))


def _request_key() -> str:
    return "privacy-request:" + (request.form.get("email") or "").strip().lower()


@limiter.limit("10 per hour", methods=["POST"])
@limiter.limit("3 per hour", methods=["POST"], key_func=_request_key)
def self_request():
    form = RequestForm()
    done = submit(
        form,
        lambda: selfservice.request_link(form.email.data),
        success=lambda _: Response(
            render_template("privacy/self_sent.html", hours=current_app.config["PRIVACY_LINK_HOURS"])
        ),
    )
    return done or render_form("privacy/self_request.html", form)


def _bad_link(message: str):
    return render_template("privacy/self_bad_link.html", message=message), 400


@limiter.limit("20 per hour")
def self_link(token: str):
    """GET shows a button; pressing it (a POST) uses the link, so a mail scanner's visit cannot."""
    try:
        selfservice.check_link(token)
    except InvalidToken as exc:
        return _bad_link(exc.message)
    form = ButtonForm()
    if form.validate_on_submit():
        return perform(
            lambda: selfservice.grant(session, selfservice.use_link(token)),
            success=url_for("privacy.self_data"),
            failure=lambda exc: _bad_link(exc.message),
        )
    return render_template("privacy/self_continue.html", form=form)


def _granted():
    subject = selfservice.granted(session)
    if subject is None:
        return None, _bad_link("This page has timed out. Ask for a new link to see your data again.")
    return subject, None


def self_data():
    subject, refused = _granted()
    if refused:
        return refused
    findings = subjects.search(subject)
    return render_template(
        "privacy/self_data.html", findings=findings, form=ButtonForm(), previous=subjects.previous_erasure(subject)
    )


@limiter.limit("10 per hour")
def self_download():
    subject, refused = _granted()
    if refused:
        return refused
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("privacy.self_data"))
    findings = subjects.search(subject)
    subjects.record_export(findings, source=SELF_SERVICE)
    commit()  # audited before the first byte leaves
    today = local_today()
    return Response(
        stream_with_context(export.stream_zip(findings, today=today)),
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename(today)}"',
            "Cache-Control": "no-store",
        },
    )


def self_erase():
    subject, refused = _granted()
    if refused:
        return refused
    form = SelfEraseForm()
    findings = subjects.search(subject)

    def page(status=200):
        return render_template("privacy/self_erase.html", form=form, findings=findings), status

    if not form.validate_on_submit():
        return page(400 if form.errors else 200)

    def erased(_record):
        selfservice.revoke(session)
        return url_for("privacy.self_erased")

    def refused_erasure(exc):
        form.form_errors.append(exc.message)
        return page(exc.status if exc.status >= 400 else 400)

    return perform(lambda: subjects.erase(subject, source=SELF_SERVICE), success=erased, failure=refused_erasure)


def self_erased():
    return render_template("privacy/self_erased.html")
