"""Residents' text-alert pages: give a mobile number, type the code we text, done.

Public URLs (README):
  /subscribe/text?team=<slug>&area=<area>  the mobile-number question (POST texts a code)
  /subscribe/text/code                     type the code (POST), or ask for a new one (POST .../new-code)
Which number is being confirmed is kept in the session, never in the URL. Sending codes is limited
per IP address (sized for a shared connection) and, by the service, to 3 codes per number a day.
"""

from __future__ import annotations

from flask import abort, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user

from engagement.core.actions import commit, perform, render_form, submit
from engagement.core.ratelimits import SHARED_CONNECTION, keeps_answers_when_limited, limited, staff_on_behalf
from engagement.core.sms import sms_enabled
from engagement.extensions import db, limiter
from engagement.newsletter import subscriptions as subs
from engagement.newsletter import text_subscribe as texts
from engagement.newsletter.text_forms import CodeForm, MobileForm, NewCodeForm
from engagement.newsletter.text_models import TextNumber

SESSION_KEY = "text_alerts_number"


def _chosen():
    source = request.form if request.method == "POST" else request.args
    teams, areas = subs.parse_choice(source.getlist("team"), source.getlist("area"))
    return texts.teams_for_alerts(teams, areas)


@limiter.limit(SHARED_CONNECTION, methods=["POST"], exempt_when=staff_on_behalf)
@keeps_answers_when_limited
def give_mobile():
    if not sms_enabled():
        abort(404)
    teams = _chosen()
    if not teams:
        return redirect(url_for("newsletter.choose_teams"))
    form = MobileForm()

    def code_page(number: TextNumber) -> str:
        session[SESSION_KEY] = number.id
        return url_for("newsletter.text_code")

    if wait := limited():
        form.form_errors.append(f"Many requests have been sent from this internet connection. Wait {wait.words}.")
    done = None if wait else submit(form, lambda: texts.request_alerts(form.mobile.data, teams), success=code_page)
    return done or render_form(
        "newsletter/text_mobile.html", form, teams=teams, consent=texts.consent_text(teams),
        on_behalf=current_user if staff_on_behalf() else None,
    )  # fmt: skip


def _number() -> TextNumber | None:
    number_id = session.get(SESSION_KEY)
    return db.session.get(TextNumber, number_id) if isinstance(number_id, int) else None


@limiter.limit("30 per hour", methods=["POST"])
def enter_code():
    number = _number()
    if number is None:
        return redirect(url_for("newsletter.choose_teams"))
    form = CodeForm()
    if form.validate_on_submit():
        result = texts.check_code(number, form.code.data)
        names = list(result.names) or texts.live_teams(number)
        mobile = number.mobile
        commit()  # a wrong try counts, so it is kept whatever the answer
        if result.error is None:
            session.pop(SESSION_KEY, None)
            return make_response(render_template("newsletter/text_confirmed.html", names=names, mobile=mobile))
        form.code.errors = [result.error]
    return render_form("newsletter/text_code.html", form, number=number, new_code=NewCodeForm(),
                       sent=session.pop("text_alerts_new_code", False))  # fmt: skip


@limiter.limit(SHARED_CONNECTION, methods=["POST"])
def new_code():
    number = _number()
    if number is None:
        return redirect(url_for("newsletter.choose_teams"))
    NewCodeForm().validate_on_submit() or abort(400)

    def sent(_code) -> str:
        session["text_alerts_new_code"] = True
        return url_for("newsletter.text_code")

    return perform(lambda: texts.send_code(number), success=sent, failure=url_for("newsletter.text_code"))
