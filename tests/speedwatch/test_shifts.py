"""Scheduling shifts and the sign-up rules, called as services with a fixed clock."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from engagement.core.errors import DomainError, NotFound
from engagement.events.models import Event, Occurrence
from engagement.events.recurrence import RepeatPattern
from engagement.speedwatch.shifts.models import SIGNED_UP, WITHDRAWN, Shift, ShiftSignup, ShiftStaffing
from engagement.speedwatch.shifts.queries import Staffing, staffing_for
from engagement.speedwatch.shifts.services import schedule_shift, sign_up_for_shift, withdraw_from_shift
from tests.speedwatch.conftest import NOW
from tests.speedwatch.samples_devices import team_device
from tests.speedwatch.samples_shifts import make_shift

# Thursday 8 April 2027, 07:30 local (BST): two days after NOW.
START = datetime(2027, 4, 8, 7, 30)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def date_of(shift, n=0) -> Occurrence:
    return shift.event.occurrences[n]


# --- scheduling ------------------------------------------------------------------------------


def test_one_off_shift_is_a_published_speed_watch_event_at_the_site(db, types, team, officer, site):
    shift = schedule_shift(
        actor=officer,
        team=team,
        site=site,
        device=team_device(team),
        day=START.date(),
        start=time(7, 30),
        end=time(9, 0),
        now=NOW,
    )
    db.session.commit()
    event = shift.event
    assert event.event_type.slug == "community-speed-watch"
    assert event.signup_mode == "volunteers" and event.status == "published"
    assert event.venue_id == site.venue_id and event.title == "Speed Watch: Monument Road"
    assert (shift.min_team, shift.max_team) == (3, 6)
    assert len(event.occurrences) == 1
    assert event.occurrences[0].starts_at == datetime(2027, 4, 8, 6, 30, tzinfo=event.starts_at.tzinfo)


def test_weekly_series_materialises_every_date(db, types, team, officer, site):
    shift = schedule_shift(
        actor=officer,
        team=team,
        site=site,
        device=team_device(team),
        day=START.date(),
        start=time(7, 30),
        end=time(9, 0),
        pattern=RepeatPattern("weekly", count=5),
        min_team=2,
        max_team=4,
        publish=False,
        now=NOW,
    )
    db.session.commit()
    assert shift.event.status == "draft"
    assert [o.starts_at.date() for o in shift.event.occurrences] == [
        date(2027, 4, 8) + timedelta(weeks=n) for n in range(5)
    ]


def test_series_past_the_assessment_expiry_is_refused_and_nothing_saved(db, types, team, officer, make_site):
    site = make_site(team, name="Short Lane", assessed_on=date(2027, 1, 1), expires=date(2027, 4, 20))
    with pytest.raises(DomainError) as caught:
        schedule_shift(
            actor=officer,
            team=team,
            site=site,
            day=START.date(),
            start=time(7, 30),
            end=time(9, 0),
            pattern=RepeatPattern("weekly", count=4),  # 8, 15, 22, 29 April: the 22nd is past expiry
            now=NOW,
        )
    db.session.rollback()
    assert "Thursday 22 April 2027" in caught.value.message and caught.value.field == "date"
    assert count(db, Event) == 0 and count(db, Shift) == 0 and count(db, Occurrence) == 0


def test_min_above_max_and_silly_sizes_are_refused(db, types, team, officer, site):
    for low, high, field in ((4, 3, "max_team"), (0, 3, "min_team"), (3, 21, "max_team")):
        with pytest.raises(DomainError) as caught:
            schedule_shift(
                actor=officer,
                team=team,
                site=site,
                day=START.date(),
                start=time(7, 30),
                end=time(9, 0),
                min_team=low,
                max_team=high,
                now=NOW,
            )
        assert caught.value.field == field
    db.session.rollback()
    assert count(db, Event) == 0


def test_another_teams_site_is_refused(db, types, team, other_team, officer, make_site):
    theirs = make_site(other_team, name="Foleshill Road")
    with pytest.raises(DomainError) as caught:
        schedule_shift(actor=officer, team=team, site=theirs, day=START.date(), start=time(7), end=time(8), now=NOW)
    assert caught.value.field == "site"
    with pytest.raises(DomainError) as caught:  # and an officer cannot schedule for another team at all
        schedule_shift(actor=officer, team=other_team, site=theirs, day=START.date(), start=time(7), end=time(8))
    assert caught.value.field == "team"


def test_end_before_start_and_past_dates_are_refused(db, types, team, officer, site):
    with pytest.raises(DomainError) as caught:
        schedule_shift(actor=officer, team=team, site=site, day=START.date(), start=time(9), end=time(8), now=NOW)
    assert caught.value.field == "end_time"
    with pytest.raises(DomainError) as caught:
        schedule_shift(actor=officer, team=team, site=site, day=date(2027, 4, 5), start=time(9), end=time(10), now=NOW)
    assert caught.value.field == "date"


# --- signing up ------------------------------------------------------------------------------


@pytest.fixture
def shift(db, types, team, site):
    return make_shift(team, site, START, now=NOW, min_team=2, max_team=3)


def test_sign_up_takes_a_place_with_a_role(db, shift, team, make_volunteer):
    volunteer = make_volunteer(team)
    row = date_of(shift)
    signup = sign_up_for_shift(volunteer, row, role="recorder", now=NOW)
    db.session.commit()
    assert signup.status == SIGNED_UP and signup.role_label == "Recorder"
    assert db.session.get(ShiftStaffing, row.id).taken == 1


def test_unknown_role_is_refused(db, shift, team, make_volunteer):
    with pytest.raises(DomainError) as caught:
        sign_up_for_shift(make_volunteer(team), date_of(shift), role="driver", now=NOW)
    assert caught.value.field == "role"


def test_not_approved_volunteers_are_refused(db, shift, team, make_volunteer):
    for status in ("applied", "suspended", "declined"):
        volunteer = make_volunteer(team, status=status)
        with pytest.raises(DomainError):
            sign_up_for_shift(volunteer, date_of(shift), now=NOW)
    db.session.rollback()
    assert count(db, ShiftSignup) == 0


def test_training_expiring_before_the_shift_date_is_refused(db, shift, team, make_volunteer):
    volunteer = make_volunteer(team, training_expires=date(2027, 4, 7))  # the day before the shift
    with pytest.raises(DomainError) as caught:
        sign_up_for_shift(volunteer, date_of(shift), now=NOW)
    assert "training expired" in caught.value.message
    ok = make_volunteer(team, training_expires=date(2027, 4, 8))  # still valid on the day itself
    sign_up_for_shift(ok, date_of(shift), now=NOW)


def test_site_assessment_lapsed_since_scheduling_is_refused(db, shift, team, site, make_volunteer):
    site.assessment_expires = date(2027, 4, 7)
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        sign_up_for_shift(make_volunteer(team), date_of(shift), now=NOW)
    assert "risk assessment" in caught.value.message


def test_full_shift_refuses_the_next_volunteer(db, shift, team, make_volunteer):
    row = date_of(shift)
    for _ in range(3):
        sign_up_for_shift(make_volunteer(team), row, now=NOW)
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        sign_up_for_shift(make_volunteer(team), row, now=NOW)
    assert "full" in caught.value.message
    db.session.rollback()
    assert db.session.get(ShiftStaffing, row.id).taken == 3
    assert count(db, ShiftSignup) == 3


def test_signing_up_twice_is_refused(db, shift, team, make_volunteer):
    volunteer = make_volunteer(team)
    sign_up_for_shift(volunteer, date_of(shift), now=NOW)
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        sign_up_for_shift(volunteer, date_of(shift), now=NOW)
    assert "already signed up" in caught.value.message
    db.session.rollback()
    assert db.session.get(ShiftStaffing, date_of(shift).id).taken == 1


def test_started_and_cancelled_dates_are_refused(db, shift, team, make_volunteer):
    volunteer = make_volunteer(team)
    row = date_of(shift)
    with pytest.raises(DomainError) as caught:
        sign_up_for_shift(volunteer, row, now=row.starts_at)
    assert "already started" in caught.value.message
    from engagement.events.services import cancel_event

    cancel_event(shift.event, actor=None, reason="Road closed", now=NOW)
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        sign_up_for_shift(volunteer, row, now=NOW)
    assert "cancelled" in caught.value.message


def test_another_teams_shift_is_not_found(db, shift, other_team, make_volunteer):
    with pytest.raises(NotFound):
        sign_up_for_shift(make_volunteer(other_team), date_of(shift), now=NOW)


def test_draft_shift_is_not_found_for_volunteers(db, types, team, site, make_volunteer):
    draft = make_shift(team, site, START, now=NOW, publish=False)
    with pytest.raises(NotFound):
        sign_up_for_shift(make_volunteer(team), date_of(draft), now=NOW)


def test_withdraw_frees_the_place_and_can_sign_up_again(db, shift, team, make_volunteer):
    volunteer = make_volunteer(team)
    row = date_of(shift)
    sign_up_for_shift(volunteer, row, now=NOW)
    db.session.commit()
    signup = withdraw_from_shift(volunteer, row, now=NOW)
    db.session.commit()
    assert signup.status == WITHDRAWN and signup.withdrawn_at == NOW
    assert db.session.get(ShiftStaffing, row.id).taken == 0
    with pytest.raises(DomainError):
        withdraw_from_shift(volunteer, row, now=NOW)
    sign_up_for_shift(volunteer, row, role="safety_lookout", now=NOW)  # the partial unique index allows it
    db.session.commit()
    assert db.session.get(ShiftStaffing, row.id).taken == 1


# --- staffing --------------------------------------------------------------------------------


def test_staffing_labels():
    assert Staffing(taken=1, min_team=3, max_team=6).label == "needs 2 more volunteers"
    assert Staffing(taken=2, min_team=3, max_team=6).label == "needs 1 more volunteer"
    assert Staffing(taken=3, min_team=3, max_team=6).label == "going ahead"
    assert Staffing(taken=6, min_team=3, max_team=6).label == "full"
    auto = Staffing(taken=1, min_team=3, max_team=6, cancelled=True, quorum_outcome="cancelled")
    assert auto.label == "cancelled: not enough volunteers"
    assert Staffing(taken=2, min_team=3, max_team=6).counts == "2 of min 3 (max 6)"


def test_staffing_for_reads_many_dates_in_one_query(db, types, team, site, make_volunteer, app):
    from sqlalchemy import event as sa_event

    series = make_shift(team, site, START, now=NOW, pattern=RepeatPattern("weekly", count=6), min_team=2)
    rows = series.event.occurrences
    sign_up_for_shift(make_volunteer(team), rows[0], now=NOW)
    sign_up_for_shift(make_volunteer(team), rows[0], now=NOW)
    sign_up_for_shift(make_volunteer(team), rows[1], now=NOW)
    db.session.commit()
    ids = [r.id for r in rows]
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa_event.listen(db.engine, "before_cursor_execute", listener)
    try:
        result = staffing_for(ids)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 1
    assert result[ids[0]].label == "going ahead"
    assert result[ids[1]].label == "needs 1 more volunteer"
    assert result[ids[5]].taken == 0 and len(result) == 6


def test_simultaneous_sign_ups_never_exceed_the_maximum(app, db, types, team, site, make_volunteer):
    """Eight volunteers tap "Join" at the same moment for three places (PostgreSQL: real concurrency)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the concurrency test needs PostgreSQL (SQLite has one writer at a time)")
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from engagement.speedwatch.volunteers.models import Volunteer

    row_id = make_shift(team, site, START, now=NOW, min_team=2, max_team=3).event.occurrences[0].id
    ids = [make_volunteer(team).id for _ in range(8)]
    barrier = threading.Barrier(len(ids))

    def tap(volunteer_id: int) -> str:
        with app.app_context():
            volunteer = db.session.get(Volunteer, volunteer_id)
            row = db.session.get(Occurrence, row_id)
            barrier.wait()
            try:
                sign_up_for_shift(volunteer, row, now=NOW)
                db.session.commit()
                return "in"
            except DomainError:
                db.session.rollback()
                return "full"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(ids)) as pool:
        results = list(pool.map(tap, ids))
    db.session.expire_all()
    assert results.count("in") == 3 and results.count("full") == 5
    assert db.session.get(ShiftStaffing, row_id).taken == 3
    live = select(func.count()).select_from(ShiftSignup).where(ShiftSignup.status == SIGNED_UP)
    assert db.session.scalar(live) == 3
