"""Records for tests outside this folder (the permissions matrix), built through the services."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from engagement.events.details import EventDetails, When
from engagement.events.models import EventType
from engagement.events.services import create_event, ensure_default_types
from engagement.extensions import db
from engagement.signups.services import sign_up


def sample_records(team) -> dict:
    """A published bookable date of `team` with one resident's sign-up, as URL arguments."""
    ensure_default_types()
    etype = db.session.scalar(db.select(EventType).where(EventType.slug == "cuppa-with-a-copper"))
    first = datetime.combine(date.today() + timedelta(days=20), time(10, 0))
    event = create_event(
        actor=None,
        details=EventDetails(
            team=team,
            event_type=etype,
            title="Sample cuppa",
            online_url="https://example.org/meet",
            capacity=12,
            signup_mode="required",
        ),
        when=When(first, first + timedelta(hours=1)),
        publish=True,
    )
    signup = sign_up(event.occurrences[0], name="Sample Resident", email="sample.resident@example.org")
    db.session.commit()
    return {"signup_id": signup.id}
