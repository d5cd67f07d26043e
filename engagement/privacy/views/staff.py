"""Staff pages for data protection: find, download and erase one person's data; the retention rules.

Searches are POSTed, so addresses and phone numbers never appear in URLs, server logs or browser
history. Admins and data protection officers only (access level "privacy"). URLs in blueprint.py.
"""

from __future__ import annotations

from flask import Response, render_template, stream_with_context, url_for
from flask_login import current_user

from engagement.core.actions import commit, perform
from engagement.core.errors import DomainError
from engagement.core.forms import apply_domain_error
from engagement.core.permissions import access
from engagement.privacy import export, retention, subjects
from engagement.privacy.forms import SearchForm, StaffEraseForm
from engagement.privacy.views.public import local_today


def _search(form):
    """The person the form names, or None with the problem on the form's field."""
    if not form.validate_on_submit():
        return None
    try:
        return subjects.parse_query(form.q.data)
    except DomainError as exc:
        apply_domain_error(form, exc)
        return None


def _results(form, subject, status=200):
    findings = subjects.search(subject)
    previous = subjects.previous_erasure(subject)
    return render_template(
        "privacy/staff/requests.html",
        form=form,
        findings=findings,
        previous=previous,
        erase_form=StaffEraseForm(q=form.q.data),
    ), status


@access("privacy")
def requests():
    form = SearchForm()
    subject = _search(form)
    if subject is None:
        return render_template("privacy/staff/requests.html", form=form, findings=None), 400 if form.errors else 200
    return _results(form, subject)


@access("privacy")
def download():
    form = SearchForm()
    subject = _search(form)
    if subject is None:
        return render_template("privacy/staff/requests.html", form=form, findings=None), 400
    findings = subjects.search(subject)
    subjects.record_export(findings, actor=current_user)
    commit()  # the audit entry exists before the first byte leaves
    today = local_today()
    return Response(
        stream_with_context(export.stream_zip(findings, today=today)),
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename(today)}"',
            "Cache-Control": "no-store",
        },
    )


@access("privacy")
def erase_check():
    """Check answers: exactly what will be deleted or anonymised, and the typed confirmation."""
    form = StaffEraseForm()
    search = SearchForm(q=form.q.data)
    try:
        subject = subjects.parse_query(form.q.data or "")
    except DomainError as exc:
        apply_domain_error(search, exc)
        return render_template("privacy/staff/requests.html", form=search, findings=None), 400
    form.confirm.errors = []  # the first visit shows the question, not an error
    return _check_page(form, subject)


def _check_page(form, subject, status=200):
    findings = subjects.search(subject)
    return render_template(
        "privacy/staff/erase_check.html", form=form, findings=findings, previous=subjects.previous_erasure(subject)
    ), status


@access("privacy")
def erase():
    form = StaffEraseForm()
    try:
        subject = subjects.parse_query(form.q.data or "")
    except DomainError as exc:
        search = SearchForm(q=form.q.data)
        apply_domain_error(search, exc)
        return render_template("privacy/staff/requests.html", form=search, findings=None), 400
    if not form.validate_on_submit():
        return _check_page(form, subject, 400)
    return perform(
        lambda: subjects.erase(subject, actor=current_user),
        success=url_for("privacy.requests"),
        message=lambda record: f"Erased. {sum(record.counts.values())} row(s) changed; recorded in the audit log.",
        failure=lambda exc: _check_page(_with_error(form, exc), subject, exc.status if exc.status >= 400 else 400),
    )


def _with_error(form, exc):
    apply_domain_error(form, exc)
    return form


@access("privacy")
def retention_rules():
    return render_template("privacy/staff/retention.html", statuses=retention.overview())
