"""Residents' pages to change or stop text alerts on the web: mobile number, the code we text, the teams.

Public URLs (README):
  /subscribe/text/manage          the mobile-number question (POST texts a code)
  /subscribe/text/manage/code     type the code (POST), or ask for a new one (POST .../new-code)
  /subscribe/text/manage/alerts   the teams whose alerts the number gets; POST stops one team or all
Which number is being managed is kept in the session, never in the URL, and the alerts page stays
open for MANAGE_MINUTES after the right code. These pages show whose alerts a number gets, so they are
never stored by a browser or proxy cache (no-store), although nobody is signed in.
"""

from __future__ import annotations

import time

from flask import abort, flash, make_response, redirect, request, session, url_for

from engagement.core.actions import commit, perform, render_form, submit
from engagement.core.i18n import _
from engagement.core.ratelimits import SHARED_CONNECTION, keeps_answers_when_limited, limited
from engagement.core.sms import sms_enabled
from engagement.extensions import db, limiter
from engagement.newsletter import text_manage as manage
from engagement.newsletter import text_subscribe as texts
from engagement.newsletter.text_forms import CodeForm, LeaveForm, ManageMobileForm, NewCodeForm
from engagement.newsletter.text_models import TextNumber

WAITING = "text_manage_number"  # the number a code was texted to
PROVED = "text_manage_proved"  # {"id": number id, "at": when the right code was typed (epoch seconds)}


def _private(answer):
    response = make_response(answer)
    response.headers["Cache-Control"] = "no-store"
    return response


def _waiting() -> TextNumber | None:
    number_id = session.get(WAITING)
    return db.session.get(TextNumber, number_id) if isinstance(number_id, int) else None


def _proved() -> TextNumber | None:
    proof = session.get(PROVED)
    if not isinstance(proof, dict) or not isinstance(proof.get("id"), int) or not isinstance(proof.get("at"), int):
        return None
    if time.time() - proof["at"] > manage.MANAGE_MINUTES * 60:
        session.pop(PROVED, None)
        return None
    return db.session.get(TextNumber, proof["id"])


@limiter.limit(SHARED_CONNECTION, methods=["POST"])
@keeps_answers_when_limited
def give_mobile():
    if not sms_enabled():
        abort(404)
    form = ManageMobileForm()

    def code_page(number: TextNumber) -> str:
        session.pop(PROVED, None)
        session[WAITING] = number.id
        return url_for("newsletter.text_manage_code")

    if wait := limited():
        form.form_errors.append(_("Many requests have been sent from this internet connection. Wait %(wait)s.",
                                  wait=wait.words))  # fmt: skip
    done = None if wait else submit(form, lambda: manage.request_manage_code(form.mobile.data), success=code_page)
    return done or _private(render_form("newsletter/text_manage_mobile.html", form))


@limiter.limit("30 per hour", methods=["POST"])
def enter_code():
    number = _waiting()
    if number is None:
        return redirect(url_for("newsletter.text_manage"))
    form = CodeForm()
    if form.validate_on_submit():
        result = manage.prove_number(number, form.code.data)
        commit()  # a wrong try counts, so it is kept whatever the answer
        if result.error is None:
            session.pop(WAITING, None)
            session[PROVED] = {"id": number.id, "at": int(time.time())}
            return redirect(url_for("newsletter.text_manage_alerts"))
        form.code.errors = [result.error]
    return _private(render_form(
        "newsletter/text_code.html", form, number=number, new_code=NewCodeForm(),
        sent=session.pop("text_manage_new_code", False), code_action=url_for("newsletter.text_manage_code"),
        new_code_action=url_for("newsletter.text_manage_new_code"), other_number=url_for("newsletter.text_manage"),
    ))  # fmt: skip


@limiter.limit(SHARED_CONNECTION, methods=["POST"])
def new_code():
    number = _waiting()
    if number is None:
        return redirect(url_for("newsletter.text_manage"))
    NewCodeForm().validate_on_submit() or abort(400)

    def sent(_code) -> str:
        session["text_manage_new_code"] = True
        return url_for("newsletter.text_manage_code")

    return perform(lambda: texts.send_code(number), success=sent, failure=url_for("newsletter.text_manage_code"))


def _left_all(names: list[str]) -> str:
    return _("You will get no more text alerts from us.") if names else _("You had no text alerts to stop.")


def _left_one(name: str) -> str:
    return _("You will get no more text alerts from %(team)s.", team=name)


def alerts():
    proof = session.get(PROVED)
    number = _proved()
    if number is None:
        if proof is not None:  # it was open, and has closed
            flash(_("For your security, this page closes %(n)s minutes after the code. Enter your number again.",
                    n=manage.MANAGE_MINUTES), "warning")  # fmt: skip
        return redirect(url_for("newsletter.text_manage"))
    form = LeaveForm()
    here = url_for("newsletter.text_manage_alerts")
    if request.method == "POST":
        form.validate_on_submit() or abort(400)
        if form.everything.data:
            return perform(lambda: manage.leave_all(number), success=here, message=_left_all)
        slug = form.team.data or ""
        return perform(lambda: manage.leave_team(number, slug), success=here, message=_left_one)
    return _private(render_form("newsletter/text_manage.html", form, number=number,
                                subscriptions=manage.live_subscriptions(number)))  # fmt: skip
