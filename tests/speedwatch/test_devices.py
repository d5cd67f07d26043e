"""Speed devices: the register, calibration at assignment, overlapping bookings, flagged dates and
the team's warning, and the set-up check every return needs."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from engagement.core.errors import DomainError
from engagement.events.recurrence import RepeatPattern
from engagement.speedwatch.devices import services as devices
from engagement.speedwatch.devices.queries import flagged_dates
from engagement.speedwatch.expiry import warn_expiring
from engagement.speedwatch.returns import services as returns
from engagement.speedwatch.shifts.models import Shift
from engagement.speedwatch.shifts.services import schedule_shift
from tests.speedwatch.conftest import NOW, TODAY
from tests.speedwatch.samples_devices import make_device
from tests.speedwatch.samples_returns import make_shift_date
from tests.support.outbox import outbox_rows

START = datetime(2027, 4, 8, 7, 30)  # Thursday after NOW


def schedule(team, site, device, *, day=START.date(), start=time(7, 30), end=time(9, 0), **kwargs):
    return schedule_shift(
        actor=None, team=team, site=site, device=device, day=day, start=start, end=end, now=NOW, **kwargs
    )


def test_register_and_calibrate_a_device(db, team, officer, outsider):
    device = devices.register_device(
        actor=officer,
        team=team,
        make="Kustom Signals",
        model="Falcon HR",
        serial="fal 1234",
        holder="Brian Cartwright",
        calibrated_on=date(2027, 3, 1),
        certificate="CAL-77",
        today=TODAY,
    )
    db.session.commit()
    assert device.serial == "FAL 1234" and device.calibration_expires == date(2028, 3, 1)
    assert [c.certificate for c in device.calibrations] == ["CAL-77"]
    with pytest.raises(DomainError, match="already has a device with serial number"):
        devices.register_device(
            actor=officer,
            team=team,
            make="K",
            model="F",
            serial="FAL 1234",
            calibrated_on=date(2027, 3, 1),
            today=TODAY,
        )
    db.session.rollback()
    with pytest.raises(DomainError, match="your own teams"):
        devices.register_device(
            actor=outsider, team=team, make="K", model="F", serial="X1", calibrated_on=date(2027, 3, 1), today=TODAY
        )
    db.session.rollback()
    device.calibration_warned_for = device.calibration_expires
    devices.record_calibration(device, actor=officer, calibrated_on=date(2027, 4, 1), today=TODAY)
    db.session.commit()
    assert device.calibration_expires == date(2028, 4, 1) and device.calibration_warned_for is None
    assert len(device.calibrations) == 2


def test_expired_calibration_cannot_be_assigned(db, types, team, site):
    expired = make_device(team, expires=TODAY - timedelta(days=1))
    with pytest.raises(DomainError, match="expired on 5 April 2027") as caught:
        schedule(team, site, expired)
    assert caught.value.field == "device"
    runs_out = make_device(team, expires=START.date() - timedelta(days=1))
    with pytest.raises(DomainError, match="before the shift's first date"):
        schedule(team, site, runs_out)
    with pytest.raises(DomainError, match="Choose the speed device"):
        schedule(team, site, None)
    db.session.rollback()
    assert db.session.scalar(select(Shift.event_id)) is None


def test_a_device_cannot_be_on_two_overlapping_shifts(db, types, team, site, make_site):
    device = make_device(team, expires=date(2028, 1, 1))
    schedule(team, site, device)
    db.session.commit()
    other = make_site(team, name="Chester Road")
    with pytest.raises(DomainError, match="already booked for Speed Watch: Monument Road") as caught:
        schedule(team, other, device, start=time(8, 30), end=time(10, 0))
    assert caught.value.field == "device"
    db.session.rollback()
    # A weekly series whose first date overlaps the one-off: refused before anything is written.
    with pytest.raises(DomainError, match="already booked"):
        schedule(team, other, device, start=time(8, 0), end=time(8, 45), pattern=RepeatPattern("weekly", count=3))
    db.session.rollback()
    later = schedule(team, other, device, start=time(9, 0), end=time(10, 0))  # back to back is fine
    db.session.commit()
    assert later.device_id == device.id


def test_dates_after_the_calibration_are_flagged_and_the_team_warned_once(db, types, team, site, officer):
    device = make_device(team, expires=date(2027, 4, 20), holder="Ladywood police station")
    shift = schedule(team, site, device, pattern=RepeatPattern("weekly", count=4))  # 8, 15, 22, 29 April
    db.session.commit()
    dates = shift.event.occurrences
    assert flagged_dates([o.id for o in dates]) == {dates[2].id, dates[3].id}
    assert warn_expiring(now=NOW) >= 1
    mails = outbox_rows(db, officer.email, "Speed device calibration expires soon")
    assert len(mails) == 1
    text = mails[0].raw.decode()
    assert "Thursday 22 April 2027" in text and "Thursday 15 April 2027" not in text
    assert "Ladywood police station" in text
    warn_expiring(now=NOW + timedelta(hours=1))
    assert len(outbox_rows(db, officer.email, "Speed device calibration")) == 1  # once per expiry
    renewed = make_device(team, expires=date(2028, 4, 1))
    devices.assign_device(shift, renewed, actor=officer, now=NOW)
    db.session.commit()
    assert flagged_dates([o.id for o in dates]) == set()


def test_the_rota_and_staff_page_show_the_device_and_who_collects_it(
    db, client, types, team, officer, login_as, make_site, make_volunteer
):
    from engagement.speedwatch.shifts.services import sign_up_for_shift
    from tests.conftest import login
    from tests.speedwatch.conftest import PASSWORD

    near = make_site(team, assessed_on=date.today() - timedelta(days=3), expires=date.today() + timedelta(days=90))
    device = make_device(team, holder="Sutton police station front desk")
    start = datetime.combine(date.today() + timedelta(days=5), time(8, 0))
    shift = schedule_shift(
        actor=None, team=team, site=near, device=device, day=start.date(), start=start.time(), end=time(9, 30)
    )
    db.session.commit()
    row = shift.event.occurrences[0]
    brian = make_volunteer(team, name="Brian Cartwright")
    sign_up_for_shift(brian, row, role="device_operator")
    db.session.commit()
    person = client.application.test_client()
    login(person, brian.user, PASSWORD)
    rota = person.get("/speed-watch/rota").get_data(as_text=True)
    assert device.label in rota and "held by Sutton police station front desk" in rota and "Collected by Brian" in rota
    login_as(officer)
    page = client.get(f"/staff/speed-watch/shifts/{row.id}").get_data(as_text=True)
    assert device.label in page and "Collected by Brian" in page
    history = client.get(f"/staff/speed-watch/devices/{device.id}").get_data(as_text=True)
    assert "Coming shifts holding it" in history and f"/staff/speed-watch/shifts/{row.id}" in history
    assert person.get(f"/staff/speed-watch/devices/{device.id}").status_code == 403


def test_a_return_needs_the_device_to_have_passed_its_check(db, types, team, site, officer):
    row = make_shift_date(team, site, datetime(2027, 4, 3, 10, 0))
    device_id = db.session.get(Shift, row.event_id).device_id
    base = {"actor": officer, "started": "10:00", "ended": "11:00", "now": NOW}
    with pytest.raises(returns.ReturnInvalid) as caught:
        returns.record_return(row, session=returns.Session(device_id, "no", "30", "100", "5"), **base)
    assert caught.value.errors[0][0] == "check_passed"
    assert "passed its set-up check" in caught.value.errors[0][1]
    with pytest.raises(returns.ReturnInvalid) as caught:
        returns.record_return(row, session=returns.Session(None, "", "", "", ""), **base)
    assert [field for field, _ in caught.value.errors] == [
        "device", "check_passed", "check_speed", "vehicles_counted", "over_limit_count",
    ]  # fmt: skip
    db.session.rollback()
    ret = returns.record_return(row, session=returns.Session(device_id, "yes", "30", "100", "5"), **base)
    db.session.commit()
    assert ret.check_passed is True and ret.check_speed_mph == 30 and ret.device_label.startswith("Kustom")
