"""Managing text alerts on the web (issue 16): prove the number with a code, then leave one team or all.

STOP by text ends every team's alerts; this is the way for a resident who wants to keep some teams, or
who would rather use a web page. The code is the same machinery as subscribing (text_subscribe: 15
minutes, 5 tries, at most 3 codes per number a day, shared with subscribing), and it is sent to any
valid UK mobile whether or not it gets alerts, so the form never tells a stranger which numbers do.
A number typed here that gets no alerts is kept like any unconfirmed number (text_privacy: deleted
after 7 days). A right code proves the number and agrees to nothing: it confirms no waiting
subscription and does not undo a STOP (check_code(confirm=False)).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engagement.core.db import utcnow
from engagement.core.errors import DomainError
from engagement.core.i18n import _
from engagement.extensions import db
from engagement.newsletter.text_models import AlertSubscription, TextNumber
from engagement.newsletter.text_subscribe import CodeCheck, check_code, find_number, send_code

MANAGE_MINUTES = 30  # how long the alerts page stays open after the right code


def request_manage_code(mobile_typed: str, *, now: datetime | None = None) -> TextNumber:
    """Text a code to the number (refused past 3 codes in 24 hours, or for a blocked number)."""
    from engagement.core.sms import InvalidMobile, normalise_uk_mobile

    now = now or utcnow()
    try:
        mobile = normalise_uk_mobile(mobile_typed)
    except InvalidMobile as exc:
        raise DomainError(exc.message, field="mobile") from exc
    number = find_number(mobile)
    if number is None:
        number = TextNumber(mobile=mobile, created_at=now)
        db.session.add(number)
        db.session.flush()
    send_code(number, now=now)
    return number


def prove_number(number: TextNumber, typed: str, *, now: datetime | None = None) -> CodeCheck:
    """The code typed on the manage pages: each wrong try counts (the caller commits either way)."""
    return check_code(number, typed, now=now, confirm=False)


def live_subscriptions(number: TextNumber) -> list[AlertSubscription]:
    """The teams whose alerts the number gets now, by team name."""
    if number.stopped_at is not None:  # replied STOP (text_alerts.recipients_query skips it)
        return []
    rows = db.session.scalars(
        select(AlertSubscription)
        .where(AlertSubscription.number_id == number.id, AlertSubscription.confirmed_at.is_not(None))
        .options(selectinload(AlertSubscription.team))
    )
    return sorted(rows, key=lambda s: s.team.name)


def leave_team(number: TextNumber, team_slug: str) -> str:
    """Stop one team's alerts; returns the team's name for the page. Nothing is texted."""
    for sub in live_subscriptions(number):
        if sub.team.slug == team_slug:
            name = _("%(team)s Neighbourhood Team", team=sub.team.name)
            number.subscriptions.remove(sub)
            db.session.flush()
            return name
    raise DomainError(_("You do not get text alerts from that team."))


def leave_all(number: TextNumber) -> list[str]:
    """Stop every team's alerts (waiting ones too); returns the names that were live. Nothing is texted."""
    names = [_("%(team)s Neighbourhood Team", team=s.team.name) for s in live_subscriptions(number)]
    number.subscriptions.clear()
    db.session.flush()
    return names
