"""Records for tests outside this folder (the permissions matrix), built through the services."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from engagement.events.details import EventDetails, When
from engagement.events.import_jobs import queue_import
from engagement.events.models import Event, EventType
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
    job = queue_import(
        team, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", filename="sample.ics", actor=None, default_type=etype
    )
    db.session.commit()
    return {
        "event_id": event.id,
        "occurrence_id": event.occurrences[1].id,
        "type_id": etype.id,
        "venue_id": venue.id,
        "job_id": job.id,
    }


# Fixed dates far enough ahead to stay in the future: Tuesday 4 March 2031 at 18:00.
MARCH_2031 = datetime(2031, 3, 4, 18, 0)


def body(response) -> str:
    return response.get_data(as_text=True)


def form_fields(team_, types_, venue_, officer_, **overrides):
    data = {
        "team": str(team_.id),
        "event_type": str(types_["police-surgery"].id),
        "title": "Police surgery at Ladywood Community Library",
        "description": "Come and talk to us.",
        "date": "2031-03-04",
        "start_time": "18:00",
        "end_time": "19:30",
        "venue": str(venue_.id),
        "contact": str(officer_.id),
        "max_places_per_signup": "1",
        "action": "publish",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def event_count(db):
    return db.session.scalar(db.select(db.func.count(Event.id)))
