"""iCalendar feeds, built with the icalendar library: what residents' calendar apps subscribe to.

Rules every feed follows (documented in the README):
* One VEVENT per one-off event. A series is one VEVENT with the RRULE, plus a
  RECURRENCE-ID override for each moved or cancelled date, plus EXDATE for dates
  that have dropped out of the feed, so a client expanding the rule lists exactly
  the dates the site lists.
* Times carry TZID (with a VTIMEZONE written as yearly RRULEs, see core.ical_tz);
  all-day events are VALUE=DATE with an exclusive end. Never floating times.
* UID never changes; SEQUENCE is the event's revision plus the date's own revision,
  so it rises whenever time, place or status changes.
* Cancelled dates stay, STATUS:CANCELLED and "Cancelled: " in the summary, until 30
  days after they would have happened; other past dates stay for 90 days.
* No alarms, no residents' data: only what the public event page shows.
* Links are built on BASE_URL (core.urls.public_url), never the request's host, so a
  feed's content does not vary with the host it was fetched from.
"""

from __future__ import annotations

from datetime import MAXYEAR, date, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from icalendar import Calendar, vRecur
from icalendar import Event as VEvent

from engagement.core.ical_tz import vtimezone
from engagement.core.markup import plain_text
from engagement.core.urls import public_url
from engagement.events.languages import feed_line, shown
from engagement.events.models import CANCELLED, Event, Occurrence
from engagement.events.queries import signup_text
from engagement.events.recurrence import parse_recurrence_id

PRODID = "-//West Midlands Police//Neighbourhood engagement//EN"
CANCELLED_KEEP = timedelta(days=30)
PAST_KEEP = timedelta(days=90)
REFRESH = timedelta(hours=1)
VTIMEZONE_FIRST, VTIMEZONE_AHEAD = 1970, 10  # the years a feed's VTIMEZONE covers, at most


def webcal(url: str) -> str:
    parts = urlsplit(url)
    return "webcal://" + parts.netloc + parts.path + (f"?{parts.query}" if parts.query else "")


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def sequence(event: Event, row: Occurrence | None = None) -> int:
    return event.revision + (row.revision if row is not None else 0)


def is_cancelled(event: Event, row: Occurrence | None = None) -> bool:
    return event.status == CANCELLED or (row is not None and row.status == CANCELLED)


def keeps(event: Event, row: Occurrence, now: datetime) -> bool:
    """Whether a date still belongs in feeds: 30 days after it if cancelled, 90 days otherwise."""
    keep = CANCELLED_KEEP if is_cancelled(event, row) else PAST_KEEP
    return row.ends_at >= now - keep  # not ends_at + keep: that overflows for a date in year 9999


def event_in_feed(event: Event, now: datetime) -> bool:
    return any(keeps(event, row, now) for row in event.occurrences)


def _local(value: datetime) -> datetime:
    return value.astimezone(zone())


def _date_value(event: Event, instant: datetime) -> date | datetime:
    return _local(instant).date() if event.all_day else _local(instant)


def _rid_value(event: Event, row: Occurrence) -> date | datetime:
    """RECURRENCE-ID / EXDATE: the date's original start, in the same form as the series DTSTART."""
    local = row.original_local_start
    return local.date() if event.all_day else local.replace(tzinfo=zone())


def location(event: Event, row: Occurrence | None = None) -> str:
    venue = (row.venue_override if row is not None and row.venue_override else None) or event.venue
    parts = [venue.one_line] if venue else []
    if event.online_url:
        parts.append(f"Online: {event.online_url}")
    return " · ".join(parts)


def description(event: Event, url: str) -> str:
    text = plain_text(shown(event).description).strip()  # the translation only with ?lang= (events.languages)
    lines = [text] if text else []
    if event.cancel_reason and event.status == CANCELLED:
        lines.insert(0, f"Cancelled: {event.cancel_reason}")
    lines.append(signup_text(event))
    lines.append(feed_line(event))  # "" for events whose languages were not given: their bytes stay as they were
    lines.append(f"Details: {url}")
    return "\n\n".join(line for line in lines if line)


def _common(component: VEvent, event: Event, row: Occurrence | None, url: str) -> None:
    cancelled = is_cancelled(event, row)
    title = shown(event).title
    summary = title if not cancelled else f"Cancelled: {title}"
    component.add("uid", event.uid)
    component.add("dtstamp", event.updated_at)
    component.add("created", event.created_at)
    modified = max(event.updated_at, row.updated_at) if row is not None else event.updated_at
    component.add("last-modified", modified)
    component.add("summary", summary)
    text = description(event, url)
    if row is not None and row.status == CANCELLED and row.cancel_reason:
        text = f"Cancelled: {row.cancel_reason}\n\n{text}"
    component.add("description", text)
    place = location(event, row)
    if place:
        component.add("location", place)
    venue = (row.venue_override if row is not None and row.venue_override else None) or event.venue
    if venue is not None and venue.latitude is not None and venue.longitude is not None:
        component.add("geo", (venue.latitude, venue.longitude))
    component.add("url", url)
    component.add("categories", [event.event_type.name])
    component.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    component.add("sequence", sequence(event, row))
    component.add("transp", "OPAQUE")
    component.add("class", "PUBLIC")


def occurrence_component(event: Event, row: Occurrence, *, override: bool) -> VEvent:
    """One date: a one-off event, or (override=True) a RECURRENCE-ID instance of a series."""
    component = VEvent()
    _common(component, event, row, public_url("events.occurrence", occurrence_id=row.id))
    if override:
        component.add("recurrence-id", _rid_value(event, row))
    component.add("dtstart", _date_value(event, row.starts_at))
    component.add("dtend", _date_value(event, row.ends_at))
    return component


def series_components(event: Event, now: datetime) -> list[VEvent]:
    """The master VEVENT with RRULE and EXDATEs, then one override per moved or cancelled date."""
    rows = sorted(event.occurrences, key=lambda r: r.recurrence_id)
    first = rows[0] if rows else None
    master = VEvent()
    _common(
        master,
        event,
        None,
        public_url("events.occurrence", occurrence_id=first.id) if first else current_app.config["BASE_URL"],
    )
    local_start = event.local_start.replace(tzinfo=zone())
    length = _local(event.ends_at).replace(tzinfo=None) - event.local_start
    if event.all_day:
        master.add("dtstart", local_start.date())
        master.add("dtend", (event.local_start + length).date())
    else:
        master.add("dtstart", local_start)
        master.add("dtend", (event.local_start + length).replace(tzinfo=zone()))
    master.add("rrule", vRecur.from_ical(event.rrule))
    overrides, removed = [], []
    for row in rows:
        changed = row.moved or row.status == CANCELLED or row.venue_id is not None
        if not changed:
            continue
        if keeps(event, row, now):
            overrides.append(occurrence_component(event, row, override=True))
        else:
            removed.append(_rid_value(event, row))
    removed.extend(_exdates(event))
    if removed:
        master.add("exdate", sorted(set(removed)))
    return [master, *overrides]


def _exdates(event: Event) -> list[date | datetime]:
    """Dates the rule makes that were deleted outright (e.g. by an import's EXDATE)."""
    values = []
    for rid in (getattr(event, "exdates", "") or "").split():
        local = parse_recurrence_id(rid)
        values.append(local.date() if event.all_day else local.replace(tzinfo=zone()))
    return values


def event_components(event: Event, now: datetime) -> list[VEvent]:
    if event.is_series:
        return series_components(event, now)
    row = event.occurrences[0]
    return [occurrence_component(event, row, override=False)]


def new_calendar(name: str, years: tuple[int, int]) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", current_app.config["TIMEZONE"])
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    cal.add_component(vtimezone(current_app.config["TIMEZONE"], *years))
    return cal


def feed_years(now: datetime) -> tuple[int, int]:
    """The years a feed's VTIMEZONE is worked out for: from 1970 (see core.ical_tz), ten years ahead."""
    return _clamp_years(VTIMEZONE_FIRST, now.year + VTIMEZONE_AHEAD)


def _clamp_years(first: int, last: int) -> tuple[int, int]:
    last = min(last, MAXYEAR - 1)  # the zone's changes are looked up until the January after `last`
    return min(max(first, VTIMEZONE_FIRST), last), last


def build_feed(events: list[Event], name: str, now: datetime) -> bytes:
    """The subscribed calendar: every event still within its retention window, built in one go.

    An event that cannot be written (a row broken in the database, a date past year 9999) is left
    out and logged: one bad row never takes the whole feed down. The feed URLs assemble the same
    bytes from stored pieces (feed_head + event_fragment + FOOTER, see calendar_feeds.py).
    """
    components = []
    for event in events:
        try:
            if event_in_feed(event, now):
                components.extend(event_components(event, now))
        except Exception:  # noqa: BLE001 - whatever is wrong with one event, the others still go out
            current_app.logger.exception("calendar feed: event %s left out, it cannot be written", event.id)
    cal = new_calendar(name, feed_years(now))
    for component in components:
        cal.add_component(component)
    return cal.to_ical()


FOOTER = b"END:VCALENDAR\r\n"


def feed_head(name: str, now: datetime) -> bytes:
    """Everything before the first VEVENT: the calendar's properties and its VTIMEZONE."""
    whole = new_calendar(name, feed_years(now)).to_ical()
    return whole[: -len(FOOTER)]


def event_fragment(event: Event, now: datetime) -> tuple[bytes, datetime | None]:
    """An event's VEVENTs as they appear in a feed (b"" if none), and until when they stay so.

    The bytes change by the clock alone when a date leaves the feed (30 days after a cancelled
    date, 90 after others): for a one-off or a series' last date the whole event goes, for a moved
    or cancelled date of a series its override turns into an EXDATE. Until that instant (None:
    never) the fragment can be reused as it is.
    """
    if not event_in_feed(event, now):
        return b"", None
    body = b"".join(component.to_ical() for component in event_components(event, now))
    return body, _stays_until(event, now)


def _stays_until(event: Event, now: datetime) -> datetime | None:
    leaving = []
    for row in event.occurrences:
        if not keeps(event, row, now):
            continue
        changed = not event.is_series or row.moved or row.status == CANCELLED or row.venue_id is not None
        if changed:
            leaving.append(_leaves_at(event, row))
    if event.is_series:  # the series itself leaves with its last date
        last = [_leaves_at(event, row) for row in event.occurrences if keeps(event, row, now)]
        if None not in last:
            leaving.append(max(last))
    known = [moment for moment in leaving if moment is not None]
    return min(known) if known else None


def _leaves_at(event: Event, row: Occurrence) -> datetime | None:
    """The last instant `keeps` is true for the date (None past year 9999)."""
    keep = CANCELLED_KEEP if is_cancelled(event, row) else PAST_KEEP
    try:
        return row.ends_at + keep
    except OverflowError:
        return None


def build_single(row: Occurrence, method: str = "PUBLISH", *, identity: tuple[str, str, int] | None = None) -> bytes:
    """One date for "add to calendar" and email attachments: same UID and SEQUENCE as the feed.

    method="CANCEL" is the variant for cancellation emails (METHOD:CANCEL, STATUS:CANCELLED, an
    ORGANIZER as iTIP asks). `identity` (uid, local recurrence id or "", sequence) replaces the
    date's current identity, to cancel an entry a resident got before the date moved to another
    series or was removed. Feed output never goes through here.
    """
    event = row.event
    cal = new_calendar(event.title, _clamp_years(VTIMEZONE_FIRST, row.ends_at.year + 1))
    component = occurrence_component(event, row, override=event.is_series)
    if identity is not None:
        uid, rid, seq = identity
        for key in ("uid", "recurrence-id", "sequence"):
            component.pop(key, None)
        component.add("uid", uid)
        if rid:
            local = parse_recurrence_id(rid)
            component.add("recurrence-id", local.date() if event.all_day else local.replace(tzinfo=zone()))
        component.add("sequence", seq)
    if method == "CANCEL":
        cal.pop("method", None)
        cal.add("method", "CANCEL")
        component.pop("status", None)
        component.add("status", "CANCELLED")
        if not str(component.get("summary", "")).startswith("Cancelled: "):
            summary = str(component.pop("summary", event.title))
            component.add("summary", f"Cancelled: {summary}")
        sender = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
        if sender:
            component.add("organizer", f"mailto:{sender}", parameters={"CN": current_app.config["FORCE_NAME"]})
    cal.add_component(component)
    return cal.to_ical()


# --- links for event and team pages ------------------------------------------------------


def subscribe_links(team=None) -> dict[str, str]:
    """The https:// feed address and its webcal:// twin (which opens the calendar app to subscribe)."""
    url = public_url("events.team_calendar_feed", slug=team.slug) if team else public_url("events.calendar_feed")
    return {"https": url, "webcal": webcal(url)}


def _google_dates(event: Event, row: Occurrence) -> str:
    if event.all_day:
        return f"{_local(row.starts_at):%Y%m%d}/{_local(row.ends_at):%Y%m%d}"
    return f"{row.starts_at:%Y%m%dT%H%M%SZ}/{row.ends_at:%Y%m%dT%H%M%SZ}"


def add_links(row: Occurrence) -> dict[str, str]:
    """One-date links: Google Calendar and Outlook.com templates, and our own .ics download."""
    event = row.event
    url = public_url("events.occurrence", occurrence_id=row.id)
    details = f"{plain_text(event.description).strip()}\n\n{url}".strip()
    place = location(event, row)
    google = urlencode(
        {
            "action": "TEMPLATE",
            "text": event.title,
            "dates": _google_dates(event, row),
            "details": details,
            "location": place,
            "ctz": current_app.config["TIMEZONE"],
        }
    )
    outlook_times = (
        {"startdt": f"{_local(row.starts_at):%Y-%m-%d}", "enddt": f"{_local(row.ends_at):%Y-%m-%d}", "allday": "true"}
        if event.all_day
        else {
            "startdt": f"{row.starts_at:%Y-%m-%dT%H:%M:%SZ}",
            "enddt": f"{row.ends_at:%Y-%m-%dT%H:%M:%SZ}",
            "allday": "false",
        }
    )
    outlook = urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": event.title,
            "body": details,
            "location": place,
            **outlook_times,
        }
    )
    return {
        "google": f"https://calendar.google.com/calendar/render?{google}",
        "outlook": f"https://outlook.live.com/calendar/0/action/compose?{outlook}",
        "ics": public_url("events.occurrence_ics", occurrence_id=row.id),
    }
