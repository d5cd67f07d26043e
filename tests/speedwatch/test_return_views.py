"""Return pages: the volunteer's sheet (send once, never see it again), the team's sheet, the list and exports."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from engagement.core.audit import AuditEntry
from engagement.extensions import db
from engagement.speedwatch.returns import services as returns
from engagement.speedwatch.returns.exports import EXPORT_HEADINGS
from engagement.speedwatch.returns.models import SessionReturn, Vehicle
from engagement.speedwatch.shifts.models import Shift
from tests.speedwatch.conftest import PASSWORD
from tests.speedwatch.samples_returns import make_shift_date, sign_up

HEADER = [
    "Return ID", "Team", "Site", "Road", "Speed limit (mph)", "Session date", "Session start", "Session end",
    "Conditions", "Registration", "Make", "Colour", "Speed (mph)", "Direction", "Time seen",
    "Repeat within 12 months", "Letter", "Recorded by",
]  # fmt: skip


def last_summer_day() -> date:
    """A Saturday-ish day in British Summer Time that is already in the past."""
    today = date.today()
    return date(today.year if today > date(today.year, 7, 10) else today.year - 1, 7, 4)


@pytest.fixture
def past_date(types, team, site):
    return make_shift_date(team, site, datetime.combine(date.today() - timedelta(days=2), time(10, 0)))


@pytest.fixture
def volunteer(past_date, team, make_volunteer):
    person = make_volunteer(team, name="Pat Jones")
    sign_up(past_date, person)
    return person


def row_data(n: int, **values) -> dict:
    return {f"vehicles-{n}-{key}": value for key, value in values.items()}


def good_answers() -> dict:
    """A right return for the one shift of the test: its device passed the check; 120 counted, 6 over the limit."""
    return {
        "started": "10:00",
        "ended": "11:30",
        "conditions": "Dry, light traffic",
        "device": str(db.session.scalar(select(Shift.device_id))),
        "check_passed": "yes",
        "check_speed": "30",
        "vehicles_counted": "120",
        "over_limit_count": "6",
        **row_data(0, registration="ab12 cde", make="Ford", colour="Blue", speed="41", direction="North", time="10:20"),
        **row_data(1, registration="", make="", colour="", speed="", direction="", time=""),
    }


def passed_check(occurrence) -> returns.Session:
    device_id = db.session.get(Shift, occurrence.event_id).device_id
    return returns.Session(device_id, "yes", "30", "300", "12")


def test_volunteer_sends_the_return_once_and_cannot_see_it(db, client, login_as, past_date, volunteer):
    login_as(volunteer.user, PASSWORD)
    url = f"/speed-watch/shifts/{past_date.id}/return"
    page = client.get(url).get_data(as_text=True)
    assert page.count("<legend") == 7 and "Vehicle 6</legend>" in page and "30 mph" in page and "35 mph" in page
    assert page.count("<h1") == 1 and '<label class="label" for="vehicles-0-registration">Registration</label>' in page
    assert 'type="time"' in page and 'id="vehicles-5-time"' in page
    response = client.post(
        url, data={"csrf_token": re.search(r'name="csrf_token" [^>]*value="([^"]+)"', page).group(1), **good_answers()}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("?sent=1")
    sent = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Return sent" in sent
    ret = db.session.scalar(select(SessionReturn))
    assert [v.registration for v in ret.vehicles] == ["AB12CDE"] and ret.recorded_by_id == volunteer.user.id
    again = client.get(url)
    text = again.get_data(as_text=True)
    assert again.status_code == 200 and "A return has already been sent for this shift" in text
    for page_text in (sent, text, client.get("/speed-watch/rota").get_data(as_text=True)):
        assert "AB12" not in page_text and "Ford" not in page_text
    for staff_url in (
        "/staff/speed-watch/returns",
        "/staff/speed-watch/returns.csv",
        "/staff/speed-watch/returns.xlsx",
        f"/staff/speed-watch/returns/{ret.id}",
        f"/staff/speed-watch/shifts/{past_date.id}/return",
        "/staff/speed-watch",
    ):
        assert client.get(staff_url).status_code == 403, staff_url


def test_volunteer_not_on_the_shift_gets_a_clear_403(
    db, client, login_as, past_date, volunteer, team, make_volunteer, post_form
):
    other = make_volunteer(team, name="Not There")
    login_as(other.user, PASSWORD)
    response = client.get(f"/speed-watch/shifts/{past_date.id}/return")
    assert response.status_code == 403 and "You were not on this shift" in response.get_data(as_text=True)
    response = post_form(f"/speed-watch/shifts/{past_date.id}/return", good_answers())
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(SessionReturn.id))) == 0


def test_add_more_rows_keeps_every_value_typed(client, login_as, past_date, volunteer, post_form):
    login_as(volunteer.user, PASSWORD)
    data = good_answers() | {"add_rows": "Add more rows"} | row_data(5, make="Kia")
    response = post_form(f"/speed-watch/shifts/{past_date.id}/return", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and page.count("<legend") == 12
    assert 'value="ab12 cde"' in page and 'value="Kia"' in page and 'value="Dry, light traffic"' not in page
    assert "Dry, light traffic</textarea>" in page
    assert "There is a problem" not in page


def test_errors_are_listed_linked_and_the_answers_kept(db, client, login_as, past_date, volunteer, post_form):
    login_as(volunteer.user, PASSWORD)
    data = good_answers() | row_data(
        1, registration="BD51 SMR", make="Audi", colour="Black", speed="28", direction="South", time="10:40"
    )
    response = post_form(f"/speed-watch/shifts/{past_date.id}/return", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and page.startswith("<!") and "<title>Error:" in page
    message = "Vehicle 2: 28 mph is not over the 30 mph limit at this site: only record vehicles over the limit"
    assert f'<a href="#vehicles-1-speed">{message}</a>' in page
    assert 'id="vehicles-1-speed-error-1"' in page and 'value="BD51 SMR"' in page and 'value="28"' in page
    assert db.session.scalar(select(func.count(Vehicle.id))) == 0


def test_staff_record_then_correct_a_return(db, client, login_as, past_date, officer, outsider, post_form):
    login_as(officer)
    url = f"/staff/speed-watch/shifts/{past_date.id}/return"
    assert client.get(url).status_code == 200
    response = post_form(url, good_answers())
    ret = db.session.scalar(select(SessionReturn))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/staff/speed-watch/returns/{ret.id}")
    detail = client.get(f"/staff/speed-watch/returns/{ret.id}").get_data(as_text=True)
    assert "AB12 CDE" in detail and "41 mph" in detail and "Dry, light traffic" in detail
    edit = client.get(url).get_data(as_text=True)
    assert "Correct the return" in edit and 'value="AB12 CDE"' in edit
    response = post_form(url, good_answers() | row_data(0, speed="47"))
    assert response.status_code == 302
    db.session.expire_all()
    assert [v.speed_mph for v in db.session.scalar(select(SessionReturn)).vehicles] == [47]
    post_form("/logout")
    login_as(outsider)
    assert client.get(url).status_code == 403
    assert client.get(f"/staff/speed-watch/returns/{ret.id}").status_code == 403


def test_staff_page_before_the_shift_explains_instead_of_failing(
    client, login_as, types, team, site, officer, post_form
):
    future = make_shift_date(team, site, datetime.combine(date.today() + timedelta(days=5), time(10, 0)))
    login_as(officer)
    page = client.get(f"/staff/speed-watch/shifts/{future.id}/return")
    assert page.status_code == 200 and "once the shift has started" in page.get_data(as_text=True)
    assert post_form(f"/staff/speed-watch/shifts/{future.id}/return", good_answers()).status_code == 400


@pytest.fixture
def two_teams_returns(db, types, team, other_team, site, make_site, officer, make_user):
    """A summer (BST) return for each team; the first has a repeat and a formula-like make."""
    day = last_summer_day()
    occ = make_shift_date(team, site, datetime.combine(day, time(18, 0)))
    other_site = make_site(other_team, name="Foleshill Road", speed_limit=20)
    occ2 = make_shift_date(other_team, other_site, datetime.combine(day, time(9, 0)))
    coordinator = make_user(role="coordinator", display_name="Chris Coordinator")
    car = {"registration": "AB12CDE", "colour": "Blue", "speed": "44", "direction": "North", "time": "09:30"}
    returns.record_return(
        occ2,
        actor=coordinator,
        started="09:00",
        ended="10:00",
        vehicles=[car | {"make": "Ford"}],
        session=passed_check(occ2),
    )
    db.session.commit()
    ours = returns.record_return(
        occ,
        actor=officer,
        started="18:00",
        ended="19:00",
        conditions="Wet",
        vehicles=[
            car | {"make": '=HYPERLINK("http://evil.example","x")', "time": "18:05"},
            car | {"registration": "K1", "make": "Mini", "time": "18:45", "speed": "39"},
        ],
        session=passed_check(occ),
    )
    db.session.commit()
    return ours


def test_csv_export_layout_local_times_neutralised_and_audited(db, client, login_as, officer, two_teams_returns):
    assert [heading for _, heading in EXPORT_HEADINGS] == HEADER
    login_as(officer)
    response = client.get("/staff/speed-watch/returns.csv")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == HEADER
    assert len(rows) == 3  # one row per vehicle, officers only get their own team's
    first = dict(zip(HEADER, rows[1], strict=True))
    assert first["Session date"] == f"{last_summer_day():%Y-%m-%d}"
    assert (first["Session start"], first["Session end"], first["Time seen"]) == ("18:00", "19:00", "18:05")
    assert first["Make"] == '\'=HYPERLINK("http://evil.example","x")'
    assert (first["Repeat within 12 months"], first["Letter"]) == ("Yes", "Second letter")  # seen that morning
    assert (first["Registration"], first["Speed limit (mph)"], first["Team"]) == ("AB12CDE", "30", "Sutton Coldfield")
    assert first["Recorded by"] == "Aisha Khan"
    assert dict(zip(HEADER, rows[2], strict=True))["Letter"] == "First letter"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export.speedwatch_returns"))
    assert entry.actor_id == officer.id and entry.details["rows"] == 2 and entry.details["format"] == "csv"


def test_xlsx_export_reads_back_and_is_audited(db, client, login_as, coordinator, two_teams_returns, team):
    login_as(coordinator)
    response = client.get(f"/staff/speed-watch/returns.xlsx?team={team.slug}&month={last_summer_day():%Y-%m}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == HEADER and len(values) == 3
    assert values[1][HEADER.index("Time seen")] == "18:05" and values[1][HEADER.index("Make")].startswith("'=")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export.speedwatch_returns"))
    assert entry.details["rows"] == 2 and entry.details["filters"] == {
        "teams": [team.id],
        "month": f"{last_summer_day():%Y-%m}",
    }
    everything = client.get("/staff/speed-watch/returns.csv").get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(everything[1:])))) == 4  # coordinators: every team


def test_returns_list_scoped_and_filtered(
    client, login_as, post_form, officer, coordinator, outsider, other_team, two_teams_returns
):
    login_as(officer)
    page = client.get("/staff/speed-watch/returns").get_data(as_text=True)
    assert "Monument Road" in page and "Foleshill Road" not in page
    assert client.get(f"/staff/speed-watch/returns?team={other_team.slug}").status_code == 403
    bad = client.get("/staff/speed-watch/returns?month=last-week")
    assert bad.status_code == 400 and "for example 2027-04" in bad.get_data(as_text=True)
    assert client.get("/staff/speed-watch/returns?month=9999-12&page=99999999999999999999").status_code == 400
    assert client.get("/staff/speed-watch/returns.csv?month=9999-12").status_code == 400
    # Past the database's integer range: refused app-wide with a message (engagement.core.inputs, issue 13).
    huge = client.get("/staff/speed-watch/returns?page=99999999999999999999")
    assert huge.status_code == 400 and "too large" in huge.get_data(as_text=True)
    assert client.get("/staff/speed-watch/returns?page=2147483647").status_code == 200
    post_form("/logout")
    login_as(coordinator)
    page = client.get("/staff/speed-watch/returns").get_data(as_text=True)
    assert "Monument Road" in page and "Foleshill Road" in page
    page = client.get(f"/staff/speed-watch/returns?team={other_team.slug}").get_data(as_text=True)
    assert "Monument Road" not in page and "Foleshill Road" in page
    assert "Monument Road" not in client.get("/staff/speed-watch/returns?month=2001-01").get_data(as_text=True)
