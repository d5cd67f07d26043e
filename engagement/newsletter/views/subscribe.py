"""Residents' newsletter pages: subscribe (one question per page), confirm, manage, leave, lost link.

Confirming and leaving are POSTs behind a one-button page, so mail scanners that follow
links change nothing. The one-click unsubscribe URL in the List-Unsubscribe header is the
one endpoint exempt from CSRF (RFC 8058: mail providers POST to it with no session).
Sending confirmation emails is rate-limited per address and per IP address (sized for a shared
connection; signed-in staff subscribing a resident are not limited per IP, and it is audited); a
limit hit shows the form again with the address kept and how long to wait (core.ratelimits).
"""

from __future__ import annotations

from flask import current_app, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user

from engagement.accounts.services import normalise_email
from engagement.core.actions import perform, render_form, submit
from engagement.core.i18n import _l
from engagement.core.ratelimits import (
    SHARED_CONNECTION,
    email_key,
    keeps_answers_when_limited,
    limited,
    staff_on_behalf,
)
from engagement.core.tokens import InvalidToken
from engagement.extensions import csrf, limiter
from engagement.newsletter import subscriptions as subs
from engagement.newsletter.forms import ChooseForm, EmailForm, LostLinkForm, ManageForm
from engagement.teams.models import AREAS
from engagement.teams.services import all_teams

# Documented limits (README, "Rate limits"): confirmation and manage-link emails per address and per IP address.
PER_ADDRESS = "3 per hour; 10 per day"
PER_IP = SHARED_CONNECTION


def _email_key() -> str:
    """Rate-limit key for the address typed into the form (normalised, so case tricks don't help)."""
    return email_key("newsletter", normalise_email)


def _wait_text(wait) -> str:
    who = (
        "We have sent several emails to this address in a short time."
        if wait.per_person
        else "Many requests have been sent from this internet connection in a short time."
    )
    return f"{who} Wait {wait.words}, then press the button again."


def _sent(response) -> bool:
    return response.status_code in (302, 303)


def _fill(form, teams=None, areas=None) -> None:
    """Choices for the team and area checkboxes; `teams`/`areas` tick boxes on a GET."""
    everyone = all_teams()
    form.team.choices = [(t.slug, t.name) for t in everyone]
    form.area.choices = [(a, f"Every team in {a}") for a in AREAS]
    form.by_area = {a: [t for t in everyone if t.area == a] for a in AREAS}
    if teams is not None:
        form.team.data = [t.slug for t in teams]
    if areas is not None:
        form.area.data = list(areas)


def _page(template: str, **context):
    """A page shown as the answer to a POST (after its commit), instead of a redirect."""
    return lambda _result: make_response(render_template(template, **context))


# How a resident hears from the teams they chose (issue 16): newsletters by email, text alerts, or both.
CHANNELS = [("email", _l("Newsletters by email")), ("text", _l("Text alerts to my mobile")), ("both", _l("Both"))]


def choose_teams():
    form = ChooseForm(request.args)
    _fill(form)
    error = None
    texts_on = current_app.config.get("SMS_ENABLED", True)
    channel = request.args.get("channel") if texts_on and request.args.get("channel") in ("text", "both") else "email"
    if request.args.get("step") == "choose":
        teams, areas = subs.parse_choice(form.team.data, form.area.data)
        if teams or areas:
            chosen = {"team": [t.slug for t in teams], "area": areas}
            if channel == "text":
                return redirect(url_for("newsletter.text_mobile", **chosen))
            both = {"channel": "both"} if channel == "both" else {}
            return redirect(url_for("newsletter.give_email", **chosen, **both))
        error = "Select at least one team or area"
    elif request.args.get("team"):
        form.team.data = request.args.getlist("team")
    return render_template("newsletter/choose.html", form=form, error=error, channel=channel,
                           channel_choices=CHANNELS), 400 if error else 200  # fmt: skip


@limiter.limit(PER_IP, methods=["POST"], exempt_when=staff_on_behalf)
@limiter.limit(PER_ADDRESS, methods=["POST"], key_func=_email_key, deduct_when=_sent)
@keeps_answers_when_limited
def give_email():
    source = request.form if request.method == "POST" else request.args
    teams, areas = subs.parse_choice(source.getlist("team"), source.getlist("area"))
    if not teams and not areas:
        return redirect(url_for("newsletter.choose_teams"))
    form = EmailForm()
    entered_by = current_user if staff_on_behalf() else None

    both = source.get("channel") == "both"

    def check_email(_subscriber) -> str:
        session["newsletter_email"] = form.email.data.strip()
        if both:  # text alerts too: the mobile number next (the email's link can wait)
            session["text_alerts_after_email"] = True
            return url_for("newsletter.text_mobile", team=[t.slug for t in teams], area=areas)
        return url_for("newsletter.check_email")

    if wait := limited():
        form.form_errors.append(_wait_text(wait))
    done = (
        None
        if wait
        else submit(
            form,
            lambda: subs.request_subscription(form.email.data, teams, areas, entered_by=entered_by),
            success=check_email,
        )
    )
    return done or render_form(
        "newsletter/email.html", form, teams=teams, areas=areas, labels=subs.labels(teams, areas),
        consent=subs.consent_text(teams, areas), days=subs.CONFIRM_DAYS, channel="both" if both else "email",
    )  # fmt: skip


def check_email():
    return render_template("newsletter/check_email.html", email=session.get("newsletter_email"),
                           days=subs.CONFIRM_DAYS)  # fmt: skip


def _bad_link(exc: InvalidToken):
    return render_template("newsletter/bad_link.html", message=exc.message), 400


@limiter.limit("30 per minute", methods=["POST"])
def confirm(token: str):
    """A page with one Confirm button: the GET changes nothing, the POST confirms."""
    try:
        subscriber = subs.subscriber_for_confirm(token)
    except InvalidToken as exc:
        return _bad_link(exc)
    if request.method == "POST":  # CSRFProtect has already checked the form's token

        def confirmed_page(names: list[str]) -> str:
            session["newsletter_confirmed"] = names
            return url_for("newsletter.confirmed", token=subs.manage_token(subscriber))

        return perform(lambda: subs.confirm(subscriber), success=confirmed_page, failure=_bad_link)
    waiting = [subs.subscription_label(s) for s in subs.pending(subscriber)]
    already = [subs.subscription_label(s) for s in subs.confirmed(subscriber)]
    if not waiting and not already:
        return _bad_link(InvalidToken("This link has expired. Subscribe again and we will send you a new one."))
    return render_template("newsletter/confirm.html", subscriber=subscriber, waiting=waiting, already=already)


def confirmed(token: str):
    try:
        subscriber = subs.subscriber_for_manage(token)
    except InvalidToken as exc:
        return _bad_link(exc)
    names = session.pop("newsletter_confirmed", None)
    return render_template("newsletter/confirmed.html", subscriber=subscriber, names=names,
                           all_names=[subs.subscription_label(s) for s in subs.confirmed(subscriber)],
                           manage_url=url_for("newsletter.manage", token=token))  # fmt: skip


@limiter.limit(PER_IP, methods=["POST"])
@limiter.limit(PER_ADDRESS, methods=["POST"], key_func=_email_key)
@keeps_answers_when_limited
def lost_link():
    form = LostLinkForm()

    def sent(_result):
        return make_response(render_template("newsletter/link_sent.html", email=form.email.data.strip()))

    if wait := limited():
        form.form_errors.append(_wait_text(wait))
    done = None if wait else submit(form, lambda: subs.send_manage_link(form.email.data), success=sent)
    return done or render_form("newsletter/lost_link.html", form)


def manage(token: str):
    try:
        subscriber = subs.subscriber_for_manage(token)
    except InvalidToken as exc:
        return _bad_link(exc)
    form = ManageForm()
    current = subscriber.subscriptions
    _fill(form, *(([s.team for s in current if s.team_id], [s.area for s in current if s.area])
                  if request.method == "GET" else (None, None)))  # fmt: skip
    if not form.validate_on_submit():
        return render_template("newsletter/manage.html", form=form, subscriber=subscriber, token=token,
                               consent=subs.consent_text(None, None))  # fmt: skip
    teams, areas = subs.parse_choice(form.team.data, form.area.data)
    if teams or areas:
        saved = _page("newsletter/saved.html", email=subscriber.email, token=token, names=subs.labels(teams, areas))
    else:
        saved = _page("newsletter/unsubscribed.html", email=subscriber.email, token=token)
    return perform(lambda: subs.save_choices(subscriber, teams, areas), success=saved)


@csrf.exempt
def unsubscribe(token: str):
    """GET: a page with one Unsubscribe button. POST (that button, or a mail provider's one-click
    request with List-Unsubscribe=One-Click): leave every newsletter at once, no further step."""
    try:
        subscriber = subs.subscriber_for_manage(token)
    except InvalidToken as exc:
        return _bad_link(exc)
    if request.method == "POST":
        left = _page("newsletter/unsubscribed.html", email=subscriber.email, token=token)
        return perform(lambda: subs.unsubscribe(subscriber), success=left)
    return render_template("newsletter/unsubscribe.html", subscriber=subscriber, token=token,
                           names=[subs.subscription_label(s) for s in subs.confirmed(subscriber)])  # fmt: skip
