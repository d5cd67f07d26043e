"""Telling residents when their date changes: listeners for the events feature's notifications.

Events announce changes through core.hooks (events never imports sign-ups):
* "occurrences.changed" (moved, cancelled, the event's time, place or capacity changed,
  "this and all following"): residents of a cancelled date get a cancellation with a
  METHOD:CANCEL file; of a moved date, the new time with an updated file (higher SEQUENCE);
  a larger capacity promotes from the waiting list.
* "occurrences.removed" (a changed rule no longer makes the date): residents get the
  cancellation email, then the date's sign-ups are deleted with it.
Each date's slot remembers what residents were last told (time, place, calendar identity),
so every listener compares with that and emails only real news, once.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, or_, select

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.timeutil import format_range
from engagement.extensions import db
from engagement.signups import emails, services
from engagement.signups.models import CANCELLED, REMINDER_DUE, REMINDER_SENT, WAITING, WEB, Signup, SignupSlot


def _slots(ids: list[int]) -> dict[int, SignupSlot]:
    if not ids:
        return {}
    return {s.occurrence_id: s for s in db.session.scalars(select(SignupSlot).where(SignupSlot.occurrence_id.in_(ids)))}


def _live(ids: list[int]) -> dict[int, list[Signup]]:
    """Live sign-ups with an email address or a mobile number, per date, in one query."""
    grouped = defaultdict(list)
    if ids:
        query = (
            select(Signup)
            .where(
                Signup.occurrence_id.in_(ids),
                Signup.status != CANCELLED,
                or_(Signup.email.is_not(None), Signup.mobile.is_not(None)),
            )
            .order_by(Signup.id)
        )
        for signup in db.session.scalars(query):
            grouped[signup.occurrence_id].append(signup)
    return grouped


def who_will_be_told(rows) -> str:
    """The sentence an officer reads before cancelling or moving these dates: who hears about it, and how.

    "The 4 people booked and 3 waiting will get an email." The one place this is worded (the events
    screens ask for it through core.hooks, "occurrences.who_will_be_told"); it counts exactly whom
    the listeners below write to: live sign-ups with an address, on dates still to come.
    """
    now = utcnow()
    live = _live([r.id for r in rows if r.id is not None and r.ends_at > now])
    booked, waiting, texts = set(), set(), 0
    for signups in live.values():
        for signup in signups:
            person = signup.email or signup.mobile
            (waiting if signup.status == WAITING else booked).add(person)
            texts += signup.by_text
    if not booked and not waiting:
        return "Nobody has signed up, so nobody needs to be told."
    groups = []
    if booked:
        groups.append(f"{len(booked)} {'person' if len(booked) == 1 else 'people'} booked")
    if waiting:
        groups.append(
            f"{len(waiting)} waiting"
            if booked
            else f"{len(waiting)} {'person' if len(waiting) == 1 else 'people'} waiting"
        )
    how = "an email, or a text where they chose text" if texts else "an email"
    return f"The {' and '.join(groups)} will get {how}."


def _cancel_file(row, slot: SignupSlot) -> bytes:
    from engagement.events.ical import build_single

    sequence = max(row.sequence, slot.calendar_sequence + 1)
    return build_single(row, "CANCEL", identity=(slot.calendar_uid, slot.calendar_rid, sequence))


def occurrences_changed(rows) -> None:
    now = utcnow()
    rows = [r for r in rows if r.id is not None and r.ends_at > now]
    slots = _slots([r.id for r in rows])
    if not slots:
        return
    live = _live(list(slots))
    for row in rows:
        if row.id not in slots:
            continue
        slot = services.lock_slot(row)
        if row.is_cancelled:
            if not slot.told_cancelled:
                ics = _cancel_file(row, slot)
                for signup in live[row.id]:
                    emails.occurrence_cancelled(signup, ics=ics, reason=row.cancel_message)
                services.remember_told(slot, row)
                slot.calendar_sequence = max(slot.calendar_sequence, row.sequence)
            continue
        new_time = (row.starts_at, row.ends_at) != (slot.told_starts_at, slot.told_ends_at)
        new_place = services.venue_id_of(row) != slot.told_venue_id
        if new_time or new_place:
            new_identity = (row.event.uid, services.calendar_rid(row)) != (slot.calendar_uid, slot.calendar_rid)
            cancel_old = _cancel_file(row, slot) if new_identity else None
            before = format_range(slot.told_starts_at, slot.told_ends_at)
            for signup in live[row.id]:
                if new_time and signup.source == WEB and signup.reminder != REMINDER_SENT:
                    signup.reminder = REMINDER_DUE  # a reminder not yet sent follows the new time
                    services.skip_reminder_if_late(signup, row, now)
                emails.moved(signup, before=before, cancel_old=cancel_old)
            services.remember_told(slot, row)
        services.promote_from_waitlist(row, now=now)


def occurrences_removed(rows) -> None:
    now = utcnow()
    ids = [r.id for r in rows if r.id is not None]
    slots = _slots(ids)
    if not slots:
        return
    live = _live(list(slots))
    for row in rows:
        slot = slots.get(row.id)
        if slot is None:
            continue
        if row.ends_at > now and not slot.told_cancelled:
            ics = _cancel_file(row, slot)
            for signup in live[row.id]:
                emails.occurrence_cancelled(signup, ics=ics, reason="This date has been taken out of the series.")
        audit.record(
            "signups.removed_with_date",
            target=row,
            summary=f"{row.event.title}: {len(live[row.id])} sign-up(s) removed with the date",
            event_id=row.event_id,
        )
    db.session.execute(
        delete(Signup).where(Signup.occurrence_id.in_(list(slots))), execution_options={"synchronize_session": "fetch"}
    )
    db.session.execute(
        delete(SignupSlot).where(SignupSlot.occurrence_id.in_(list(slots))),
        execution_options={"synchronize_session": "fetch"},
    )
