"""Session return routes for the permissions matrix, and the shift-building helpers the return tests share.

Shifts are built from the events service and the shift models directly (not the shift
services), so these tests only depend on what a shift *is*, not how it is scheduled.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from engagement.events.details import EventDetails, When
from engagement.events.models import EventType
from engagement.events.services import create_event, ensure_default_types
from engagement.extensions import db
from engagement.speedwatch.returns.models import SessionReturn, Vehicle
from engagement.speedwatch.shifts.models import Shift, ShiftSignup
from engagement.speedwatch.sites.models import Site
from engagement.speedwatch.volunteers.models import APPROVED, Volunteer
from tests.speedwatch.samples_devices import make_device

EXPECTED_ACCESS = {
    "speedwatch.volunteer_return": "volunteer",
    "speedwatch.staff_return": "team",
    "speedwatch.returns": "staff",
    "speedwatch.return_detail": "team",
    "speedwatch.returns_csv": "staff",
    "speedwatch.returns_xlsx": "staff",
    "speedwatch.overview": "staff",
}


def make_shift_date(team, site, start: datetime, *, hours: float = 2, min_team: int = 3, max_team: int = 6):
    """A published one-off Speed Watch date at `site` from the naive local `start`, holding a new device of
    the team; returns the Occurrence."""
    ensure_default_types()
    etype = db.session.scalar(db.select(EventType).where(EventType.slug == "community-speed-watch"))
    event = create_event(
        actor=None,
        details=EventDetails(team=team, event_type=etype, title=f"Speed Watch: {site.name}", venue=site.venue),
        when=When(start, start + timedelta(hours=hours)),
        publish=True,
        now=datetime.combine(start.date() - timedelta(days=30), time(), tzinfo=UTC),
    )
    device = make_device(team)
    db.session.add(Shift(event_id=event.id, site_id=site.id, min_team=min_team, max_team=max_team, device_id=device.id))
    db.session.commit()
    return event.occurrences[0]


def sign_up(occurrence, *volunteers, status: str = "signed_up") -> None:
    for volunteer in volunteers:
        db.session.add(ShiftSignup(occurrence_id=occurrence.id, volunteer_id=volunteer.id, status=status))
    db.session.commit()


def sample_records(team) -> dict:
    """A past shift of `team` with the team's approved volunteers on it and its return (built from the models)."""
    from engagement.events.models import Venue

    today = date.today()
    venue = Venue(team_id=team.id, name="Sample return site", address="Sample Lane")
    db.session.add(venue)
    db.session.flush()
    site = Site(
        team_id=team.id,
        venue_id=venue.id,
        name="Sample return site",
        road="Sample Lane",
        speed_limit=30,
        assessed_on=today - timedelta(days=20),
        assessment_expires=today + timedelta(days=300),
    )
    db.session.add(site)
    db.session.commit()
    occurrence = make_shift_date(team, site, datetime.combine(today - timedelta(days=3), time(10, 0)))
    volunteers = db.session.scalars(
        db.select(Volunteer).where(Volunteer.team_id == team.id, Volunteer.status == APPROVED)
    ).all()
    sign_up(occurrence, *volunteers)
    ret = SessionReturn(
        occurrence_id=occurrence.id,
        team_id=team.id,
        site_id=site.id,
        site_name=site.name,
        road=site.road,
        speed_limit=30,
        started_at=occurrence.starts_at,
        ended_at=occurrence.starts_at + timedelta(hours=1),
    )
    ret.vehicles = [
        Vehicle(
            registration="AB12CDE",
            make="Ford",
            colour="Blue",
            speed_mph=41,
            direction="North",
            seen_at=occurrence.starts_at + timedelta(minutes=20),
        )
    ]
    db.session.add(ret)
    db.session.commit()
    return {"occurrence_id": occurrence.id, "return_id": ret.id}
