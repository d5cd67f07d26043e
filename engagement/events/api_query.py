"""Reading one /api/v1/events request: its parameters checked, the page's query and the next link.

Every parameter is checked against exactly what openapi.json says (tests/hardening/test_api_contract.py
runs schemathesis against it): a value that breaks the schema is a 400, a schema-valid request is
answered 200, except a team or kind of event that does not exist (404, as the calendar feeds).
Pagination is by cursor (keyset on start time and id), so pages never skip or repeat a
date when others are added, and every page costs the same queries: one to check the
team and type names (only when given) and one for the page (its ids first, inside it).
The URL is in views/api.py.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, literal, or_, select, union_all

from engagement.core.timeutil import local_zone
from engagement.core.urls import public_url
from engagement.events.calendar_feeds import FeedFilters
from engagement.events.languages import SPOKEN
from engagement.events.models import Event, EventType, Occurrence
from engagement.events.queries import load_rows, local_midnight, public_ids
from engagement.extensions import db
from engagement.teams.models import AREAS, Team

PER_PAGE_DEFAULT = 50
PER_PAGE_MAX = 200
MAX_VALUES = 50  # team/type/area values per request
# Dates outside this range are refused: far-off dates overflow date arithmetic, and nothing is there.
FIRST_DATE, LAST_DATE = date(1970, 1, 1), date(2199, 12, 31)
MAX_ID = 2_147_483_647
# The patterns openapi.json gives (the document's test checks they are the same strings).
DATE_PATTERN = r"^(19[7-9][0-9]|2[01][0-9][0-9])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
# A slug (letters, digits, hyphens, not starting with a hyphen) that is not a number beyond 9 digits, which
# core.inputs refuses in every query string (it would overflow an id column).
SLUG_PATTERN = r"^(?:[0-9]{1,9}|[A-Za-z0-9]*[A-Za-z][A-Za-z0-9-]*|[0-9]+-[A-Za-z0-9-]*)$"
SLUG_MAX = 80
CURSOR_PATTERN = r"^[0-9]{1,16}-[0-9]{1,10}$"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LAST_MOMENT = datetime(LAST_DATE.year + 1, 1, 1, tzinfo=UTC)


class BadParameter(ValueError):
    """A query parameter the API cannot use; str() is the message sent back with `status`."""

    status = 400


class UnknownName(BadParameter):
    """A well-formed team or kind-of-event slug that names nothing: 404, like the calendar feeds."""

    status = 404


# --- parsing parameters -------------------------------------------------------------------


def _one(args, name: str) -> str | None:
    values = args.getlist(name)
    if len(values) > 1:
        raise BadParameter(f"Give {name} only once")
    return values[0] if values else None


def _date(args, name: str) -> date | None:
    value = _one(args, name)
    if value is None:
        return None
    try:
        if not re.fullmatch(DATE_PATTERN, value):
            raise ValueError
        parsed = date.fromisoformat(value)
    except ValueError:
        raise BadParameter(
            f"{name} must be a date written as YYYY-MM-DD, like 2027-03-02, between "
            f"{FIRST_DATE.isoformat()} and {LAST_DATE.isoformat()} (leave {name} out rather than empty)"
        ) from None
    return parsed


def _per_page(args) -> int:
    value = _one(args, "per_page")
    if value is None:
        return PER_PAGE_DEFAULT
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= PER_PAGE_MAX:
        raise BadParameter(f"per_page must be a whole number from 1 to {PER_PAGE_MAX}")
    return int(value)


def _names(args, name: str, pattern: str, what: str) -> list[str]:
    values = args.getlist(name)
    if len(values) > MAX_VALUES:
        raise BadParameter(f"Give at most {MAX_VALUES} values for {name}")
    for value in values:
        if len(value) > SLUG_MAX or not re.fullmatch(pattern, value):
            raise BadParameter(f"{name} must be {what}, like ladywood (letters, digits and hyphens)")
    return values


def _areas(args) -> list[str]:
    values = args.getlist("area")
    if len(values) > MAX_VALUES:
        raise BadParameter(f"Give at most {MAX_VALUES} values for area")
    known = {a.lower(): a for a in AREAS}
    for value in values:
        if value.lower() not in known:
            raise BadParameter(f"There is no area called {value!r}. Areas: {', '.join(AREAS)}")
    return [known[v.lower()] for v in values]


def _languages(args) -> list[str]:
    values = args.getlist("language")
    if len(values) > MAX_VALUES:
        raise BadParameter(f"Give at most {MAX_VALUES} values for language")
    for value in values:
        if value not in SPOKEN:
            raise BadParameter(f"There is no language {value!r} to filter by. Languages: {', '.join(SPOKEN)}")
    return values


def encode_cursor(row: Occurrence) -> str:
    """'<microseconds since 1970 UTC>-<id>': a position, so any value of this shape is a valid cursor."""
    micros = (row.starts_at - EPOCH) // timedelta(microseconds=1)
    return f"{max(micros, 0)}-{row.id}"


def decode_cursor(value: str) -> tuple[datetime, int]:
    if not re.fullmatch(CURSOR_PATTERN, value or ""):
        raise BadParameter("cursor is not valid: follow the `next` link exactly as it was given")
    micros, row_id = value.split("-")
    starts_at = min(EPOCH + timedelta(microseconds=int(micros)), LAST_MOMENT)
    return starts_at, min(int(row_id), MAX_ID)


class ApiQuery:
    """The parameters of one /api/v1/events request, checked."""

    def __init__(self, args):
        teams = _names(args, "team", SLUG_PATTERN, "a team's slug")
        types = _names(args, "type", SLUG_PATTERN, "a kind of event's slug")
        self.filters = FeedFilters(teams, types, _areas(args), _languages(args))
        self.from_date = _date(args, "from") or datetime.now(local_zone()).date()
        self.to_date = _date(args, "to")  # before from (or before today, with no from): an empty list
        self.per_page = _per_page(args)
        cursor = _one(args, "cursor")
        self.after = decode_cursor(cursor) if cursor is not None else None

    def check_names(self) -> None:
        """One query, only when names were given: every team and type asked for must exist."""
        if not (self.filters.teams or self.filters.types):
            return
        parts = []
        if self.filters.teams:
            parts.append(select(literal("team"), Team.slug).where(Team.slug.in_(self.filters.teams)))
        if self.filters.types:
            parts.append(select(literal("type"), EventType.slug).where(EventType.slug.in_(self.filters.types)))
        found = set(db.session.execute(union_all(*parts)).all())
        for kind, wanted in (("team", self.filters.teams), ("type", self.filters.types)):
            missing = [slug for slug in wanted if (kind, slug) not in found]
            if missing:
                what = "team" if kind == "team" else "kind of event"
                raise UnknownName(f"There is no {what} called {missing[0]!r}")

    def rows(self) -> list[Occurrence]:
        """A page of dates plus one more (to know whether there is a next page), in one statement: the
        ids in index order (keyset after the cursor, see queries.public_ids) inside the load by id."""
        if self.to_date is not None and self.to_date < self.from_date:
            return []  # no date is both after `from` and before `to`
        # Volunteer-only dates stay in the API (its contract lists every public date, with signup_mode).
        conditions = tuple(self.filters.event_conditions())
        team_events = select(Event.id) if self.filters.teams else None
        query = public_ids(local_midnight(self.from_date), shifts=True, events=conditions, team_events=team_events)
        if self.to_date is not None:
            query = query.where(Occurrence.starts_at < local_midnight(self.to_date + timedelta(days=1)))
        if self.after is not None:
            starts_at, row_id = self.after
            query = query.where(
                or_(
                    Occurrence.starts_at > starts_at,
                    and_(Occurrence.starts_at == starts_at, Occurrence.id > row_id),
                )
            )
        return load_rows(query.limit(self.per_page + 1))

    def next_url(self, last: Occurrence) -> str:
        """The same filters, with `from` fixed (so a next link followed tomorrow means the same)."""
        values = {
            "team": list(self.filters.teams),
            "type": list(self.filters.types),
            "area": list(self.filters.areas),
            "language": list(self.filters.languages),
            "from": self.from_date.isoformat(),
            "per_page": self.per_page,
            "cursor": encode_cursor(last),
        }
        if self.to_date is not None:
            values["to"] = self.to_date.isoformat()
        return public_url("events.api_events", **{k: v for k, v in values.items() if v != []})
