"""Records for tests outside this folder (the permissions matrix), built through the services."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from engagement.events.checks import EventDetails, When
from engagement.events.models import EventType
from engagement.events.recurrence import RepeatPattern
from engagement.events.services import create_event, ensure_default_types, save_venue
from engagement.extensions import db


def future_day(days: int) -> date:
    return date.today() + timedelta(days=days)


def sample_records(team) -> dict:
    """A venue and a future draft weekly series belonging to `team`, as URL arguments."""
    ensure_default_types()
    etype = db.session.scalar(db.select(EventType).where(EventType.slug == "police-surgery"))
    venue = save_venue(None, actor=None, team=team, name="Sample Library", address="1 High Street", postcode="B1 1AA")
    first = datetime.combine(future_day(30), time(18, 0))
    event = create_event(
        actor=None,
        details=EventDetails(team=team, event_type=etype, title="Sample surgery", venue=venue),
        when=When(first, first + timedelta(minutes=90)),
        pattern=RepeatPattern("weekly", count=4),
    )
    db.session.commit()
    return {"event_id": event.id, "occurrence_id": event.occurrences[1].id, "type_id": etype.id, "venue_id": venue.id}
