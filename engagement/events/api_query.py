"""Reading one /api/v1/events request: its parameters checked, the page's query and the next link.

Pagination is by cursor (keyset on start time and id), so pages never skip or repeat a
date when others are added, and every page costs the same queries: one to check the
team and type names (only when given) and one for the page. The URL is in views/api.py.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime, timedelta

from sqlalchemy import and_, literal, or_, select, union_all

from engagement.core.timeutil import local_zone
from engagement.core.urls import public_url
from engagement.events.calendar_feeds import FeedFilters
from engagement.events.models import EventType, Occurrence
from engagement.events.queries import local_midnight, with_everything
from engagement.extensions import db
from engagement.teams.models import AREAS, Team

PER_PAGE_DEFAULT = 50
PER_PAGE_MAX = 200
# Dates outside this range are refused: far-off dates overflow date arithmetic, and nothing is there.
FIRST_DATE, LAST_DATE = date(1970, 1, 1), date(2199, 12, 31)
MAX_ID = 2_147_483_647


class BadParameter(ValueError):
    """A query parameter the API cannot use; str() is the message sent back with the 400."""


# --- parsing parameters -------------------------------------------------------------------


def _one(args, name: str) -> str | None:
    values = args.getlist(name)
    if len(values) > 1:
        raise BadParameter(f"Give {name} only once")
    return values[0] if values else None


def _date(args, name: str) -> date | None:
    value = _one(args, name)
    if value is None or value == "":
        return None
    try:
        if len(value) != 10:
            raise ValueError
        parsed = date.fromisoformat(value)
    except ValueError:
        raise BadParameter(f"{name} must be a date written as YYYY-MM-DD, like 2027-03-02") from None
    if not FIRST_DATE <= parsed <= LAST_DATE:
        raise BadParameter(f"{name} must be between {FIRST_DATE.isoformat()} and {LAST_DATE.isoformat()}")
    return parsed


def _per_page(args) -> int:
    value = _one(args, "per_page")
    if value is None or value == "":
        return PER_PAGE_DEFAULT
    if not value.isdigit() or not 1 <= int(value) <= PER_PAGE_MAX:
        raise BadParameter(f"per_page must be a whole number from 1 to {PER_PAGE_MAX}")
    return int(value)


def encode_cursor(row: Occurrence) -> str:
    raw = json.dumps([row.starts_at.isoformat(), row.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        starts, row_id = json.loads(raw)
        starts_at = datetime.fromisoformat(starts)
        if starts_at.utcoffset() is None or not FIRST_DATE.year <= starts_at.year <= LAST_DATE.year:
            raise ValueError
        if not isinstance(row_id, int) or isinstance(row_id, bool) or not 0 <= row_id <= MAX_ID:
            raise ValueError
        return starts_at, row_id
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadParameter("cursor is not valid: follow the `next` link exactly as it was given") from None


class ApiQuery:
    """The parameters of one /api/v1/events request, checked."""

    def __init__(self, args):
        self.filters = FeedFilters(args.getlist("team"), args.getlist("type"), args.getlist("area"))
        unknown = [a for a in self.filters.areas if a not in AREAS]
        if unknown:
            raise BadParameter(f"There is no area called {unknown[0]!r}. Areas: {', '.join(AREAS)}")
        self.from_date = _date(args, "from") or datetime.now(local_zone()).date()
        self.to_date = _date(args, "to")
        if self.to_date is not None and self.to_date < self.from_date:
            raise BadParameter("to must be the same as or after from")
        self.per_page = _per_page(args)
        cursor = _one(args, "cursor")
        self.after = decode_cursor(cursor) if cursor else None

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
                raise BadParameter(f"There is no {what} called {missing[0]!r}")

    def rows(self) -> list[Occurrence]:
        """One query: a page of dates plus one more (to know whether there is a next page)."""
        query = select(Occurrence).join(Occurrence.event).where(*self.filters.event_conditions())
        query = query.where(Occurrence.ends_at > local_midnight(self.from_date))
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
        query = with_everything(query.order_by(Occurrence.starts_at, Occurrence.id).limit(self.per_page + 1))
        return db.session.scalars(query).unique().all()

    def next_url(self, last: Occurrence) -> str:
        """The same filters, with `from` fixed (so a next link followed tomorrow means the same)."""
        values = {
            "team": list(self.filters.teams),
            "type": list(self.filters.types),
            "area": list(self.filters.areas),
            "from": self.from_date.isoformat(),
            "per_page": self.per_page,
            "cursor": encode_cursor(last),
        }
        if self.to_date is not None:
            values["to"] = self.to_date.isoformat()
        return public_url("events.api_events", **{k: v for k, v in values.items() if v != []})
