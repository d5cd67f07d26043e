"""Issue 14 item 18: the API's places_left for a Speed Watch shift counts the volunteers already signed up,
and the staff dashboard's line for a shift date says how it is staffed (item 3)."""

from __future__ import annotations

from datetime import datetime

from engagement.speedwatch.shifts.services import sign_up_for_shift
from tests.speedwatch.conftest import NOW
from tests.speedwatch.samples_shifts import make_shift


def test_api_places_left_counts_the_volunteers_signed_up(client, db, types, team, site, make_volunteer):
    shift = make_shift(team, site, datetime(2027, 4, 10, 9, 0), now=NOW, min_team=3, max_team=6)
    row = shift.event.occurrences[0]
    for _ in range(4):
        sign_up_for_shift(make_volunteer(team), row, now=NOW)
    db.session.commit()
    response = client.get(f"/api/v1/events?team={team.slug}&from=2027-04-10&to=2027-04-10")
    assert response.status_code == 200, response.get_data(as_text=True)
    items = {item["id"]: item for item in response.get_json()["items"]}
    assert items[row.id]["places_left"] == 2  # 4 of a team of 6 taken (it said 6, or nothing)


def test_staff_calendar_line_for_a_shift_says_how_it_is_staffed(client, db, login_as, types, team, site, officer,
                                                                  make_volunteer):  # fmt: skip
    shift = make_shift(team, site, datetime(2027, 4, 10, 9, 0), now=NOW, min_team=3, max_team=6)
    row = shift.event.occurrences[0]
    sign_up_for_shift(make_volunteer(team), row, now=NOW)
    db.session.commit()
    login_as(officer)
    page = client.get(f"/staff/teams/{team.slug}/calendar?start=2027-04-05").get_data(as_text=True)
    assert "1 of min 3 (max 6) volunteers · needs 2 more volunteers" in page
    assert ">6 places<" not in page
