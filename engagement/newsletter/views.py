"""Residents' newsletter pages: subscribe (one question per page), confirm, manage, leave, lost link.

Confirming and leaving are POSTs behind a one-button page, so mail scanners that follow
links change nothing. The one-click unsubscribe URL in the List-Unsubscribe header is the
one endpoint exempt from CSRF (RFC 8058: mail providers POST to it with no session).
Sending confirmation emails is rate-limited per address and per IP address.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for

from engagement.accounts.services import normalise_email
from engagement.core.errors import DomainError
from engagement.core.forms import apply_domain_error
from engagement.core.tokens import InvalidToken
from engagement.extensions import csrf, db, limiter
from engagement.newsletter import subscriptions as subs
from engagement.newsletter.forms import ChooseForm, EmailForm, LostLinkForm, ManageForm
from engagement.teams.models import AREAS
from engagement.teams.services import all_teams

bp = Blueprint("newsletter", __name__)

# Documented limits (README): confirmation and manage-link emails per address and per IP address.
PER_ADDRESS = "3 per hour; 10 per day"
PER_IP = "10 per hour; 50 per day"


def _email_key() -> str:
    """Rate-limit key for the address typed into the form (normalised, so case tricks don't help)."""
    raw = request.form.get("email", "")
    try:
        return "newsletter-address:" + normalise_email(raw)
    except DomainError:  # not an address: no email goes anywhere, so count it against the sender instead
        return "newsletter-address-invalid:" + (request.remote_addr or "")


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


@bp.route("/subscribe")
def choose_teams():
    form = ChooseForm(request.args)
    _fill(form)
    error = None
    if request.args.get("step") == "choose":
        teams, areas = subs.parse_choice(form.team.data, form.area.data)
        if teams or areas:
            return redirect(url_for("newsletter.give_email", team=[t.slug for t in teams], area=areas))
        error = "Select at least one team or area"
    elif request.args.get("team"):
        form.team.data = request.args.getlist("team")
    return render_template("newsletter/choose.html", form=form, error=error), 400 if error else 200


@bp.route("/subscribe/email", methods=["GET", "POST"])
@limiter.limit(PER_IP, methods=["POST"])
@limiter.limit(PER_ADDRESS, methods=["POST"], key_func=_email_key, deduct_when=_sent)
def give_email():
    source = request.form if request.method == "POST" else request.args
    teams, areas = subs.parse_choice(source.getlist("team"), source.getlist("area"))
    if not teams and not areas:
        return redirect(url_for("newsletter.choose_teams"))
    form = EmailForm()
    if form.validate_on_submit():
        try:
            subs.request_subscription(form.email.data, teams, areas)
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            session["newsletter_email"] = form.email.data.strip()
            return redirect(url_for("newsletter.check_email"))
    return render_template(
        "newsletter/email.html", form=form, teams=teams, areas=areas, labels=subs.labels(teams, areas),
        consent=subs.consent_text(teams, areas), days=subs.CONFIRM_DAYS,
    ), 400 if form.errors else 200  # fmt: skip


@bp.route("/subscribe/check-email")
def check_email():
    return render_template("newsletter/check_email.html", email=session.get("newsletter_email"),
                           days=subs.CONFIRM_DAYS)  # fmt: skip


def _bad_link(exc: InvalidToken):
    db.session.rollback()
    return render_template("newsletter/bad_link.html", message=exc.message), 400


@bp.route("/subscribe/confirm/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def confirm(token: str):
    """A page with one Confirm button: the GET changes nothing, the POST confirms."""
    try:
        subscriber = subs.subscriber_for_confirm(token)
        if request.method == "POST":  # CSRFProtect has already checked the form's token
            names = subs.confirm(subscriber)
            db.session.commit()
            session["newsletter_confirmed"] = names
            return redirect(url_for("newsletter.confirmed", token=subs.manage_token(subscriber)))
    except InvalidToken as exc:
        return _bad_link(exc)
    waiting = [subs.subscription_label(s) for s in subs.pending(subscriber)]
    already = [subs.subscription_label(s) for s in subs.confirmed(subscriber)]
    if not waiting and not already:
        return _bad_link(InvalidToken("This link has expired. Subscribe again and we will send you a new one."))
    return render_template("newsletter/confirm.html", subscriber=subscriber, waiting=waiting, already=already)


@bp.route("/subscribe/confirmed/<token>")
def confirmed(token: str):
    try:
        subscriber = subs.subscriber_for_manage(token)
    except InvalidToken as exc:
        return _bad_link(exc)
    names = session.pop("newsletter_confirmed", None)
    return render_template("newsletter/confirmed.html", subscriber=subscriber, names=names,
                           all_names=[subs.subscription_label(s) for s in subs.confirmed(subscriber)],
                           manage_url=url_for("newsletter.manage", token=token))  # fmt: skip


@bp.route("/manage", methods=["GET", "POST"])
@limiter.limit(PER_IP, methods=["POST"])
@limiter.limit(PER_ADDRESS, methods=["POST"], key_func=_email_key)
def lost_link():
    form = LostLinkForm()
    if form.validate_on_submit():
        try:
            subs.send_manage_link(form.email.data)
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            return render_template("newsletter/link_sent.html", email=form.email.data.strip())
    return render_template("newsletter/lost_link.html", form=form), 400 if form.errors else 200


@bp.route("/manage/<token>", methods=["GET", "POST"])
def manage(token: str):
    try:
        subscriber = subs.subscriber_for_manage(token)
    except InvalidToken as exc:
        return _bad_link(exc)
    form = ManageForm()
    current = subscriber.subscriptions
    _fill(form, *(([s.team for s in current if s.team_id], [s.area for s in current if s.area])
                  if request.method == "GET" else (None, None)))  # fmt: skip
    if form.validate_on_submit():
        teams, areas = subs.parse_choice(form.team.data, form.area.data)
        subs.save_choices(subscriber, teams, areas)
        db.session.commit()
        if not teams and not areas:
            return render_template("newsletter/unsubscribed.html", email=subscriber.email, token=token)
        return render_template("newsletter/saved.html", email=subscriber.email, token=token,
                               names=subs.labels(teams, areas))  # fmt: skip
    return render_template("newsletter/manage.html", form=form, subscriber=subscriber, token=token,
                           consent=subs.consent_text(None, None))  # fmt: skip


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """GET: a page with one Unsubscribe button. POST (that button, or a mail provider's one-click
    request with List-Unsubscribe=One-Click): leave every newsletter at once, no further step."""
    try:
        subscriber = subs.subscriber_for_manage(token)
    except InvalidToken as exc:
        return _bad_link(exc)
    if request.method == "POST":
        subs.unsubscribe(subscriber)
        db.session.commit()
        return render_template("newsletter/unsubscribed.html", email=subscriber.email, token=token)
    return render_template("newsletter/unsubscribe.html", subscriber=subscriber, token=token,
                           names=[subs.subscription_label(s) for s in subs.confirmed(subscriber)])  # fmt: skip


def dashboard_section(user, teams):
    """Links to news, newsletters and feeds, with newsletters waiting on someone (drafts, scheduled,
    sending) and feeds that stopped working."""
    from engagement.newsletter.dashboard import attention

    issues_, broken = attention(user, teams)
    return render_template("newsletter/_dashboard.html", issues=issues_, broken=broken)


def init_app(app) -> None:
    from engagement.core.hooks import register_dashboard_section, register_team_section
    from engagement.newsletter import archive, staff  # noqa: F401 - attach their routes to bp
    from engagement.newsletter.links import public_url

    app.jinja_env.globals["public_url"] = public_url
    app.jinja_env.globals["subscribe_endpoint"] = "newsletter.choose_teams"
    register_team_section("newsletter", archive.team_section, order=30)
    register_dashboard_section("newsletter", dashboard_section, order=30)
