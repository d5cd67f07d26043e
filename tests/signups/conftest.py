"""Sign-up fixtures: the events fixtures (team, officer, venue, make_event), dates relative to
now (views and the worker use the real clock), a bookable date and a resident factory.
SMTP is the shared `smtp` fixture; the outbox readers are in tests/support/outbox.py."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from engagement.core.db import utcnow
from tests.events.conftest import make_event, officer, other_team, outsider, team, types, venue  # noqa: F401


def local_day(days: int) -> date:
    return date.today() + timedelta(days=days)


def soon(hours: int = 2) -> datetime:
    """A naive local wall time a few whole hours from now (for things allowed only near the start)."""
    from engagement.core.timeutil import to_local

    return (to_local(utcnow()) + timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0, tzinfo=None)


def at(days: int, hour: int = 18, minute: int = 0) -> datetime:
    """A naive local wall time `days` from today, as the event forms give it."""
    return datetime.combine(local_day(days), time(hour, minute))


@pytest.fixture
def make_date(make_event):  # noqa: F811 - the events fixture
    """A published one-off date `days` ahead (default 10) with sign-up details; returns the Occurrence."""

    def factory(days=10, *, capacity=10, mode="required", most=4, hours=1.5, start=None, **details):
        start = start or at(days)
        event = make_event(
            start,
            start + timedelta(hours=hours),
            now=utcnow(),
            capacity=capacity,
            signup_mode=mode,
            max_places_per_signup=most,
            **details,
        )
        return event.occurrences[0]

    return factory


@pytest.fixture
def surgery(make_date):
    return make_date(title="Ladywood police surgery")


@pytest.fixture
def book(db):
    """sign_up through the service with a made-up resident; commits like the view."""
    from engagement.signups.services import sign_up

    counter = iter(range(1, 100_000))

    def factory(row, places=1, email=None, name=None, **kwargs):
        n = next(counter)
        signup = sign_up(
            row,
            name=name or f"Resident {n}",
            email=email or f"resident{n}@example.org",
            places=places,
            **kwargs,
        )
        db.session.commit()
        return signup

    return factory


def attachments(message) -> dict[str, tuple[str, bytes]]:
    """filename -> (content type with parameters, bytes)."""
    found = {}
    for part in message.iter_attachments():
        params = dict(part.get_params() or [])
        ctype = part.get_content_type() + (f"; method={params['method']}" if "method" in params else "")
        found[part.get_filename()] = (ctype, part.get_payload(decode=True))
    return found
