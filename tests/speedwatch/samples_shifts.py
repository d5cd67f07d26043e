"""Shift routes for the permissions matrix, and a shift factory the shift tests share.

Records are built through the services (schedule_shift), so the matrix exercises real shifts.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from engagement.events.recurrence import RepeatPattern
from engagement.extensions import db
from engagement.speedwatch.shifts.services import schedule_shift
from engagement.speedwatch.sites.models import Site
from tests.speedwatch.samples_devices import make_device

EXPECTED_ACCESS = {
    "speedwatch.shifts": "staff",
    "speedwatch.shift_new": "staff",
    "speedwatch.shift": "team",
    "speedwatch.volunteer_shifts": "volunteer",
    "speedwatch.volunteer_shift": "volunteer",
    "speedwatch.shift_join": "volunteer",
    "speedwatch.shift_withdraw": "volunteer",
    "speedwatch.rota": "volunteer",
    "speedwatch.rota_new_link": "volunteer",
}


def make_shift(
    team, site, start: datetime, *, hours: float = 2, pattern=None, now=None, publish=True, device=None, **kwargs
):
    """A shift at `site` from the naive local `start` holding `device` (a new one by default, so shifts
    built at the same time never share a device), committed."""
    end = start + timedelta(hours=hours)
    shift = schedule_shift(
        actor=None,
        team=team,
        site=site,
        device=device or make_device(team),
        day=start.date(),
        start=start.time(),
        end=end.time(),
        pattern=pattern,
        publish=publish,
        now=now,
        **kwargs,
    )
    db.session.commit()
    return shift


def sample_records(team) -> dict:
    """A published weekly shift of `team` four weeks ahead; its second date is the sample occurrence."""
    from engagement.events.models import Venue

    today = date.today()
    venue = Venue(team_id=team.id, name="Sample Speed Watch site", address="Sample Road")
    db.session.add(venue)
    db.session.flush()
    site = Site(
        team_id=team.id,
        venue_id=venue.id,
        name="Sample Speed Watch site",
        road="Sample Road",
        speed_limit=30,
        assessed_on=today - timedelta(days=10),
        assessment_expires=today + timedelta(days=200),
    )
    db.session.add(site)
    db.session.commit()
    first = datetime.combine(today + timedelta(days=28), time(8, 0))
    shift = make_shift(team, site, first, pattern=RepeatPattern("weekly", count=4))
    return {"occurrence_id": shift.event.occurrences[1].id}
