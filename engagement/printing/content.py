"""What goes on each printed page: rows in words, the QR target, and a version that says when to rebuild.

A poster must fit one sheet whatever the team's diary holds, so it lists as many of the next
four weeks' dates as fit (measured, see render.render_fitted), then says how many more there
are and where to see them. Each builder returns plain values; the templates only lay them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from engagement.core import versioning
from engagement.core.db import utcnow
from engagement.core.timeutil import format_date, to_local
from engagement.core.urls import public_url
from engagement.events.display import event_times
from engagement.events.models import PUBLISHED, SCHEDULED, Event, Occurrence
from engagement.events.queries import with_everything
from engagement.extensions import db
from engagement.priorities import queries as priority_queries
from engagement.surveys.qr import qr_svg

WEEKS = 4
POSTER_ROWS = 12  # at most; render.render_fitted shows as many as fit on the sheet
LEAFLET_ROWS = 6
PRIORITY_CHARS = 110


@dataclass
class Row:
    """One date as a poster reads it."""

    day: str  # "Tuesday 3 March 2027"
    time: str  # "6pm to 7:30pm"
    title: str
    place: str  # "Ladywood Community Library, Ladywood Middleway, B16 8HA" or "Online"
    step_free: str  # "Yes", "No" or "Online"
    booking: str  # "No need to book", "Book at example.org/events/12/sign-up", ...
    url: str


def short(url: str) -> str:
    """An address as people type it: no scheme, no trailing slash."""
    return url.split("://", 1)[-1].rstrip("/")


def booking_text(row: Occurrence) -> str:
    mode = row.event.signup_mode
    if mode == "required":
        return "Book at " + short(public_url("events.occurrence", occurrence_id=row.id))
    if mode == "volunteers":
        return "Speed Watch volunteers only"
    return "No need to book"


def step_free_text(row: Occurrence) -> str:
    if row.venue is None:
        return "Online" if row.event.online_url else "Not known yet"
    return "Yes" if row.venue.step_free else "No"


def place_text(row: Occurrence, *, full: bool = False) -> str:
    """The venue and its postcode (a poster has no room for the street), or the whole address.

    A title that already names the venue ("Police surgery at Ladywood Library") gets the postcode only."""
    venue = row.venue
    if venue is not None:
        if full:
            return venue.one_line
        named = venue.name.casefold() in row.event.title.casefold()
        return ", ".join(part for part in ("" if named else venue.name, venue.postcode) if part)
    return "Online" if row.event.online_url else "Place to be confirmed"


def as_row(row: Occurrence) -> Row:
    return Row(day=format_date(row.starts_at), time=event_times(row), title=row.event.title, place=place_text(row),
               step_free=step_free_text(row), booking=booking_text(row),
               url=public_url("events.occurrence", occurrence_id=row.id))  # fmt: skip


def next_weeks(team, *, now: datetime, limit: int) -> tuple[list[Occurrence], int]:
    """The team's public, not-cancelled dates of the next four weeks: the first `limit` and how many in all."""
    query = (
        select(Occurrence)
        .join(Occurrence.event)
        .where(
            Event.team_id == team.id,
            Event.published_at.is_not(None),
            Event.status == PUBLISHED,
            Occurrence.status == SCHEDULED,
            Occurrence.ends_at > now,
            Occurrence.starts_at < now + timedelta(weeks=WEEKS),
        )
    )
    total = db.session.scalar(query.with_only_columns(func.count(Occurrence.id)))
    rows = db.session.scalars(with_everything(query.order_by(Occurrence.starts_at, Occurrence.id)).limit(limit))
    return list(rows.unique()), total or 0


def clipped(text: str, limit: int = PRIORITY_CHARS) -> str:
    first = " ".join(text.split("\n\n", 1)[0].split())
    return first if len(first) <= limit else first[: limit - 1].rsplit(" ", 1)[0] + "…"


def team_version(team, now: datetime) -> tuple:
    """Changes when the team's events, priorities or details change, and each day (the 4-week window moves)."""
    return (versioning.current("events")[0], versioning.current(priority_queries.VERSION)[0],
            team.updated_at.isoformat(), to_local(now).date().isoformat(), now.hour)  # fmt: skip


def team_sheet(team, *, limit: int, now: datetime | None = None) -> dict:
    """Everything a notice-board poster or leaflet shows about a team, with up to `limit` dates."""
    now = now or utcnow()
    rows, total = next_weeks(team, now=now, limit=limit)
    current, _closed = priority_queries.team_priorities(team, closed_limit=0)
    team_url = public_url("teams.team_page", slug=team.slug)
    return {
        "team": team,
        "all_rows": [as_row(r) for r in rows],
        "total": total,
        "events_url": short(public_url("events.event_list", team=team.slug)),
        "priorities": [clipped(p.issue) for p in current],
        "team_url": team_url,
        "team_url_short": short(team_url),
        "qr": qr_svg(team_url, f"QR code for {short(team_url)}", element_id="team-qr"),
        "printed": format_date(now),
        "until": format_date(now + timedelta(weeks=WEEKS) - timedelta(days=1)),
    }


def with_rows(sheet: dict, rows: int) -> dict:
    """The sheet showing its first `rows` dates and how many more there are (one query set, many layouts)."""
    shown = sheet["all_rows"][:rows]
    return {**sheet, "rows": shown, "more": max(sheet["total"] - len(shown), 0)}


def event_sheet(row: Occurrence) -> dict:
    url = public_url("events.occurrence", occurrence_id=row.id)
    venue = row.venue
    return {
        "row": row,
        "event": row.event,
        "team": row.event.team,
        "when": as_row(row),
        "address": place_text(row, full=True),
        "venue": venue,
        "accessibility": _access_lines(venue),
        "url": url,
        "url_short": short(url),
        "qr": qr_svg(url, f"QR code for {short(url)}", element_id="event-qr"),
        "cancelled": row.is_cancelled,
        "printed": format_date(utcnow()),
    }


def _access_lines(venue) -> list[str]:
    if venue is None:
        return []
    lines = ["Step-free access" if venue.step_free else "No step-free access"]
    lines += [label for flag, label in ((venue.hearing_loop, "Hearing loop"),
                                        (venue.accessible_toilet, "Accessible toilet"),
                                        (venue.parking, "Parking"),
                                        (venue.bsl_on_request, "BSL interpreter on request")) if flag]  # fmt: skip
    return lines


def subscribe_links(team=None) -> dict:
    url = (
        public_url("newsletter.choose_teams", team=team.slug)
        if team is not None
        else public_url("newsletter.choose_teams")
    )
    return {"subscribe_url": url, "subscribe_short": short(url),
            "subscribe_qr": qr_svg(url, f"QR code for {short(url)}", element_id="subscribe-qr")}  # fmt: skip
