"""Occurrence rows for events and series: materialising, cancelling, moving and splitting.

How occurrences are materialised (the rolling horizon):
* A one-off event has exactly one Occurrence row, kept in step with the event's times.
* A series has rows from its first date up to HORIZON (12 months) ahead of now (or of
  its first date, if that is later), never further; `Event.horizon_end` records how
  far, or is None once the whole rule is in rows. Creating a series, or changing its dates, materialises it at once; the worker
  task "events-horizon" (extend_horizons) tops every series up daily, idempotently:
  rows are matched on (event, recurrence_id), so running it twice adds nothing.
* Rows are never regenerated wholesale: an occurrence id is a public contract (its URL,
  later its sign-ups), so cancelled and moved dates keep their row and id.

"Change this and all following" splits a series: the old rule gets an UNTIL just
before the chosen date (recurrence.split_rrule), a new Event (new uid) carries the new
rule from that date, and the existing rows from that date on are re-pointed to it
(same ids), matched to the new dates by day and then in order.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import select, update

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import Conflict, DomainError
from engagement.core.hooks import notify
from engagement.core.permissions import can_manage_team
from engagement.core.timeutil import format_datetime, to_local
from engagement.events.details import When, new_uid
from engagement.events.models import CANCELLED, SCHEDULED, Event, Occurrence
from engagement.events.recurrence import RepeatPattern, recurrence_id, split_rrule
from engagement.events.rrule_expansion import RecurrenceError, starts_before
from engagement.events.validation import (
    build_rule,
    check_schedule,
    check_venue_for_team,
    clean_reason,
    clean_url,
    resolve_when,
)
from engagement.events.wall_clock import local_to_utc
from engagement.extensions import db

HORIZON = relativedelta(months=12)
# The worker only touches a series whose horizon has fallen a day behind: daily-ish work.
TOP_UP_SLACK = timedelta(days=1)


def horizon_for(now: datetime, first_start: datetime | None = None) -> datetime:
    """12 months ahead of now, or of the first date if the series starts later than that."""
    return max(now, first_start or now) + HORIZON


def wall_duration(event: Event) -> timedelta:
    """Length in wall-clock time, so 18:00-19:30 stays 18:00-19:30 on every date."""
    return to_local(event.ends_at).replace(tzinfo=None) - event.local_start


def occurrence_times(event: Event, local_start: datetime) -> tuple[datetime, datetime]:
    return local_to_utc(local_start), local_to_utc(local_start + wall_duration(event))


def rule_starts(rule: str, dtstart_local: datetime, horizon: datetime) -> tuple[list[datetime], bool]:
    """The rule's local starts before the horizon, and whether that is all of them (only the window is expanded)."""
    return starts_before(rule, dtstart_local, horizon)


def _set_times(row: Occurrence, start: datetime, end: datetime) -> None:
    if (row.starts_at, row.ends_at) != (start, end):
        row.starts_at, row.ends_at = start, end
        row.revision += 1


def discard(rows: list[Occurrence]) -> None:
    """Remove dates a changed rule no longer makes.

    The one place rows are deleted: listeners (sign-ups) tell residents and remove their records first.
    """
    if rows:
        notify("occurrences.removed", list(rows))
    for row in rows:
        row.event.occurrences.remove(row)
        db.session.delete(row)


def materialise(event: Event, *, now: datetime | None = None, flush: bool = True) -> int:
    """Bring the event's rows up to date with its rule and the horizon; returns rows added.

    flush=False leaves the new rows pending, for an import that flushes once per batch.
    """
    now = now or utcnow()
    if not event.is_series:
        added = _materialise_one_off(event)
    else:
        added = _materialise_series(event, now)
    if flush:
        db.session.flush()
    return added


def _materialise_series(event: Event, now: datetime) -> int:
    horizon = max(horizon_for(now, event.starts_at), event.horizon_end or now)
    starts, complete = rule_starts(event.rrule, event.local_start, horizon)
    rows = {row.recurrence_id: row for row in event.occurrences}
    skipped = event.exdate_ids
    added = 0
    for local in starts:
        rid = recurrence_id(local)
        if rid in skipped:
            continue  # an EXDATE: left in `rows`, so an existing row for it is discarded below
        row = rows.pop(rid, None)
        start, end = occurrence_times(event, local)
        if row is None:
            event.occurrences.append(_new_row(rid, start, end))
            added += 1
        elif not row.moved:
            _set_times(row, start, end)
    discard(list(rows.values()))
    event.horizon_end = None if complete else horizon
    return added


def _new_row(rid: str, start: datetime, end: datetime) -> Occurrence:
    return Occurrence(recurrence_id=rid, starts_at=start, ends_at=end, status=SCHEDULED, revision=0, moved=False)


def _materialise_one_off(event: Event) -> int:
    row = event.occurrences[0] if event.occurrences else None
    if row is None:
        event.occurrences.append(_new_row(event.dtstart_local, event.starts_at, event.ends_at))
        return 1
    row.recurrence_id = event.dtstart_local
    _set_times(row, event.starts_at, event.ends_at)
    return 0


def extend_horizons(now: datetime | None = None, limit: int = 200) -> int:
    """Worker task: add the next dates of every live series whose horizon has fallen behind."""
    now = now or utcnow()
    due = horizon_for(now) - TOP_UP_SLACK
    ids = db.session.scalars(
        select(Event.id)
        .where(
            Event.rrule.is_not(None), Event.horizon_end.is_not(None), Event.horizon_end < due, Event.status != CANCELLED
        )
        .order_by(Event.horizon_end)
        .limit(limit)
    ).all()
    handled = 0
    for event_id in ids:
        # SKIP LOCKED lets several workers share the work on PostgreSQL (ignored on SQLite).
        event = db.session.scalar(select(Event).where(Event.id == event_id).with_for_update(skip_locked=True))
        if event is not None and event.horizon_end is not None and event.horizon_end < due:
            try:
                materialise(event, now=now)
            except RecurrenceError:  # a rule stored before today's limits: stop topping it up, keep the rest going
                db.session.rollback()
                current_app.logger.exception("event %s: its repeat rule cannot be expanded; not topped up", event_id)
                db.session.execute(update(Event).where(Event.id == event_id).values(horizon_end=None))
            handled += 1
        db.session.commit()
    return handled


# --- one date of a series -----------------------------------------------------------------


def _check_changeable(row: Occurrence, actor, now: datetime) -> None:
    event = row.event
    if actor is not None and not can_manage_team(actor, event.team):
        raise DomainError("You can only change your own teams' events")
    if not event.is_series:
        raise DomainError("This event happens once: change or cancel the event itself.")
    if event.status == CANCELLED:
        raise DomainError("This series is cancelled, so its dates cannot be changed.")
    if row.ends_at <= now:
        raise DomainError("This date has already happened, so it cannot be changed.")


def cancel_occurrence(row: Occurrence, *, actor, reason: str, now: datetime | None = None) -> Occurrence:
    """Cancel one date of a series; the others are untouched. It stays listed, marked, until it passes."""
    now = now or utcnow()
    _check_changeable(row, actor, now)
    if row.status == CANCELLED:
        raise Conflict("This date is already cancelled.")
    row.status, row.cancel_reason = CANCELLED, clean_reason(reason)
    row.revision += 1
    audit.record(
        "occurrence.cancel",
        actor=actor,
        target=row,
        summary=f"{row.event.title}, {format_datetime(row.starts_at)}",
        event_id=row.event_id,
        reason=row.cancel_reason,
    )
    notify("occurrences.changed", [row])
    return row


def move_occurrence(row: Occurrence, *, actor, when: When, venue=None, now: datetime | None = None) -> bool:
    """Move one date (time and/or venue; venue=None means the series' venue). False if nothing changed."""
    now = now or utcnow()
    _check_changeable(row, actor, now)
    if row.status == CANCELLED:
        raise DomainError("This date is cancelled. Change the series, or add a new event instead.")
    event = row.event
    check_schedule(when, now)
    when = resolve_when(when, event.event_type)
    check_venue_for_team(venue, event.team)
    if event.venue is None and venue is None and not event.online_url:
        raise DomainError("Choose a venue for this date", field="venue")
    start, end = local_to_utc(when.start), local_to_utc(when.end)
    if start <= now:
        raise DomainError("The new time must be in the future", field="date")
    venue_id = venue.id if venue is not None and venue.id != event.venue_id else None
    if (start, end, venue_id) == (row.starts_at, row.ends_at, row.venue_id):
        return False
    before = format_datetime(row.starts_at)
    row.starts_at, row.ends_at = start, end
    row.venue_id, row.venue_override = venue_id, (venue if venue_id else None)
    row.moved = (start, end) != occurrence_times(event, row.original_local_start)
    row.revision += 1
    audit.record(
        "occurrence.move",
        actor=actor,
        target=row,
        summary=f"{event.title}: {before} to {format_datetime(start)}",
        event_id=event.id,
        venue_id=venue_id,
    )
    notify("occurrences.changed", [row])
    return True


# --- this and all following ---------------------------------------------------------------


def pattern_from_rrule(rule: str, dtstart_local: datetime) -> RepeatPattern | None:
    """Read back a rule build_rrule made, to pre-fill the form; None for anything else."""
    parts = dict(item.partition("=")[::2] for item in rule.split(";"))
    freq, interval, byday = parts.get("FREQ"), parts.get("INTERVAL", "1"), parts.get("BYDAY", "")
    if freq == "WEEKLY":
        kind, position = {"1": "weekly", "2": "fortnightly"}.get(interval), None
    elif freq == "MONTHLY" and "BYMONTHDAY" in parts:
        kind, position = "monthly_by_date", None
    elif freq == "MONTHLY" and byday[:-2].lstrip("+-").isdigit():
        kind, position = "monthly_by_weekday", int(byday[:-2])
    else:
        return None
    if kind is None:
        return None
    try:
        if "COUNT" in parts:
            return RepeatPattern(kind, position, count=int(parts["COUNT"]))
        until = to_local(datetime.strptime(parts.get("UNTIL", ""), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC))
        last = until.date() if until.time() >= dtstart_local.time() else until.date() - timedelta(days=1)
        return RepeatPattern(kind, position, until=last)
    except (ValueError, RecurrenceError):
        return None


def _match(rows: list[Occurrence], starts: list[datetime]) -> tuple[list[tuple[Occurrence, datetime]], list, list]:
    """Pair existing rows with new dates: same day first, then in order. Returns (pairs, spare rows, new dates)."""
    by_day = {}
    for start in starts:
        by_day.setdefault(start.date(), start)
    pairs, spare_rows, used = [], [], set()
    for row in rows:
        start = by_day.get(row.original_local_start.date())
        if start is not None and start not in used:
            pairs.append((row, start))
            used.add(start)
        else:
            spare_rows.append(row)
    free = [s for s in starts if s not in used]
    pairs += list(zip(spare_rows, free, strict=False))
    return pairs, spare_rows[len(free) :], free[len(spare_rows) :]


def change_following(
    row: Occurrence,
    *,
    actor,
    when: When,
    pattern: RepeatPattern,
    venue=None,
    online_url: str = "",
    now: datetime | None = None,
) -> Event:
    """Give this date and every later one a new time, place or pattern. Returns the event that now holds them.

    From the first date the series is changed in place; otherwise it is split, and the
    later rows move to a new event with a new uid, keeping their ids.
    """
    now = now or utcnow()
    _check_changeable(row, actor, now)
    event = row.event
    check_schedule(when, now, pattern)
    when = resolve_when(when, event.event_type)
    online_url = clean_url(online_url)
    check_venue_for_team(venue, event.team)
    if venue is None and not online_url:
        raise DomainError("Choose a venue, or give a joining link for an online event", field="venue")
    start_utc = local_to_utc(when.start)
    if start_utc <= now:
        raise DomainError("The new first date must be in the future", field="date")
    earlier = [o for o in event.occurrences if o.recurrence_id < row.recurrence_id]
    if earlier and start_utc <= earlier[-1].starts_at:
        raise DomainError(
            f"The new first date must be after the previous date in the series "
            f"({format_datetime(earlier[-1].starts_at)})",
            field="date",
        )
    new_rule = build_rule(pattern, when.start)
    try:
        old_rule, _ = split_rrule(event.rrule, event.local_start, row.original_local_start)
    except RecurrenceError as exc:
        raise DomainError(str(exc)) from exc
    horizon = max(horizon_for(now, start_utc), event.horizon_end or now)
    starts, complete = rule_starts(new_rule, when.start, horizon)
    moving = [o for o in event.occurrences if o.recurrence_id >= row.recurrence_id]
    pairs, spare, fresh = _match(moving, starts)

    for o in moving:  # free the recurrence ids before reusing them (unique per event)
        o.recurrence_id = f"~{o.id}"
    db.session.flush()
    if old_rule is None:
        target = event
        event.revision += 1
    else:
        event.rrule, event.horizon_end = old_rule, None
        event.revision += 1
        target = Event(
            uid=new_uid(),
            status=event.status,
            published_at=event.published_at,
            revision=0,
            split_from_id=event.id,
            created_by_id=getattr(actor, "id", None),
        )
        for name in (
            "team",
            "event_type",
            "title",
            "description",
            "contact",
            "contact_email_public",
            "capacity",
            "signup_mode",
            "max_places_per_signup",
            "languages",  # languages spoken and the translated text go with the dates (events.languages)
            "translations",
        ):
            setattr(target, name, getattr(event, name))
        db.session.add(target)
    target.venue, target.online_url, target.rrule = venue, online_url, new_rule
    target.starts_at, target.ends_at, target.all_day = start_utc, local_to_utc(when.end), when.all_day
    target.dtstart_local = recurrence_id(when.start)
    target.horizon_end = None if complete else horizon

    for o, local in pairs:
        o.event = target
        o.recurrence_id = recurrence_id(local)
        if not o.moved:
            _set_times(o, *occurrence_times(target, local))
    discard(spare)
    for local in fresh:
        start, end = occurrence_times(target, local)
        target.occurrences.append(Occurrence(recurrence_id=recurrence_id(local), starts_at=start, ends_at=end))
    db.session.flush()
    audit.record(
        "event.change_following",
        actor=actor,
        target=target,
        summary=target.title,
        from_event=event.id,
        split=target is not event,
        rule=new_rule,
        kept=len(pairs),
        removed=len(spare),
        added=len(fresh),
    )
    notify("occurrences.changed", [o for o, _ in pairs])
    return target
