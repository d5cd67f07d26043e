"""Read-side queries for event pages. Every list states how it loads.

Public lists cost one page whatever the size of the tables: one statement selects the page's
ids in index order (occurrences by start time, see ix_occurrences_starts_id) with a capped
count (core.pages), and a second loads those few rows with their event, team, type and venues
by primary key (`load_rows`). Residents' lists show what residents can attend: dates only
approved volunteers take part in (Speed Watch shifts) are left out unless a list asks for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, literal, or_, select
from sqlalchemy.orm import joinedload

from engagement.accounts.models import User
from engagement.core.db import utcnow
from engagement.core.errors import NotFound
from engagement.core.pages import Page, in_id_order, page_of_ids
from engagement.core.permissions import can_manage_team, works_across_teams
from engagement.core.timeutil import to_local
from engagement.events.languages import speaks
from engagement.events.limits import MAX_EVENT_LENGTH, day_end_utc, day_start_utc
from engagement.events.models import CANCELLED, DRAFT, PUBLISHED, Event, EventType, Occurrence, Venue
from engagement.events.wall_clock import local_to_utc
from engagement.extensions import db
from engagement.teams.models import Team, team_members

PER_PAGE = 20


def with_everything(query: Select) -> Select:
    event = joinedload(Occurrence.event)
    return query.options(
        event.joinedload(Event.team),
        event.joinedload(Event.event_type),
        event.joinedload(Event.venue),
        event.joinedload(Event.contact),
        joinedload(Occurrence.venue_override),
    )


# Every date lasts at most MAX_EVENT_LENGTH (validation.resolve_when and ics_parse refuse longer ones;
# a day more for clock changes), so "not yet ended" is also "started after now minus that": a lower
# bound on the start-time index, so a list never walks the dates that ended long ago.
LONGEST = MAX_EVENT_LENGTH + timedelta(days=1)
VOLUNTEERS_ONLY = "volunteers"  # the sign-up mode of dates residents cannot attend (Speed Watch shifts)


def _public() -> Select:
    """Dates residents may see: of published events, or cancelled ones that were published."""
    return (
        select(Occurrence)
        .join(Occurrence.event)
        .where(Event.published_at.is_not(None), Event.status.in_((PUBLISHED, CANCELLED)))
    )


def public_ids(after: datetime, *, shifts: bool = False, events: tuple = (), team_events=None) -> Select:
    """Ids of public dates not ended by `after`, soonest first: the id statement of every public list.

    The event's conditions (published, not volunteer-only, `events`) are a correlated probe of one
    event row by primary key, which PostgreSQL never turns into a join: so whatever its statistics
    say (fresh tables have none) the plan walks ix_occurrences_list in order (checking the end time
    in the index itself) and stops after the page. A team's list (`team_events`: a select of its
    event ids) is a semi-join on those conditions instead, so it starts from the team's events.
    """
    conditions = [Event.published_at.is_not(None), Event.status.in_((PUBLISHED, CANCELLED)), *events]
    if not shifts:
        conditions.append(Event.signup_mode != VOLUNTEERS_ONLY)
    query = select(Occurrence.id).where(Occurrence.ends_at > after, Occurrence.starts_at > after - LONGEST)
    if team_events is not None:
        query = query.where(Occurrence.event_id.in_(team_events.where(*conditions)))
    else:
        probe = select(literal(1)).where(Event.id == Occurrence.event_id, *conditions).correlate(Occurrence)
        query = query.where(probe.scalar_subquery().is_not(None))
    return query.order_by(Occurrence.starts_at, Occurrence.id)


def load_rows(ids: list[int] | Select, *, contact: bool = False) -> list[Occurrence]:
    """The rows of a page by primary key, with what a list shows (the contact only for the event page).

    `ids` is the page's ids, or their statement (with its LIMIT): then the whole list is one round trip,
    the id statement planned on its own since a LIMIT keeps PostgreSQL from flattening it."""
    if isinstance(ids, list) and not ids:
        return []
    event = joinedload(Occurrence.event, innerjoin=True)
    options = [
        event.joinedload(Event.team, innerjoin=True),
        event.joinedload(Event.event_type, innerjoin=True),
        event.joinedload(Event.venue),
        joinedload(Occurrence.venue_override),
    ]
    if contact:
        options.append(event.joinedload(Event.contact))
    query = select(Occurrence).where(Occurrence.id.in_(ids)).options(*options)
    rows = db.session.scalars(query.order_by(Occurrence.starts_at, Occurrence.id)).unique().all()
    return in_id_order(rows, ids) if isinstance(ids, list) else rows


def local_midnight(day: date) -> datetime:
    return local_to_utc(datetime.combine(day, time()))


@dataclass
class Filters:
    team: str = ""
    type: str = ""
    area: str = ""
    from_date: date | None = None
    to_date: date | None = None
    shifts: bool = False  # include volunteer-only dates (Speed Watch shifts); a kind-of-event filter does too
    language: str = ""  # a code of events.languages.SPOKEN: events whose officers speak it


def public_upcoming(filters: Filters, *, page: int = 1, per_page: int = PER_PAGE, now: datetime | None = None) -> Page:
    """Upcoming (and cancelled, until they pass) public dates, soonest first, one page at a time:
    two statements whatever the tables hold (the page's ids with a capped count, then its rows)."""
    now = now or utcnow()
    events, team_events = [], None
    if filters.area:
        events.append(Event.team_id.in_(select(Team.id).where(Team.area == filters.area)))
    if filters.type:
        events.append(Event.event_type_id.in_(select(EventType.id).where(EventType.slug == filters.type)))
    if filters.language:
        events.append(speaks([filters.language]))
    if filters.team:
        team_events = select(Event.id).join(Team, Team.id == Event.team_id).where(Team.slug == filters.team)
    query = public_ids(now, shifts=filters.shifts or bool(filters.type), events=tuple(events), team_events=team_events)
    after, before = day_start_utc(filters.from_date), day_end_utc(filters.to_date)  # never overflow (year 9999)
    if after is not None:
        query = query.where(Occurrence.starts_at >= after)
    if before is not None:
        query = query.where(Occurrence.starts_at < before)
    result = page_of_ids(query, page=page, per_page=per_page)
    result.items = load_rows(result.ids)
    return result


def team_upcoming(team, *, limit: int = 8, now: datetime | None = None) -> list[Occurrence]:
    """A team's next dates residents can attend, for its page: one statement (ids first, inside it)."""
    now = now or utcnow()
    query = public_ids(now, team_events=select(Event.id).where(Event.team_id == team.id))
    return load_rows(query.limit(limit))


def public_occurrence(occurrence_id: int, viewer=None) -> Occurrence:
    """One date for its public page; drafts only for staff who may manage the team (a preview)."""
    query = with_everything(select(Occurrence).where(Occurrence.id == occurrence_id))
    row = db.session.scalars(query).unique().one_or_none()
    if row is None or not (row.event.is_public or (viewer is not None and can_manage_team(viewer, row.event.team))):
        raise NotFound("We could not find that event. It may have been removed, or the link may be wrong.")
    return row


def staff_window(teams, *, start: datetime, end: datetime, limit: int = 200) -> list[Occurrence]:
    """All dates (drafts too) of these teams between two instants, for calendars and the dashboard."""
    ids = [t.id for t in teams]
    if not ids:
        return []
    query = (
        select(Occurrence)
        .join(Occurrence.event)
        .where(Event.team_id.in_(ids), Occurrence.ends_at > start, Occurrence.starts_at < end)
    )
    query = with_everything(query.order_by(Occurrence.starts_at, Occurrence.id).limit(limit))
    return db.session.scalars(query).unique().all()


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def calendar_weeks(team, first_day: date, weeks: int = 4) -> list[tuple[date, list[Occurrence]]]:
    """The team's dates grouped by week (Monday first), in local time."""
    monday = week_start(first_day)
    rows = staff_window(
        [team], start=local_midnight(monday), end=local_midnight(monday + timedelta(weeks=weeks)), limit=1000
    )
    grouped = {monday + timedelta(weeks=n): [] for n in range(weeks)}
    for row in rows:
        key = week_start(max(to_local(row.starts_at).date(), monday))
        grouped.setdefault(key, []).append(row)
    return list(grouped.items())


def staff_events(
    user, *, team_id: int | None = None, page: int = 1, show: str = "upcoming", now: datetime | None = None
):
    """Events the user manages, newest first date first; one query plus the page count."""
    now = now or utcnow()
    query = select(Event).options(joinedload(Event.team), joinedload(Event.event_type), joinedload(Event.venue))
    if not works_across_teams(user):
        query = query.where(Event.team_id.in_(user.team_ids or {-1}))
    if team_id:
        query = query.where(Event.team_id == team_id)
    last = select(func.max(Occurrence.ends_at)).where(Occurrence.event_id == Event.id).scalar_subquery()
    if show == "upcoming":
        query = query.where(or_(last > now, Event.horizon_end.is_not(None))).order_by(Event.starts_at, Event.id)
    elif show == "drafts":
        query = query.where(Event.status == DRAFT).order_by(Event.starts_at, Event.id)
    else:
        query = query.order_by(Event.starts_at.desc(), Event.id.desc())
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def event_with_dates(event_id: int) -> Event | None:
    """An event for its staff page, with its dates and their venues loaded up front."""
    query = (
        select(Event)
        .where(Event.id == event_id)
        .options(
            joinedload(Event.team),
            joinedload(Event.event_type),
            joinedload(Event.venue),
            joinedload(Event.contact),
            joinedload(Event.occurrences).joinedload(Occurrence.venue_override),
        )
    )
    return db.session.scalars(query).unique().one_or_none()


def active_types() -> list[EventType]:
    return db.session.scalars(select(EventType).where(EventType.active.is_(True)).order_by(EventType.name)).all()


def all_types() -> list[EventType]:
    return db.session.scalars(select(EventType).order_by(EventType.name)).all()


def venues_for(user) -> list[Venue]:
    """Venues the user may pick: shared ones and their teams' (everything for coordinators and admins)."""
    query = select(Venue).options(joinedload(Venue.team)).order_by(Venue.name)
    if not works_across_teams(user):
        query = query.where(or_(Venue.team_id.is_(None), Venue.team_id.in_(user.team_ids or {-1})))
    return db.session.scalars(query).all()


def active_members(teams) -> list[User]:
    """Active staff in any of these teams, in one query (the contact officer choices)."""
    ids = [t.id for t in teams]
    if not ids:
        return []
    query = (
        select(User)
        .join(team_members, team_members.c.user_id == User.id)
        .where(team_members.c.team_id.in_(ids), User.active.is_(True))
        .distinct()
        .order_by(User.display_name)
    )
    return db.session.scalars(query).all()


def signup_text(event: Event) -> str:
    """How residents take part, in plain English (sign-up forms come with the sign-ups feature)."""
    places = f" There are {event.capacity} places." if event.capacity else ""
    return {
        "none": "No need to sign up: just drop in at any time during the session.",
        "optional": "You do not need to sign up, but it helps us plan. Drop-ins are welcome." + places,
        "required": "You need to sign up to come to this event." + places,
        "volunteers": "For approved Community Speed Watch volunteers only. Contact the team if you would like to "
        "volunteer.",
    }.get(event.signup_mode, "")
