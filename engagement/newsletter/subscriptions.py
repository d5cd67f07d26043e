"""Subscribing, confirming (double opt-in), managing and leaving, and the links emailed for each.

Rules residents rely on:
- Nothing is sent to an address until its owner confirms, by pressing a button on a page
  (a POST), so a mail scanner that follows links cannot confirm for them.
- Confirmation links work for 7 days; unconfirmed requests are deleted after that.
- Every email carries a manage link: a signed token bound to the subscriber's secret, with
  no expiry (old newsletters must still let people leave). One-click unsubscribe uses it.
- The page never says whether an address is already subscribed; the owner learns it by email.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, render_template
from sqlalchemy import delete, or_, select

from engagement.accounts.services import normalise_email
from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import DomainError
from engagement.core.i18n import _, _l, force_language, language_of
from engagement.core.mail import queue_email
from engagement.core.tokens import InvalidToken, make_token, read_token
from engagement.core.urls import public_url
from engagement.extensions import db
from engagement.newsletter.models import Delivery, Subscriber, Subscription
from engagement.teams.models import AREAS, Team

CONFIRM_DAYS = 7
UNSUBSCRIBED_KEEP_DAYS = 30
CONFIRM, MANAGE = "newsletter.confirm", "newsletter.manage"


def labels(teams, areas) -> list[str]:
    return [f"{t.name} Neighbourhood Team" for t in teams] + [f"every team in {a}" for a in areas]


def consent_text(teams, areas) -> str:
    """The exact words shown next to the Subscribe button, stored with each subscription.
    With teams=None it is the manage page's wording, which refers to the boxes ticked."""
    force = current_app.config["FORCE_NAME"]
    chosen = "the teams and areas ticked above" if teams is None else ", ".join(labels(teams, areas))
    return (
        f"I want {force} to email me newsletters from {chosen}. "
        "My email address will be used only to send me these newsletters. "
        "I can unsubscribe at any time with the link in every email."
    )


def subscription_label(sub: Subscription) -> str:
    return f"{sub.team.name} Neighbourhood Team" if sub.team_id else f"every team in {sub.area}"


def parse_choice(team_slugs, areas) -> tuple[list[Team], list[str]]:
    """Teams (by slug) and areas from a form or query string; anything unknown is dropped."""
    slugs = [s for s in dict.fromkeys(team_slugs or []) if isinstance(s, str)][:50]
    teams = db.session.scalars(select(Team).where(Team.slug.in_(slugs)).order_by(Team.name)).all() if slugs else []
    return list(teams), [a for a in AREAS if a in set(areas or [])]


# --- links -----------------------------------------------------------------------------------


def _payload(subscriber: Subscriber) -> dict:
    return {"s": subscriber.id, "k": subscriber.secret}


def confirm_token(subscriber: Subscriber) -> str:
    return make_token(CONFIRM, _payload(subscriber))


def manage_token(subscriber: Subscriber) -> str:
    return make_token(MANAGE, _payload(subscriber))


def manage_token_for(subscriber_id: int, secret: str) -> str:
    """The same token from plain values, for the worker's send loop."""
    return make_token(MANAGE, {"s": subscriber_id, "k": secret})


def _from_token(purpose: str, token: str, max_age: int | None) -> Subscriber:
    payload = read_token(purpose, token, max_age)
    subscriber = db.session.get(Subscriber, payload.get("s")) if isinstance(payload, dict) else None
    if subscriber is None or subscriber.secret != payload.get("k"):
        raise InvalidToken("This link is no longer valid. You may have unsubscribed, or asked for a newer link.")
    return subscriber


def subscriber_for_confirm(token: str) -> Subscriber:
    return _from_token(CONFIRM, token, CONFIRM_DAYS * 86400)


def subscriber_for_manage(token: str) -> Subscriber:
    return _from_token(MANAGE, token, None)


def manage_url(subscriber: Subscriber) -> str:
    return public_url("newsletter.manage", token=manage_token(subscriber))


def unsubscribe_url(subscriber: Subscriber) -> str:
    return public_url("newsletter.unsubscribe", token=manage_token(subscriber))


# --- subscribing -----------------------------------------------------------------------------


def find_subscriber(email: str) -> Subscriber | None:
    return db.session.scalar(select(Subscriber).where(Subscriber.email == email))


def pending(subscriber: Subscriber, now=None) -> list[Subscription]:
    cutoff = (now or utcnow()) - timedelta(days=CONFIRM_DAYS)
    return [s for s in subscriber.subscriptions if s.confirmed_at is None and s.requested_at >= cutoff]


def confirmed(subscriber: Subscriber) -> list[Subscription]:
    return [s for s in subscriber.subscriptions if s.confirmed_at is not None]


def _email(subscriber: Subscriber, subject: str, template: str, **context) -> None:
    """In the subscriber's language (core.i18n): `subject` is lazy (`_l`), so it is translated in it too.

    Every email to a subscriber carries a direct unsubscribe link, in the text and as RFC 8058
    one-click headers (as the issues do), so leaving never needs the manage page.
    """
    leave = unsubscribe_url(subscriber)
    with force_language(language_of(subscriber)):
        text = render_template(f"newsletter/email/{template}.txt", subscriber=subscriber,
                               manage_url=manage_url(subscriber), unsubscribe_url=leave, **context)  # fmt: skip
        headers = {"List-Unsubscribe": f"<{leave}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        queue_email(subscriber.email, str(subject), text, headers=headers)  # a one-off email, through the outbox


def _send_confirmation(subscriber: Subscriber, now) -> None:
    waiting = [subscription_label(s) for s in pending(subscriber, now)]
    _email(subscriber, _l("Confirm your newsletter subscription"), "confirm", teams=waiting, days=CONFIRM_DAYS,
           confirm_url=public_url("newsletter.confirm", token=confirm_token(subscriber)))  # fmt: skip


def request_subscription(email: str, teams: list[Team], areas: list[str], *, now=None, entered_by=None) -> Subscriber:
    """Record what the resident asked for and email them: a confirmation link, or (if there is
    nothing new to confirm) a reminder that they already get these newsletters.

    `entered_by`: a signed-in staff user typing a resident's address in for them (not limited per IP,
    so it is audited); the resident still has to confirm from the email."""
    now = now or utcnow()
    email = normalise_email(email)
    if not teams and not areas:
        raise DomainError(_("Select at least one team or area"), field="teams")
    subscriber = find_subscriber(email)
    if subscriber is None:
        subscriber = Subscriber(email=email)
        db.session.add(subscriber)
    text = consent_text(teams, areas)
    existing = {(s.team_id, s.area): s for s in subscriber.subscriptions}
    for key, team, area in [((t.id, None), t, None) for t in teams] + [((None, a), None, a) for a in areas]:
        sub = existing.get(key)
        if sub is None:
            subscriber.subscriptions.append(Subscription(team=team, area=area, requested_at=now, consent_text=text))
        elif sub.confirmed_at is None:
            sub.requested_at, sub.consent_text = now, text
    db.session.flush()
    if pending(subscriber, now):
        _send_confirmation(subscriber, now)
    else:
        _email(subscriber, _l("You already get these newsletters"), "already",
               teams=[subscription_label(s) for s in confirmed(subscriber)])  # fmt: skip
    if entered_by is not None:
        audit.record("newsletter.entered_by_staff", actor=entered_by, target=subscriber,
                     summary="A resident's subscription request entered by staff: " + ", ".join(labels(teams, areas)))  # fmt: skip
    return subscriber


def confirm(subscriber: Subscriber, *, now=None) -> list[str]:
    """Confirm every request still waiting; returns their labels ([] if there was nothing to confirm)."""
    now = now or utcnow()
    waiting = pending(subscriber, now)
    if not waiting:
        if confirmed(subscriber):
            return []
        raise InvalidToken("This link has expired. Subscribe again and we will send you a new one.")
    for sub in waiting:
        sub.confirmed_at = now
    subscriber.confirmed_at = subscriber.confirmed_at or now
    subscriber.unsubscribed_at = None
    names = [subscription_label(s) for s in waiting]
    _email(subscriber, _l("You are subscribed"), "welcome", teams=names,
           all_teams=[subscription_label(s) for s in confirmed(subscriber)])  # fmt: skip
    return names


def save_choices(subscriber: Subscriber, teams: list[Team], areas: list[str], *, now=None) -> None:
    """The manage page: keep what is ticked, drop the rest. The link came by email, so additions
    are confirmed at once, with the wording the page showed."""
    now = now or utcnow()
    wanted = {(t.id, None): t for t in teams} | {(None, a): None for a in areas}
    for sub in list(subscriber.subscriptions):
        if (sub.team_id, sub.area) not in wanted:
            subscriber.subscriptions.remove(sub)
    have = {(s.team_id, s.area): s for s in subscriber.subscriptions}
    text = consent_text(teams, areas)
    for (team_id, area), team in wanted.items():
        sub = have.get((team_id, area))
        if sub is None:
            subscriber.subscriptions.append(Subscription(team=team, area=area, requested_at=now, confirmed_at=now,
                                                         consent_text=text))  # fmt: skip
        elif sub.confirmed_at is None:
            sub.confirmed_at, sub.consent_text = now, text
    subscriber.unsubscribed_at = None if wanted else now
    if wanted:
        subscriber.confirmed_at = subscriber.confirmed_at or now


def unsubscribe(subscriber: Subscriber, *, now=None) -> int:
    """Leave every newsletter at once (RFC 8058 one-click). Safe to repeat; returns how many were left."""
    count = len(subscriber.subscriptions)
    subscriber.subscriptions.clear()
    if count or subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = now or utcnow()
    return count


def send_manage_link(email: str, *, now=None) -> None:
    """For a resident who lost every email: a new manage link (or the confirmation, if never confirmed)."""
    subscriber = find_subscriber(normalise_email(email))
    if subscriber is None or not subscriber.subscriptions:
        return  # say nothing: the page must not reveal who is subscribed
    if confirmed(subscriber):
        _email(subscriber, _l("Manage your newsletter subscription"), "manage_link",
               teams=[subscription_label(s) for s in confirmed(subscriber)])  # fmt: skip
    elif pending(subscriber, now):
        _send_confirmation(subscriber, now or utcnow())


def expire(now=None) -> int:
    """Worker task: delete requests never confirmed within 7 days, and addresses left with nothing
    (never confirmed, or unsubscribed more than 30 days ago). Returns how many rows went."""
    now = now or utcnow()
    gone = db.session.execute(
        delete(Subscription).where(
            Subscription.confirmed_at.is_(None), Subscription.requested_at < now - timedelta(days=CONFIRM_DAYS)
        )
    ).rowcount
    empty = ~select(Subscription.id).where(Subscription.subscriber_id == Subscriber.id).exists()
    stale = or_(Subscriber.confirmed_at.is_(None),
                Subscriber.unsubscribed_at < now - timedelta(days=UNSUBSCRIBED_KEEP_DAYS))  # fmt: skip
    ids = db.session.scalars(
        select(Subscriber.id).where(empty, stale, Subscriber.created_at < now - timedelta(days=CONFIRM_DAYS))
    ).all()
    if ids:
        # Spelled out rather than left to ON DELETE CASCADE, which SQLite does not enforce by default.
        db.session.execute(delete(Delivery).where(Delivery.subscriber_id.in_(ids)))
        gone += db.session.execute(delete(Subscriber).where(Subscriber.id.in_(ids))).rowcount
    db.session.commit()
    return gone


def recipients_condition(team_id: int | None, area: str | None):
    """Confirmed subscriptions that should get an issue for this team (or whole area)."""
    if team_id is not None:
        team_area = select(Team.area).where(Team.id == team_id).scalar_subquery()
        scope = or_(Subscription.team_id == team_id, Subscription.area == team_area)
    else:
        scope = or_(Subscription.area == area, Subscription.team_id.in_(select(Team.id).where(Team.area == area)))
    return Subscription.confirmed_at.is_not(None) & scope


def recipient_ids(team_id: int | None, area: str | None):
    """A query for the distinct subscriber ids an issue would go to now."""
    return select(Subscription.subscriber_id).where(recipients_condition(team_id, area)).distinct()
