"""The letter ladder: first letter, second within the window, first again outside it, third sighting and
high speed referred to the team; one sighting per session; who may see a vehicle's history."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from engagement.extensions import db as _db
from engagement.speedwatch.letters.models import (
    DUE,
    FIRST_LETTER,
    HIGH_SPEED,
    REFERRED,
    SECOND_LETTER,
    SUPERSEDED,
    LadderVehicle,
    Letter,
    Referral,
)
from engagement.speedwatch.returns import services as returns
from engagement.speedwatch.shifts.models import Shift
from tests.conftest import login
from tests.speedwatch.conftest import PASSWORD
from tests.speedwatch.samples_returns import make_shift_date
from tests.support.outbox import outbox_rows


def car(registration="AB12 CDE", speed=41, at="10:15", **extra) -> dict:
    values = {"registration": registration, "make": "Ford Fiesta", "colour": "Silver", "speed": str(speed)}
    return values | {"direction": "Towards the city", "time": at} | extra


def session_return(team, site, officer, day: date, *vehicles):
    """A return recorded through the service for a one-off shift on `day` at 10:00."""
    row = make_shift_date(team, site, datetime.combine(day, time(10, 0)))
    device_id = _db.session.get(Shift, row.event_id).device_id
    ret = returns.record_return(
        row,
        actor=officer,
        started="10:00",
        ended="11:00",
        vehicles=list(vehicles),
        session=returns.Session(device_id, "yes", "30", "300", "20"),
        now=datetime.combine(day, time(12, 0), tzinfo=UTC),
    )
    _db.session.commit()
    return ret


def ladder(db, registration="AB12CDE") -> LadderVehicle:
    db.session.expire_all()
    return db.session.scalar(select(LadderVehicle).where(LadderVehicle.registration == registration))


def test_the_ladder_from_first_letter_to_referral_and_back(db, types, team, site, officer):
    session_return(team, site, officer, date(2027, 1, 10), car())
    entry = ladder(db)
    assert entry.step == FIRST_LETTER and [s.step for s in entry.history] == [FIRST_LETTER]
    first = db.session.scalar(select(Letter))
    assert (first.step, first.status, first.speed_mph, first.site_name) == (FIRST_LETTER, DUE, 41, "Monument Road")

    session_return(team, site, officer, date(2027, 3, 1), car(speed=39))  # within SPEEDWATCH_REPEAT_DAYS
    entry = ladder(db)
    assert entry.step == SECOND_LETTER and entry.step_at.date() == date(2027, 3, 1)
    statuses = dict(db.session.execute(select(Letter.step, Letter.status)).all())
    assert statuses == {FIRST_LETTER: SUPERSEDED, SECOND_LETTER: DUE}  # the keeper gets one letter

    assert outbox_rows(db, officer.email, "referred") == []
    session_return(team, site, officer, date(2027, 5, 1), car(speed=38))  # third sighting
    entry = ladder(db)
    assert entry.step == REFERRED
    referral = db.session.scalar(select(Referral))
    assert referral.reason == REFERRED and referral.team_id == team.id and referral.status == "open"
    mails = outbox_rows(db, officer.email, "referred for a police visit")
    assert len(mails) == 1 and b"AB12" not in mails[0].raw  # a link to the history, not the registration

    session_return(team, site, officer, date(2028, 6, 1), car(speed=37))  # 397 days later: starts again
    entry = ladder(db)
    assert entry.step == FIRST_LETTER
    assert [s.step for s in entry.history] == [FIRST_LETTER, SECOND_LETTER, REFERRED, FIRST_LETTER]


def test_high_speed_goes_straight_to_the_team(db, types, team, site, officer, app):
    session_return(team, site, officer, date(2027, 2, 1), car("BD51 SMR", speed=50))  # 30 limit + 20
    assert ladder(db, "BD51SMR").step == HIGH_SPEED
    assert db.session.scalar(select(Letter.id)) is None
    assert db.session.scalar(select(Referral.reason)) == HIGH_SPEED
    app.config["SPEEDWATCH_HIGH_SPEED_MARGIN"] = 30
    session_return(team, site, officer, date(2027, 2, 8), car("K1", speed=50))
    assert ladder(db, "K1").step == FIRST_LETTER  # the margin is configurable


def test_one_session_is_one_sighting_and_a_window_shorter_than_the_gap_restarts(db, types, team, site, officer, app):
    session_return(team, site, officer, date(2027, 1, 10), car(at="10:05"), car(speed=44, at="10:40"))
    entry = ladder(db)
    assert len(entry.history) == 1 and entry.history[0].speed_mph == 44
    app.config["SPEEDWATCH_REPEAT_DAYS"] = 30
    session_return(team, site, officer, date(2027, 3, 1), car())
    assert ladder(db).step == FIRST_LETTER


def test_a_corrected_return_files_only_new_registrations(db, types, team, site, officer):
    ret = session_return(team, site, officer, date(2027, 1, 10), car())
    device_id = ret.device_id
    returns.edit_return(
        ret,
        actor=officer,
        started="10:00",
        ended="11:00",
        vehicles=[car(), car("BD51 SMR")],
        session=returns.Session(device_id, "yes", "30", "300", "20"),
        now=datetime(2027, 1, 10, 13, 0, tzinfo=UTC),
    )
    db.session.commit()
    assert len(ladder(db).history) == 1 and ladder(db, "BD51SMR").step == FIRST_LETTER


@pytest.fixture
def history(db, types, team, site, officer):
    session_return(team, site, officer, date(2027, 1, 10), car())
    return ladder(db)


def test_history_is_for_the_team_and_coordinators_only(
    app, db, client, history, officer, outsider, coordinator, login_as, make_volunteer, team
):
    url = f"/staff/speed-watch/vehicles/{history.id}"
    login_as(officer)
    page = client.get(url).get_data(as_text=True)
    assert "AB12 CDE" in page and "First advisory letter" in page and "Monument Road" in page
    for user, status in ((outsider, 403), (coordinator, 200)):
        other = app.test_client()
        login(other, user)
        assert other.get(url).status_code == status
    person = app.test_client()
    login(person, make_volunteer(team).user, PASSWORD)
    for path in (
        url,
        "/staff/speed-watch/letters",
        "/staff/speed-watch/letters/keepers",
        "/staff/speed-watch/referrals",
    ):
        assert person.get(path).status_code == 403, path
