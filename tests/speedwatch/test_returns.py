"""Session returns: who may send one, the checks on every vehicle, repeats, edits and the purge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from engagement.core.audit import AuditEntry
from engagement.core.errors import Conflict, DomainError, PermissionDenied
from engagement.extensions import db
from engagement.speedwatch.returns import services as returns
from engagement.speedwatch.returns.models import SessionReturn, Vehicle
from engagement.speedwatch.returns.tasks import purge_returns
from engagement.speedwatch.shifts.models import Shift
from tests.speedwatch.conftest import NOW
from tests.speedwatch.samples_returns import make_shift_date, sign_up

SHIFT_START = datetime(2027, 4, 3, 10, 0)  # Saturday, local (BST): 09:00 UTC, three days before NOW


def car(**overrides) -> dict:
    values = {
        "registration": "AB12 CDE",
        "make": "Ford Focus",
        "colour": "Silver",
        "speed": "38",
        "direction": "Towards Sutton town centre",
        "time": "10:15",
    }
    return values | overrides


def counts(db) -> tuple[int, int]:
    return db.session.scalar(select(func.count(SessionReturn.id))), db.session.scalar(select(func.count(Vehicle.id)))


@pytest.fixture
def shift_date(types, team, site):
    return make_shift_date(team, site, SHIFT_START)


@pytest.fixture
def on_shift(shift_date, team, make_volunteer):
    volunteer = make_volunteer(team, name="Pat Jones")
    sign_up(shift_date, volunteer)
    return volunteer


def checked_session(occurrence, **overrides) -> returns.Session:
    """The shift's device passed its check at 30 mph; 200 vehicles counted, 10 over the limit but under 35."""
    values = {
        "device_id": db.session.get(Shift, occurrence.event_id).device_id,
        "check_passed": "yes",
        "check_speed": "30",
        "vehicles_counted": "200",
        "over_limit_count": "10",
    }
    return returns.Session(**(values | overrides))


def record(occurrence, actor, vehicles=(), **kwargs):
    values = {"started": "10:00", "ended": "11:30", "conditions": "Dry, light traffic", "now": NOW} | kwargs
    values.setdefault("session", checked_session(occurrence))
    return returns.record_return(occurrence, actor=actor, vehicles=list(vehicles), **values)


def test_volunteer_on_the_shift_records_a_return(db, shift_date, on_shift, site):
    ret = record(shift_date, on_shift.user, [car(), car(registration="a123bcd", speed="45", time="11:02")])
    db.session.commit()
    assert ret.site_name == "Monument Road" and ret.speed_limit == 30 and ret.road == site.road
    assert ret.team_id == site.team_id and ret.recorded_by_id == on_shift.user.id
    assert ret.started_at.isoformat() == "2027-04-03T09:00:00+00:00"  # 10:00 BST
    assert ret.ended_at.isoformat() == "2027-04-03T10:30:00+00:00"
    assert [(v.registration, v.speed_mph, v.repeat) for v in ret.vehicles] == [
        ("AB12CDE", 38, False),
        ("A123BCD", 45, False),
    ]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "speedwatch.return.record"))
    assert entry.actor_id == on_shift.user.id and entry.details["vehicles"] == 2
    assert "AB12" not in entry.summary and "AB12" not in str(entry.details)  # no registrations in the log


def test_quiet_session_is_a_valid_return(db, shift_date, on_shift):
    ret = record(shift_date, on_shift.user, [])
    db.session.commit()
    assert ret.vehicles == [] and counts(db) == (1, 0)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "speedwatch.return.record"))
    assert entry.summary == "Monument Road, Saturday 3 April 2027: No vehicles over the limit"


def test_volunteer_not_on_the_shift_is_refused(db, shift_date, on_shift, team, make_volunteer):
    other = make_volunteer(team, name="Not There")
    with pytest.raises(PermissionDenied):
        record(shift_date, other.user, [car()])
    withdrawn = make_volunteer(team, name="Withdrew")
    sign_up(shift_date, withdrawn, status="withdrawn")
    with pytest.raises(PermissionDenied):
        record(shift_date, withdrawn.user, [car()])
    assert counts(db) == (0, 0)


def test_other_teams_officer_is_refused_and_own_officer_and_coordinator_may(
    db, shift_date, outsider, officer, coordinator
):
    with pytest.raises(PermissionDenied):
        record(shift_date, outsider, [car()])
    assert record(shift_date, officer, [car()]).recorded_by_id == officer.id
    db.session.rollback()
    assert record(shift_date, coordinator, [car()]).recorded_by_id == coordinator.id


@pytest.mark.parametrize("speed", ["28", "30"])
def test_speed_at_or_below_the_limit_is_refused_naming_the_row(db, shift_date, on_shift, speed):
    with pytest.raises(returns.ReturnInvalid) as caught:
        record(shift_date, on_shift.user, [car(), car(registration="BD51 SMR", speed=speed)])
    assert caught.value.errors == [
        (
            "vehicles-1-speed",
            f"Vehicle 2: {speed} mph is not over the 30 mph limit at this site: only record vehicles over the limit",
        )
    ]
    db.session.rollback()
    assert counts(db) == (0, 0)


def test_bad_registration_refused_and_nothing_saved(db, shift_date, on_shift):
    with pytest.raises(returns.ReturnInvalid) as caught:
        record(shift_date, on_shift.user, [car(), car(registration="AB12 CD3")])
    assert caught.value.errors == [
        (
            "vehicles-1-registration",
            "Vehicle 2: Enter the registration as it appears on the number plate, for example AB12 CDE",
        )
    ]
    db.session.rollback()
    assert counts(db) == (0, 0)


def test_every_problem_is_reported_at_once_and_blank_rows_are_skipped(db, shift_date, on_shift):
    blank = {k: "" for k in returns.VEHICLE_FIELDS}
    rows = [
        {"row": 1, **car()},
        {"row": 2, **blank},
        {"row": 3, **car(make="", speed="fast", time="12:30")},
        {"row": 4, **car(speed="151", colour="x" * 31, direction="")},
    ]
    with pytest.raises(returns.ReturnInvalid) as caught:
        record(shift_date, on_shift.user, rows)
    assert caught.value.errors == [
        ("vehicles-2-make", "Vehicle 3: enter the make, for example Ford"),
        ("vehicles-2-speed", "Vehicle 3: enter the speed as a whole number of miles per hour, for example 38"),
        ("vehicles-2-time", "Vehicle 3: the time must be between 10:00 and 11:30, when the session ran"),
        ("vehicles-3-colour", "Vehicle 4: the colour must be 30 characters or fewer"),
        ("vehicles-3-direction", "Vehicle 4: enter the direction of travel, for example towards the town centre"),
        ("vehicles-3-speed", "Vehicle 4: the speed must be 150 mph or less"),
    ]


def test_session_times_are_checked(db, shift_date, on_shift):
    with pytest.raises(returns.ReturnInvalid) as caught:
        record(shift_date, on_shift.user, [car()], started="11:00", ended="10:00")
    assert caught.value.errors == [("ended", "The session must end after it started")]
    with pytest.raises(returns.ReturnInvalid) as caught:
        record(shift_date, on_shift.user, [], started="", ended="25:00")
    assert [field for field, _ in caught.value.errors] == ["started", "ended"]


def test_one_return_per_date(db, shift_date, on_shift, team, make_volunteer):
    record(shift_date, on_shift.user, [car()])
    db.session.commit()
    second = make_volunteer(team, name="Second")
    sign_up(shift_date, second)
    with pytest.raises(Conflict, match="A return has already been sent for this shift"):
        record(shift_date, second.user, [car(registration="BD51 SMR")])


def test_not_before_the_shift_starts_and_not_for_a_cancelled_date(db, shift_date, on_shift):
    with pytest.raises(DomainError, match="once the shift has started"):
        record(shift_date, on_shift.user, [], now=shift_date.starts_at - timedelta(minutes=1))
    shift_date.status = "cancelled"
    db.session.commit()
    with pytest.raises(Conflict, match="cancelled"):
        record(shift_date, on_shift.user, [])
    assert counts(db) == (0, 0)


def _old_sighting(db, team_id, registration, seen_at):
    ret = SessionReturn(
        team_id=team_id,
        site_name="Elsewhere",
        speed_limit=20,
        started_at=seen_at,
        ended_at=seen_at + timedelta(hours=1),
    )
    ret.vehicles = [
        Vehicle(
            registration=registration, make="Vauxhall", colour="Red", speed_mph=31, direction="East", seen_at=seen_at
        )
    ]
    db.session.add(ret)
    db.session.commit()


def test_repeat_flag_within_the_repeat_window_any_team(db, shift_date, on_shift, other_team):
    seen = shift_date.starts_at + timedelta(minutes=15)
    _old_sighting(db, other_team.id, "AB12CDE", seen - timedelta(days=200))
    _old_sighting(db, other_team.id, "BD51SMR", seen - timedelta(days=400))
    ret = record(shift_date, on_shift.user, [car(), car(registration="bd51 smr", speed="44"), car(registration="K1")])
    db.session.commit()
    assert {v.registration: v.repeat for v in ret.vehicles} == {"AB12CDE": True, "BD51SMR": False, "K1": False}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "speedwatch.return.record"))
    assert entry.details["repeats"] == 1


def test_staff_edit_replaces_the_vehicles_and_is_audited(db, shift_date, on_shift, officer, outsider):
    ret = record(shift_date, on_shift.user, [car(), car(registration="K1")])
    db.session.commit()
    with pytest.raises(PermissionDenied):
        returns.edit_return(ret, actor=on_shift.user, started="10:00", ended="11:00", vehicles=[], now=NOW)
    with pytest.raises(PermissionDenied):
        returns.edit_return(ret, actor=outsider, started="10:00", ended="11:00", vehicles=[], now=NOW)
    returns.edit_return(
        ret,
        actor=officer,
        started="10:05",
        ended="11:00",
        conditions="Wet",
        vehicles=[car(speed="52")],
        session=checked_session(shift_date),
        now=NOW,
    )
    db.session.commit()
    db.session.expire_all()
    ret = db.session.get(SessionReturn, ret.id)
    assert [(v.registration, v.speed_mph) for v in ret.vehicles] == [("AB12CDE", 52)]
    assert ret.conditions == "Wet" and counts(db) == (1, 1)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "speedwatch.return.edit"))
    assert entry.actor_id == officer.id and entry.details["vehicles_before"] == 2 and entry.details["vehicles"] == 1


def test_purge_after_the_retention_period(db, team, app):
    now = datetime(2028, 6, 1, 12, 0, tzinfo=UTC)
    _old_sighting(db, team.id, "AB12CDE", now - timedelta(days=364, hours=1))  # ended 364 days ago: kept
    _old_sighting(db, team.id, "BD51SMR", now - timedelta(days=366, hours=1))  # ended 366 days ago: gone
    assert purge_returns(now=now) == 1
    assert db.session.scalars(select(Vehicle.registration)).all() == ["AB12CDE"]
    assert counts(db) == (1, 1)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "speedwatch.returns.purge"))
    assert entry.details["returns"] == 1 and entry.details["vehicles"] == 1
    assert "BD51" not in str(entry.details) + entry.summary
    assert purge_returns(now=now) == 0  # nothing more, and no second audit entry
    assert (
        db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "speedwatch.returns.purge")) == 1
    )
    app.config["SPEEDWATCH_RETENTION_DAYS"] = 300
    assert purge_returns(now=now) == 1 and counts(db) == (0, 0)


def test_purge_is_a_worker_task(app):
    from engagement.core.worker import TASKS

    assert TASKS["speedwatch-returns-purge"] is purge_returns
