"""The quorum rule: checked once, inside the window only; short dates cancel and reach feeds and inboxes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from engagement.core.mail import OutboxMessage, send_due
from engagement.events.calendar_feeds import FEED_CACHE
from engagement.events.details import When
from engagement.events.recurrence import RepeatPattern
from engagement.events.series import cancel_occurrence, move_occurrence
from engagement.speedwatch.shifts import quorum
from engagement.speedwatch.shifts.models import ShiftStaffing
from engagement.speedwatch.shifts.services import sign_up_for_shift, withdraw_from_shift
from tests.conftest import email_text
from tests.speedwatch.conftest import NOW
from tests.speedwatch.samples_shifts import make_shift
from tests.support.outbox import outbox_rows

START = datetime(2027, 4, 8, 18, 0)  # local; 17:00 UTC


def team_feed(client, team) -> list:
    FEED_CACHE.clear()  # tests reuse team slugs and data versions after truncation: no stale bodies
    response = client.get(f"/teams/{team.slug}/calendar.ics")
    assert response.status_code == 200
    return [c for c in Calendar.from_ical(response.data).walk("VEVENT")]


@pytest.fixture
def short_shift(db, types, team, site, make_volunteer):
    """A one-off shift needing 3, with 2 volunteers."""
    shift = make_shift(team, site, START, now=NOW, min_team=3, max_team=6)
    row = shift.event.occurrences[0]
    people = [make_volunteer(team, name=f"Short {n}", email=f"short{n}@example.org") for n in range(2)]
    for volunteer in people:
        sign_up_for_shift(volunteer, row, now=NOW)
    db.session.commit()
    return shift, row, people


def test_short_date_is_untouched_at_25_hours_then_cancelled_once_at_23(db, client, team, short_shift, smtp):
    shift, row, people = short_shift
    starts = row.starts_at
    before = team_feed(client, team)
    assert [str(c["status"]) for c in before] == ["CONFIRMED"]
    sequence_before = int(before[0]["sequence"])

    assert quorum.check_quorum(now=starts - timedelta(hours=25)) == 0
    staffing = db.session.get(ShiftStaffing, row.id)
    assert staffing.quorum_checked_at is None and not row.is_cancelled

    assert quorum.check_quorum(now=starts - timedelta(hours=23)) == 1
    db.session.expire_all()
    staffing = db.session.get(ShiftStaffing, row.id)
    assert staffing.quorum_outcome == "cancelled" and row.is_cancelled
    assert shift.event.cancel_reason == "Not enough volunteers"
    assert quorum.check_quorum(now=starts - timedelta(hours=22)) == 0  # fires once

    after = team_feed(client, team)
    assert [str(c["status"]) for c in after] == ["CANCELLED"]
    assert int(after[0]["sequence"]) > sequence_before

    messages = outbox_rows(db, subject_part="not enough volunteers")
    assert sorted(m.to_addr for m in messages) == ["short0@example.org", "short1@example.org"]
    assert len(outbox_rows(db)) == 2  # exactly one email each, nothing else
    send_due()
    assert sorted(smtp.recipients()) == ["short0@example.org", "short1@example.org"]
    text = email_text(smtp.messages[0][2])
    assert "Thursday 8 April 2027" in text and "Monument Road" in text
    assert "Subject: Speed Watch shift cancelled: not enough volunteers" in smtp.messages[0][2].decode()


def test_one_date_of_a_series_is_cancelled_alone(db, client, types, team, site, make_volunteer):
    shift = make_shift(team, site, START, now=NOW, pattern=RepeatPattern("weekly", count=3), min_team=1)
    first, second = shift.event.occurrences[:2]
    sign_up_for_shift(make_volunteer(team, email="keen@example.org"), second, now=NOW)
    db.session.commit()
    assert quorum.check_quorum(now=first.starts_at - timedelta(hours=2)) == 1
    db.session.expire_all()
    assert first.is_cancelled and not second.is_cancelled and shift.event.status == "published"
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0  # nobody was on it
    overrides = [c for c in team_feed(client, team) if "RECURRENCE-ID" in c]
    assert [str(c["status"]) for c in overrides] == ["CANCELLED"]


def test_full_enough_date_goes_ahead_and_a_later_withdrawal_alerts_the_team_once(
    db, types, team, officer, site, make_volunteer
):
    shift = make_shift(team, site, START, now=NOW, min_team=2, max_team=4)
    row = shift.event.occurrences[0]
    people = [make_volunteer(team) for _ in range(3)]
    for volunteer in people:
        sign_up_for_shift(volunteer, row, now=NOW)
    db.session.commit()
    checked = row.starts_at - timedelta(hours=20)
    assert quorum.check_quorum(now=checked) == 1
    staffing = db.session.get(ShiftStaffing, row.id)
    assert staffing.quorum_outcome == "going_ahead"

    withdraw_from_shift(people[0], row, now=checked + timedelta(hours=1))  # 2 of 2: still fine
    db.session.commit()
    assert outbox_rows(db, subject_part="is now short") == []
    withdraw_from_shift(people[1], row, now=checked + timedelta(hours=2))  # 1 of 2: short
    db.session.commit()
    alerts = outbox_rows(db, subject_part="is now short")
    assert sorted(m.to_addr for m in alerts) == ["aisha@example.org", "sutton.npt@example.org"]
    assert alerts[0].subject == "Speed Watch shift on Thursday 8 April 2027 at Monument Road is now short: 1 of 2"
    db.session.expire_all()
    assert not row.is_cancelled

    again = make_volunteer(team)
    sign_up_for_shift(again, row, now=checked + timedelta(hours=3))
    withdraw_from_shift(again, row, now=checked + timedelta(hours=4))
    db.session.commit()
    assert len(outbox_rows(db, subject_part="is now short")) == 2  # alerted once only
    assert quorum.check_quorum(now=checked + timedelta(hours=5)) == 0


def test_started_dates_and_drafts_are_never_checked(db, types, team, site):
    shift = make_shift(team, site, START, now=NOW)
    draft = make_shift(team, site, START + timedelta(hours=1), now=NOW, publish=False)
    row = shift.event.occurrences[0]
    assert quorum.check_quorum(now=row.starts_at + timedelta(minutes=1)) == 0
    db.session.get(ShiftStaffing, row.id) is None or pytest.fail("a started date was checked")
    assert quorum.check_quorum(now=row.starts_at - timedelta(hours=2)) == 1  # only the published one
    db.session.expire_all()
    assert row.is_cancelled and not draft.event.occurrences[0].is_cancelled


def test_officer_cancellation_and_move_email_volunteers_once(db, types, team, officer, site, make_volunteer):
    shift = make_shift(team, site, START, now=NOW, pattern=RepeatPattern("weekly", count=2))
    first, second = shift.event.occurrences
    volunteer = make_volunteer(team, email="pat@example.org")
    sign_up_for_shift(volunteer, first, now=NOW)
    sign_up_for_shift(volunteer, second, now=NOW)
    db.session.commit()
    cancel_occurrence(first, actor=officer, reason="Officers needed elsewhere", now=NOW)
    db.session.commit()
    cancelled = outbox_rows(db, subject_part="cancelled")
    assert [m.to_addr for m in cancelled] == ["pat@example.org"]
    assert "Officers needed elsewhere" in email_text(cancelled[0].raw)
    later = START + timedelta(weeks=1, hours=1)
    move_occurrence(second, actor=officer, when=When(later, later + timedelta(hours=2)), now=NOW)
    db.session.commit()
    moved = outbox_rows(db, subject_part="changed")
    assert [m.to_addr for m in moved] == ["pat@example.org"]
    assert "7pm" in moved[0].subject
    assert quorum.check_quorum(now=first.starts_at - timedelta(hours=1)) == 0  # already cancelled
    assert len(outbox_rows(db)) == 2


def test_suspension_withdraws_from_coming_dates_and_alerts_if_short(db, types, team, site, make_volunteer):
    shift = make_shift(team, site, START, now=NOW, min_team=1)
    row = shift.event.occurrences[0]
    volunteer = make_volunteer(team)
    sign_up_for_shift(volunteer, row, now=NOW)
    db.session.commit()
    quorum.check_quorum(now=row.starts_at - timedelta(hours=3))
    from engagement.core.hooks import notify

    notify("speedwatch.volunteer_suspended", volunteer, row.starts_at - timedelta(hours=2))
    db.session.commit()
    assert db.session.get(ShiftStaffing, row.id).taken == 0
    assert len(outbox_rows(db, subject_part="is now short: 0 of 1")) == 1
