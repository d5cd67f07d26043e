"""Emails residents get, through the outbox and the worker to a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.policy import default

from icalendar import Calendar
from sqlalchemy import update

from engagement.core.db import utcnow
from engagement.core.worker import run_once
from engagement.events import series
from engagement.events.details import When
from engagement.events.ical import build_feed
from engagement.events.models import Event
from engagement.events.recurrence import RepeatPattern
from engagement.signups import services
from engagement.signups.models import REMINDER_SENT, Signup
from tests.signups.conftest import at


def received(smtp, to: str) -> list:
    return [message_from_bytes(content, policy=default) for _, rcpts, content in smtp.messages if to in rcpts]


def ics_parts(message) -> dict[str, tuple[str, Calendar]]:
    """filename -> (method parameter of the Content-Type, parsed calendar)."""
    found = {}
    for part in message.iter_attachments():
        assert part.get_content_type() == "text/calendar"
        found[part.get_filename()] = (part.get_param("method"), Calendar.from_ical(part.get_payload(decode=True)))
    return found


def the_event(cal: Calendar):
    (component,) = cal.walk("VEVENT")
    return component


def feed_event(row):
    """The same date's VEVENT in the public feed (the series' override, or the one-off)."""
    cal = Calendar.from_ical(build_feed([row.event], "Feed", utcnow()))
    rid = row.original_local_start
    for component in cal.walk("VEVENT"):
        if "RECURRENCE-ID" not in component or component.decoded("recurrence-id").replace(tzinfo=None) == rid:
            if "RRULE" not in component or not row.event.is_series:
                return component
    raise AssertionError("date not in the feed")


def weekly(make_event, count=3, **details):
    start = at(7)
    return make_event(start, start + timedelta(hours=1), now=utcnow(), pattern=RepeatPattern("weekly", count=count),
                      signup_mode="required", **details)  # fmt: skip


def test_confirmation_carries_a_calendar_file_matching_the_feed(app, db, smtp, surgery, book):
    book(surgery, email="ada@example.org", places=2)
    assert run_once()["mail"] == 1
    (message,) = received(smtp, "ada@example.org")
    assert message["Subject"] == "You're booked: Ladywood police surgery"
    text = message.get_body(("plain",)).get_content()
    assert "Your 2 places are confirmed." in text and "Where: Ladywood Community Library" in text
    assert "Getting in: step-free access, hearing loop" in text
    method, cal = ics_parts(message)["event.ics"]
    assert method == "PUBLISH" and cal["METHOD"] == "PUBLISH"
    mine, public = the_event(cal), feed_event(surgery)
    assert str(mine["UID"]) == str(public["UID"]) == surgery.event.uid
    assert int(mine["SEQUENCE"]) == int(public["SEQUENCE"]) == surgery.sequence
    assert mine.decoded("dtstart") == surgery.starts_at
    assert run_once()["mail"] == 0 and len(smtp.messages) == 1  # nothing sent twice


def test_waiting_then_promoted_by_email(app, db, smtp, make_date, book):
    row = make_date(capacity=1)
    first = book(row, email="first@example.org")
    book(row, email="second@example.org")
    services.cancel_signup(first)
    db.session.commit()
    run_once()
    waiting, promoted = received(smtp, "second@example.org")
    assert waiting["Subject"] == "You're on the waiting list: Police surgery"
    assert "you are number 1" in waiting.get_body(("plain",)).get_content()
    assert ics_parts(waiting) == {}
    assert promoted["Subject"] == "A place is yours: Police surgery"
    method, cal = ics_parts(promoted)["event.ics"]
    assert method == "PUBLISH" and str(the_event(cal)["UID"]) == row.event.uid
    (cancelled,) = [m for m in received(smtp, "first@example.org") if "cancelled" in m["Subject"]]
    assert cancelled["Subject"] == "Your place is cancelled: Police surgery"


def test_moved_date_sends_a_higher_sequence_to_booked_and_waiting(app, db, smtp, make_event, book, officer):
    event = weekly(make_event, capacity=1)
    row = event.occurrences[1]
    book(row, email="booked@example.org")
    book(row, email="waiting@example.org")
    run_once()
    before = int(the_event(ics_parts(received(smtp, "booked@example.org")[0])["event.ics"][1])["SEQUENCE"])
    local = row.original_local_start + timedelta(days=1, hours=1)
    assert series.move_occurrence(row, actor=officer, when=When(local, local + timedelta(hours=1)))
    db.session.commit()
    run_once()
    moved = received(smtp, "booked@example.org")[-1]
    assert moved["Subject"] == "Date changed: Police surgery"
    text = moved.get_body(("plain",)).get_content()
    assert "It was " + at(14).strftime("%A") in text
    method, cal = ics_parts(moved)["event.ics"]
    component = the_event(cal)
    assert method == "PUBLISH" and int(component["SEQUENCE"]) == before + 1 == row.sequence
    assert component.decoded("dtstart") == row.starts_at
    assert (
        str(component["UID"]) == event.uid
        and component.decoded("recurrence-id").replace(tzinfo=None) == row.original_local_start
    )
    waiting = received(smtp, "waiting@example.org")[-1]
    assert waiting["Subject"] == "Date changed: Police surgery" and ics_parts(waiting) == {}
    assert "You are still on the waiting list." in waiting.get_body(("plain",)).get_content()


def test_cancelled_date_and_cancelled_event_send_method_cancel(app, db, smtp, make_event, make_date, book, officer):
    event = weekly(make_event, capacity=1)
    row = event.occurrences[2]
    book(row, email="booked@example.org")
    book(row, email="waiting@example.org")
    sequence_sent = row.sequence
    series.cancel_occurrence(row, actor=officer, reason="Officers are needed at an incident")
    db.session.commit()
    one_off = make_date(days=20)
    book(one_off, email="oneoff@example.org")
    from engagement.events.services import cancel_event

    cancel_event(db.session.get(Event, one_off.event_id), actor=officer, reason="The hall is closed")
    db.session.commit()
    run_once()
    for address in ("booked@example.org", "waiting@example.org"):
        message = received(smtp, address)[-1]
        assert message["Subject"].startswith("Cancelled: Police surgery, ")
        assert "Officers are needed at an incident" in message.get_body(("plain",)).get_content()
        method, cal = ics_parts(message)["cancelled.ics"]
        component = the_event(cal)
        assert method == "CANCEL" and cal["METHOD"] == "CANCEL" and component["STATUS"] == "CANCELLED"
        assert str(component["UID"]) == event.uid and int(component["SEQUENCE"]) > sequence_sent
        assert component.decoded("recurrence-id").replace(tzinfo=None) == row.original_local_start
        assert str(component["ORGANIZER"]) == "mailto:no-reply@example.org"
    message = received(smtp, "oneoff@example.org")[-1]
    assert "The hall is closed" in message.get_body(("plain",)).get_content()
    method, cal = ics_parts(message)["cancelled.ics"]
    assert method == "CANCEL" and "RECURRENCE-ID" not in the_event(cal)


def test_exactly_one_reminder_never_for_cancelled(app, db, smtp, make_event, book, officer):
    event = weekly(make_event, capacity=5)
    keep, gone, off = event.occurrences
    kept = book(keep, email="kept@example.org")
    cancelled = book(keep, email="changed-mind@example.org")
    book(off, email="called-off@example.org")
    app.config["SIGNUP_REMINDER_HOURS"] = 24 * 30  # now every date of the series is inside the window
    db.session.execute(update(Signup).values(confirmed_at=utcnow() - timedelta(days=40)))  # booked long ago
    services.cancel_signup(cancelled)
    series.cancel_occurrence(off, actor=officer, reason="Bank holiday")
    db.session.commit()
    for _ in range(3):  # retries and later passes send nothing more
        run_once()
    reminders = [
        m
        for _, _, raw in smtp.messages
        if (m := message_from_bytes(raw, policy=default))["Subject"].startswith("Reminder:")
    ]
    assert [m["To"] for m in reminders] == ["kept@example.org"]
    assert reminders[0]["Subject"] == f"Reminder: Police surgery, {services_when(keep)}"
    db.session.expire_all()
    row = db.session.get(Signup, kept.id)
    assert row.reminder == REMINDER_SENT and row.reminded_at is not None
    assert gone is not None


def services_when(row) -> str:
    from engagement.signups.emails import when_text

    return when_text(row)


def test_booked_inside_the_window_gets_no_separate_reminder(app, db, smtp, surgery, book):
    app.config["SIGNUP_REMINDER_HOURS"] = 24 * 30
    book(surgery, email="late@example.org")
    run_once()
    subjects = [m["Subject"] for m in received(smtp, "late@example.org")]
    assert subjects == ["You're booked: Ladywood police surgery"]
