"""Single dates of a series: cancel one, move one, and "change this and all following"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from engagement.core.audit import AuditEntry
from engagement.core.errors import DomainError
from engagement.events import series
from engagement.events.details import When
from engagement.events.models import Event, Occurrence
from engagement.events.recurrence import RepeatPattern, describe_rrule
from tests.events.conftest import NOW


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def weekly(make_event):
    """Every Tuesday 18:00-19:30 from 6 October 2026, 10 times."""
    return make_event(
        datetime(2026, 10, 6, 18, 0), datetime(2026, 10, 6, 19, 30), pattern=RepeatPattern("weekly", count=10)
    )


def snapshot(rows):
    return [(o.id, o.recurrence_id, o.starts_at, o.ends_at, o.status, o.revision, o.venue_id) for o in rows]


def test_cancelling_one_date_changes_only_that_row(app, db, weekly, officer):
    before = snapshot(weekly.occurrences)
    target = weekly.occurrences[3]
    series.cancel_occurrence(target, actor=officer, reason="Cancelled due to operational demands", now=NOW)
    db.session.commit()
    after = snapshot(weekly.occurrences)
    assert [a for a, b in zip(after, before, strict=True) if a != b] == [
        (target.id, "20261027T180000", utc(2026, 10, 27, 18, 0), utc(2026, 10, 27, 19, 30), "cancelled", 1, None)
    ]
    assert [o.is_cancelled for o in weekly.occurrences].count(True) == 1
    assert target.cancel_message == "Cancelled due to operational demands" and weekly.revision == 1
    assert weekly.status == "published"
    with pytest.raises(DomainError, match="already cancelled"):
        series.cancel_occurrence(target, actor=officer, reason="again", now=NOW)
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "occurrence.cancel"))
    assert entry.target_id == str(target.id) and entry.details["reason"] == "Cancelled due to operational demands"


def test_dates_in_the_past_and_one_offs_cannot_be_changed_one_by_one(app, db, weekly, make_event, officer, outsider):
    later = utc(2026, 10, 14, 12, 0)
    with pytest.raises(DomainError, match="already happened"):
        series.cancel_occurrence(weekly.occurrences[0], actor=officer, reason="x", now=later)
    one_off = make_event(datetime(2026, 10, 8, 10, 0))
    with pytest.raises(DomainError, match="happens once"):
        series.cancel_occurrence(one_off.occurrences[0], actor=officer, reason="x", now=NOW)
    with pytest.raises(DomainError, match="your own teams"):
        series.cancel_occurrence(weekly.occurrences[5], actor=outsider, reason="x", now=NOW)


def test_moving_one_date_keeps_the_rest(app, db, weekly, officer, other_venue):
    before = snapshot(weekly.occurrences)
    target = weekly.occurrences[2]  # Tuesday 20 October
    moved = series.move_occurrence(
        target,
        actor=officer,
        now=NOW,
        venue=other_venue,
        when=When(datetime(2026, 10, 21, 10, 0), datetime(2026, 10, 21, 11, 0)),
    )
    db.session.commit()
    assert moved is True
    assert (target.starts_at, target.ends_at, target.moved, target.revision) == (
        utc(2026, 10, 21, 9, 0),
        utc(2026, 10, 21, 10, 0),
        True,
        1,
    )
    assert target.recurrence_id == "20261020T180000" and target.venue.name == "St John's Church Hall"
    after = snapshot(weekly.occurrences)
    assert [row for i, row in enumerate(after) if i != 2] == [row for i, row in enumerate(before) if i != 2]
    assert weekly.revision == 1
    # Moving back to the rule's own time and venue clears the "moved" mark.
    series.move_occurrence(
        target,
        actor=officer,
        now=NOW,
        venue=None,
        when=When(datetime(2026, 10, 20, 18, 0), datetime(2026, 10, 20, 19, 30)),
    )
    assert (target.moved, target.venue_id, target.revision) == (False, None, 2)
    assert (
        series.move_occurrence(
            target,
            actor=officer,
            now=NOW,
            venue=None,
            when=When(datetime(2026, 10, 20, 18, 0), datetime(2026, 10, 20, 19, 30)),
        )
        is False
    )
    assert target.revision == 2


def test_a_moved_date_keeps_its_time_when_the_horizon_is_extended(app, db, make_event, officer):
    event = make_event(
        datetime(2026, 9, 8, 18, 0), datetime(2026, 9, 8, 19, 0), pattern=RepeatPattern("weekly", count=80)
    )
    target = event.occurrences[4]
    series.move_occurrence(
        target, actor=officer, now=NOW, when=When(datetime(2026, 10, 7, 18, 0), datetime(2026, 10, 7, 19, 0))
    )
    db.session.commit()
    assert series.extend_horizons(now=NOW + timedelta(days=60)) == 1
    db.session.expire_all()
    row = db.session.get(Occurrence, target.id)
    assert (row.starts_at, row.moved) == (utc(2026, 10, 7, 17, 0), True)


def test_moving_into_the_past_or_end_before_start_is_refused(app, weekly, officer):
    target = weekly.occurrences[2]
    with pytest.raises(DomainError) as caught:
        series.move_occurrence(target, actor=officer, now=NOW, when=When(datetime(2026, 8, 1, 10, 0)))
    assert caught.value.field == "date"
    with pytest.raises(DomainError) as caught:
        series.move_occurrence(
            target, actor=officer, now=NOW, when=When(datetime(2026, 10, 21, 10, 0), datetime(2026, 10, 21, 9, 0))
        )
    assert caught.value.field == "end_time"


def test_this_and_following_splits_the_series_keeping_ids(app, db, weekly, officer, venue, other_venue):
    before_ids = {o.id for o in weekly.occurrences}
    old_uid = weekly.uid
    split_row = weekly.occurrences[4]  # Tuesday 3 November 2026
    series.cancel_occurrence(weekly.occurrences[6], actor=officer, reason="Operational demands", now=NOW)
    new = series.change_following(
        split_row,
        actor=officer,
        now=NOW,
        venue=other_venue,
        when=When(datetime(2026, 11, 3, 19, 0), datetime(2026, 11, 3, 20, 0)),
        pattern=RepeatPattern("weekly", count=6),
    )
    db.session.commit()
    db.session.expire_all()
    old = db.session.get(Event, weekly.id)
    new = db.session.get(Event, new.id)
    assert new.id != old.id and new.uid != old_uid and old.uid == old_uid and new.split_from_id == old.id
    assert old.rrule == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261103T175959Z"
    assert new.rrule == "FREQ=WEEKLY;BYDAY=TU;COUNT=6"
    assert describe_rrule(new.rrule, new.local_start) == "Every week on Tuesday, 6 times"
    assert (new.status, new.published_at, new.title, new.venue_id) == (
        "published",
        old.published_at,
        old.title,
        other_venue.id,
    )
    old_ids, new_ids = {o.id for o in old.occurrences}, {o.id for o in new.occurrences}
    assert old_ids | new_ids == before_ids and not old_ids & new_ids
    assert [o.recurrence_id for o in old.occurrences] == [
        "20261006T180000",
        "20261013T180000",
        "20261020T180000",
        "20261027T180000",
    ]
    assert [(o.starts_at, o.ends_at) for o in old.occurrences][0] == (utc(2026, 10, 6, 17, 0), utc(2026, 10, 6, 18, 30))
    assert new.occurrences[0].id == split_row.id
    assert [(o.recurrence_id, o.starts_at, o.ends_at) for o in new.occurrences][:2] == [
        ("20261103T190000", utc(2026, 11, 3, 19, 0), utc(2026, 11, 3, 20, 0)),
        ("20261110T190000", utc(2026, 11, 10, 19, 0), utc(2026, 11, 10, 20, 0)),
    ]
    assert [o.status for o in new.occurrences] == [
        "scheduled",
        "scheduled",
        "cancelled",
        "scheduled",
        "scheduled",
        "scheduled",
    ]
    assert old.revision == 2 and new.revision == 0 and new.horizon_end is None and old.horizon_end is None


def test_this_and_following_from_the_first_date_changes_the_series_in_place(app, db, weekly, officer, venue):
    ids = [o.id for o in weekly.occurrences]
    target = series.change_following(
        weekly.occurrences[0],
        actor=officer,
        now=NOW,
        venue=venue,
        when=When(datetime(2026, 10, 7, 18, 0), datetime(2026, 10, 7, 19, 0)),
        pattern=RepeatPattern("weekly", count=10),
    )
    db.session.commit()
    assert target is weekly and db.session.scalar(db.select(db.func.count(Event.id))) == 1
    assert weekly.rrule == "FREQ=WEEKLY;BYDAY=WE;COUNT=10" and weekly.revision == 2
    assert [o.id for o in weekly.occurrences] == ids  # matched in order: Tuesdays become Wednesdays
    assert weekly.occurrences[0].recurrence_id == "20261007T180000"
    assert weekly.occurrences[9].starts_at == utc(2026, 12, 9, 18, 0)


def test_this_and_following_with_fewer_dates_removes_the_spare_rows(app, db, weekly, officer, venue):
    ids = [o.id for o in weekly.occurrences]
    new = series.change_following(
        weekly.occurrences[5],
        actor=officer,
        now=NOW,
        venue=venue,
        when=When(datetime(2026, 11, 10, 18, 0), datetime(2026, 11, 10, 19, 30)),
        pattern=RepeatPattern("fortnightly", until=date(2026, 12, 8)),
    )
    db.session.commit()
    assert [o.recurrence_id[:8] for o in new.occurrences] == ["20261110", "20261124", "20261208"]
    assert db.session.scalar(db.select(db.func.count(Occurrence.id))) == 5 + 3
    # Same-day dates keep their rows (and ids); 17 November and 1 December are no longer in the series.
    assert [o.id for o in new.occurrences] == [ids[5], ids[7], ids[9]]
    assert db.session.get(Occurrence, ids[6]) is None and db.session.get(Occurrence, ids[8]) is None


def test_this_and_following_refuses_a_start_before_the_previous_date(app, db, weekly, officer, venue):
    with pytest.raises(DomainError) as caught:
        series.change_following(
            weekly.occurrences[4],
            actor=officer,
            now=NOW,
            venue=venue,
            when=When(datetime(2026, 10, 27, 12, 0), datetime(2026, 10, 27, 13, 0)),
            pattern=RepeatPattern("weekly", count=3),
        )
    assert caught.value.field == "date" and "after the previous date" in caught.value.message


def test_pattern_round_trips_for_prefilling_forms(app):
    start = datetime(2026, 10, 6, 18, 0)
    assert series.pattern_from_rrule("FREQ=WEEKLY;BYDAY=TU;COUNT=10", start) == RepeatPattern("weekly", count=10)
    assert series.pattern_from_rrule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20270427T225959Z", start) == RepeatPattern(
        "fortnightly", until=date(2027, 4, 27)
    )
    assert series.pattern_from_rrule("FREQ=MONTHLY;BYDAY=-1TU;UNTIL=20261103T175959Z", start) == RepeatPattern(
        "monthly_by_weekday", -1, until=date(2026, 11, 2)
    )
    assert series.pattern_from_rrule("FREQ=DAILY;COUNT=3", start) is None


def test_the_worker_runs_the_horizon_task(app, db, make_event):
    from engagement.core.worker import TASKS, run_once

    assert TASKS["events-horizon"] is series.extend_horizons
    make_event(datetime(2026, 9, 1, 18, 0), pattern=RepeatPattern("weekly", count=3))
    assert run_once()["events-horizon"] == 0  # a short series is complete at once: nothing to top up
