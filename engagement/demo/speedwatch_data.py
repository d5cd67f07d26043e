"""Demo Speed Watch groups: approved volunteers, risk-assessed sites, devices, a filling rota and past returns.

Every demo team's weekly Speed Watch series (from events_data) becomes a shift at a site
made from its road venue, holding the team's speed device, with a minimum team of 3 and a
maximum of 6. Each team gets five approved volunteers; Ladywood also has an application
waiting, a suspended volunteer, one whose training runs out soon, a second site whose
assessment expires within 30 days, a spare device due for calibration, a site request and the
demo volunteer sign-in (volunteer@example.org). The first dates fill unevenly, so the rota
shows "going ahead" and "needs 1 more" side by side. Six months of returns, recorded through
the services (speedwatch_sessions), feed the per-site traffic charts and the letter ladder.

Idempotent: a team that already has a site gets nothing more.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from engagement.core.db import utcnow
from engagement.core.timeutil import to_local
from engagement.demo import speedwatch_sessions as sessions
from engagement.events.models import Event, EventType, Occurrence, Venue
from engagement.extensions import db
from engagement.speedwatch.shifts.models import DEVICE_OPERATOR, RECORDER, SAFETY_LOOKOUT, Shift
from engagement.speedwatch.sites.models import Site
from engagement.speedwatch.volunteers.models import APPLIED, APPROVED, SUSPENDED, Volunteer
from engagement.teams.models import Team

DEMO_VOLUNTEER = "volunteer@example.org"
NAMES = [
    "Brian Cartwright",
    "Shazia Akhtar",
    "Colin Hayes",
    "Janet Morris",
    "Oluwaseun Adebayo",
    "Derek Simmons",
    "Parminder Gill",
    "Lorraine Baxter",
    "Wojciech Kowalski",
    "Hannah Rees",
    "Desmond Clarke",
    "Fatima Noor",
]
LIMITS = (30, 30, 20, 40)
ROLES = (DEVICE_OPERATOR, RECORDER, SAFETY_LOOKOUT, "")


def load_speedwatch_demo(now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    etype = db.session.scalar(select(EventType).where(EventType.slug == "community-speed-watch"))
    added = {"speedwatch_sites": 0, "speedwatch_volunteers": 0, "speedwatch_returns": 0}
    if etype is None:
        return added
    events = db.session.scalars(
        select(Event).where(Event.event_type_id == etype.id, Event.rrule.is_not(None)).order_by(Event.id)
    ).all()
    from engagement.accounts.services import find_user_by_email

    recorder = find_user_by_email("coordinator@example.org")  # the demo coordinator records the old returns
    seen = set()
    for index, event in enumerate(events):
        team = event.team
        if team.id in seen or event.venue is None:
            continue
        seen.add(team.id)
        if db.session.scalar(select(Site.id).where(Site.team_id == team.id).limit(1)) is not None:
            continue
        rng = random.Random(team.slug)  # the same demo on every machine
        today = to_local(now).date()
        site = _site(team, event.venue, LIMITS[index % len(LIMITS)], today, expires_in=300)
        volunteers = _volunteers(team, index, now)
        db.session.flush()
        devices = sessions.devices_for(team, index, volunteers[0].name, today)
        db.session.add(Shift(event_id=event.id, site_id=site.id, min_team=3, max_team=6, device_id=devices[0].id))
        added["speedwatch_sites"] += 1
        added["speedwatch_volunteers"] += len(volunteers)
        db.session.flush()
        _fill_rota(event, volunteers, now)
        if team.slug == "ladywood":
            _past_shift(event, site, devices[0], volunteers[:3], now)
            extra = _extra_site(team, today)
            added["speedwatch_sites"] += 1
            added["speedwatch_volunteers"] += _ladywood_extras(team, now)
            if recorder is not None:
                added["speedwatch_returns"] += sessions.record_sessions(
                    event, extra, devices[-1], recorder, now, rng, monthly=1
                )
            sessions.site_request(team, volunteers[0])
        if index < 8 and recorder is not None:
            added["speedwatch_returns"] += sessions.record_sessions(
                event, site, devices[0], recorder, now, rng, monthly=3
            )
    db.session.flush()
    return added


def _site(team: Team, venue: Venue, limit: int, today: date, expires_in: int) -> Site:
    site = Site(
        team_id=team.id,
        venue_id=venue.id,
        name=venue.name,
        road=venue.address,
        speed_limit=limit,
        location="On the footway by the bus stop, facing oncoming traffic",
        volunteer_notes="Stand on the wide footway behind the railings, never in the road. Park in the side "
        "street, not on the verge. Hi-vis on before you leave the car.",
        latitude=venue.latitude,
        longitude=venue.longitude,
        assessed_on=today + timedelta(days=expires_in) - timedelta(days=365),
        assessment_expires=today + timedelta(days=expires_in),
    )
    db.session.add(site)
    db.session.flush()
    return site


def _extra_site(team: Team, today: date) -> Site:
    """A 20 mph school street whose assessment runs out within 30 days: the dashboard flags it."""
    venue = Venue(
        team_id=team.id,
        name="Monument Road school crossing",
        address="Monument Road, by Ladywood Primary School, Birmingham",
        postcode="B16 8UU",
        parking=False,
    )
    db.session.add(venue)
    db.session.flush()
    return _site(team, venue, 20, today, expires_in=18)


def _person(team: Team, name: str, status: str, now: datetime, training_left: int = 240, **extra) -> Volunteer:
    from engagement.accounts.services import DEMO_PASSWORD, create_volunteer_account, find_user_by_email

    email = extra.pop("email", None) or f"{name.lower().replace(' ', '.')}.{team.slug.split('-')[0]}@example.org"
    user = None
    if status in (APPROVED, SUSPENDED) and find_user_by_email(email) is None:
        password = DEMO_PASSWORD if email == DEMO_VOLUNTEER else None
        user = create_volunteer_account(email=email, display_name=name, password=password)
        user.active = status == APPROVED
        user.demo = True  # made by the demo loader: production refuses it
    today = to_local(now).date()
    trained = today + timedelta(days=training_left) - timedelta(days=365)
    volunteer = Volunteer(
        team_id=team.id,
        user_id=user.id if user else None,
        name=name,
        email=email,
        phone="0121 496 0" + str(100 + len(name) * 7)[-3:],
        status=status,
        applied_at=now - timedelta(days=400 - training_left),
        decided_at=None if status == APPLIED else now - timedelta(days=380 - training_left),
        training_date=None if status == APPLIED else trained,
        training_expires=None if status == APPLIED else trained + timedelta(days=365),
        vetting_done=status != APPLIED,
        vetting_date=None if status == APPLIED else trained - timedelta(days=7),
        **extra,
    )
    db.session.add(volunteer)
    return volunteer


def _volunteers(team: Team, index: int, now: datetime) -> list[Volunteer]:
    names = [NAMES[(index * 5 + n) % len(NAMES)] for n in range(5)]
    people = []
    for n, name in enumerate(names):
        email = DEMO_VOLUNTEER if team.slug == "ladywood" and n == 0 else None
        people.append(_person(team, name, APPROVED, now, training_left=120 + 40 * n, email=email))
    return people


def _ladywood_extras(team: Team, now: datetime) -> int:
    _person(team, "Kofi Boateng", APPLIED, now)
    _person(
        team,
        "Gordon Pryce",
        SUSPENDED,
        now,
        suspended_at=now - timedelta(days=12),
        suspend_reason="Stood in the carriageway at the last session; refresher briefing booked.",
    )
    _person(team, "Elaine Doyle", APPROVED, now, training_left=12)
    return 3


def _fill_rota(event: Event, volunteers: list[Volunteer], now: datetime) -> None:
    """First date going ahead (4), second short (2), third just at the minimum (3)."""
    from engagement.speedwatch.shifts.services import sign_up_for_shift

    rows = db.session.scalars(
        select(Occurrence)
        .where(Occurrence.event_id == event.id, Occurrence.starts_at > now)
        .order_by(Occurrence.starts_at)
    ).all()
    for row, count in zip(rows, (4, 2, 3), strict=False):
        if row.is_cancelled:
            continue
        for n, volunteer in enumerate(volunteers[:count]):
            sign_up_for_shift(volunteer, row, role=ROLES[n % len(ROLES)], now=now)


def _past_shift(series_event: Event, site: Site, device, volunteers: list[Volunteer], now: datetime) -> None:
    """A shift three days ago that went ahead and still needs its return: try the return form."""
    from engagement.events.details import EventDetails, When
    from engagement.events.models import PUBLISHED
    from engagement.events.services import create_event
    from engagement.speedwatch.shifts.models import GOING_AHEAD, ShiftSignup, ShiftStaffing

    day = to_local(now).date() - timedelta(days=3)
    start = datetime.combine(day, time(8, 0))
    details = EventDetails(
        team=series_event.team,
        event_type=series_event.event_type,
        title=f"Speed Watch: {site.name}",
        venue=series_event.venue,
        signup_mode="volunteers",
    )
    event = create_event(actor=None, details=details, when=When(start, start + timedelta(hours=1)), now=now)
    event.status, event.published_at = PUBLISHED, now - timedelta(days=10)  # published before it happened
    db.session.add(Shift(event_id=event.id, site_id=site.id, min_team=3, max_team=6, device_id=device.id))
    row = event.occurrences[0]
    db.session.add(
        ShiftStaffing(
            occurrence_id=row.id,
            taken=len(volunteers),
            quorum_checked_at=row.starts_at - timedelta(hours=24),
            quorum_outcome=GOING_AHEAD,
        )
    )
    for volunteer, role in zip(volunteers, ROLES, strict=False):
        db.session.add(ShiftSignup(occurrence_id=row.id, volunteer_id=volunteer.id, role=role))
