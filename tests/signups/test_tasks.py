"""Worker tasks and date changes: retention, series splits, removed dates, demo data."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select

from engagement.core.db import utcnow
from engagement.events import series
from engagement.events.details import When
from engagement.events.recurrence import RepeatPattern
from engagement.signups import links, tasks
from engagement.signups.models import CONFIRMED, EventsFeed, Signup
from engagement.signups.queries import counts_for
from tests.signups.conftest import at, attachments
from tests.support.outbox import outbox


def test_purge_blanks_details_after_retention_but_keeps_the_figures(app, client, db, make_date, book, officer):
    row = make_date(days=5)
    kept = book(row, email="kept@example.org", phone="0121 496 0001", access_needs="Wheelchair user")
    book(make_date(days=6), email="other@example.org")
    token = links.manage_token(kept)
    assert tasks.purge_expired(now=row.ends_at + timedelta(days=89)) == 0
    assert tasks.purge_expired(now=row.ends_at + timedelta(days=91)) == 1
    db.session.expire_all()
    purged = db.session.get(Signup, kept.id)
    assert (purged.name, purged.email, purged.phone, purged.access_needs) == ("", None, "", "")
    assert purged.status == CONFIRMED and counts_for([row.id])[row.id].booked == 1
    assert client.get(f"/bookings/{token}").status_code == 400
    assert db.session.scalars(select(EventsFeed.email)).all() == ["other@example.org"]


def test_a_split_series_cancels_the_old_calendar_entry_and_sends_the_new(app, db, make_event, book, officer):
    start = at(7)
    event = make_event(start, start + timedelta(hours=1), now=utcnow(), pattern=RepeatPattern("weekly", count=4),
                       capacity=5, signup_mode="required")  # fmt: skip
    row = event.occurrences[2]
    old_uid, old_rid = event.uid, row.recurrence_id
    book(row, email="split@example.org")
    new_start = row.original_local_start + timedelta(hours=1)
    target = series.change_following(
        row, actor=officer, when=When(new_start, new_start + timedelta(hours=1)),
        pattern=RepeatPattern("weekly", count=2), venue=event.venue,
    )  # fmt: skip
    db.session.commit()
    assert target.uid != old_uid
    message = outbox(db, "split@example.org")[-1]
    assert message["Subject"] == "Date changed: Police surgery"
    files = attachments(message)
    assert set(files) == {"previous-date.ics", "event.ics"}
    ctype, data = files["previous-date.ics"]
    old = next(iter(Calendar.from_ical(data).walk("VEVENT")))
    assert ctype == "text/calendar; method=CANCEL" and str(old["UID"]) == old_uid and old["STATUS"] == "CANCELLED"
    assert old.decoded("recurrence-id").strftime("%Y%m%dT%H%M%S") == old_rid
    ctype, data = files["event.ics"]
    new = next(iter(Calendar.from_ical(data).walk("VEVENT")))
    assert ctype == "text/calendar; method=PUBLISH" and str(new["UID"]) == target.uid
    assert new.decoded("dtstart") == db.session.get(type(row), row.id).starts_at


def test_moving_a_date_later_brings_an_unsent_reminder_with_it(app, db, make_event, book, officer):
    start = at(3)
    event = make_event(start, start + timedelta(hours=1), now=utcnow(), pattern=RepeatPattern("weekly", count=2),
                       capacity=5, signup_mode="required")  # fmt: skip
    row = event.occurrences[0]
    signup = book(row, email="later@example.org")
    local = row.original_local_start + timedelta(days=2)
    series.move_occurrence(row, actor=officer, when=When(local, local + timedelta(hours=1)))
    db.session.commit()
    # Not yet due at the old time; due 24 hours before the new one, once.
    assert tasks.send_reminders(now=row.starts_at - timedelta(hours=30)) == 0
    assert tasks.send_reminders(now=row.starts_at - timedelta(hours=23)) == 1
    assert tasks.send_reminders(now=row.starts_at - timedelta(hours=22)) == 0
    assert [m["Subject"] for m in outbox(db, "later@example.org")][-1].startswith("Reminder: Police surgery")
    assert db.session.get(Signup, signup.id).reminded_at is not None


def test_demo_sign_ups_are_idempotent_and_include_a_full_date(app, db, make_event):
    from engagement.demo.signups_data import load_signups_demo

    start = at(4, 10, 30)
    make_event(start, start + timedelta(hours=1), now=utcnow(), pattern=RepeatPattern("fortnightly", count=4),
               type_slug="cuppa-with-a-copper", title="Cuppa with a Copper", capacity=12, signup_mode="optional")  # fmt: skip
    meeting = at(12, 19)
    make_event(meeting, meeting + timedelta(minutes=90), now=utcnow(), type_slug="neighbourhood-watch-meeting",
               title="Neighbourhood Watch meeting", capacity=40)  # fmt: skip
    assert load_signups_demo() == {"signups": 13 + 6 + 2 + 10}
    db.session.commit()
    assert load_signups_demo() == {"signups": 0}
    counts = counts_for(db.session.scalars(select(Signup.occurrence_id).distinct()).all())
    figures = sorted((c.booked, c.waiting) for c in counts.values())
    assert figures == [(2, 0), (6, 0), (12, 3), (14, 0)]  # the first cuppa is full with a waiting list
    emails = db.session.scalars(select(Signup.email)).all()
    assert all(e.endswith("@example.org") for e in emails)
