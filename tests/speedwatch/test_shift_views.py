"""Shift pages: scheduling form, staff lists, volunteers' one-tap pages, and who sees whose details."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from engagement.core.db import utcnow
from engagement.core.timeutil import to_local
from engagement.events.models import Event
from engagement.events.recurrence import RepeatPattern
from engagement.speedwatch.shifts.models import ShiftSignup, ShiftStaffing
from engagement.speedwatch.shifts.services import sign_up_for_shift
from tests.speedwatch.conftest import PASSWORD
from tests.speedwatch.samples_devices import team_device
from tests.speedwatch.samples_shifts import make_shift


def body(response) -> str:
    return response.get_data(as_text=True)


def form_data(team, site, **overrides):
    data = {
        "team": str(team.id),
        "site": str(site.id),
        "device": str(team_device(team).id),
        "date": "8/4/2027",
        "start_time": "7:30",
        "end_time": "09:00",
        "repeat": "",
        "weekday_position": "0",
        "min_team": "3",
        "max_team": "6",
        "notes": "Meet at the library car park",
        "publish": "yes",
    }
    return data | overrides


@pytest.fixture
def near_site(make_site, team):
    """A site assessed last week (the shared `site` is assessed from 2027): for dates close to today."""
    today = date.today()
    return make_site(team, assessed_on=today - timedelta(days=7), expires=today + timedelta(days=90))


@pytest.fixture
def shift(db, types, team, near_site):
    """A shift ten days ahead, inside the volunteers' eight-week list."""
    start = datetime.combine(date.today() + timedelta(days=10), datetime.min.time()).replace(hour=7, minute=30)
    return make_shift(team, near_site, start, min_team=2, max_team=4, notes="Bring the hi-vis vests")


def test_officer_schedules_a_weekly_shift(db, client, types, team, site, officer, login_as, post_form):
    login_as(officer)
    assert client.get("/staff/speed-watch/shifts/new").status_code == 200
    response = post_form(
        "/staff/speed-watch/shifts/new", form_data(team, site, repeat="weekly", repeat_count="4", min_team="2")
    )
    assert response.status_code == 302, body(response)
    event = db.session.scalar(select(Event))
    assert event.title == "Speed Watch: Monument Road" and len(event.occurrences) == 4
    assert to_local(event.starts_at).strftime("%H:%M") == "07:30"
    listing = body(client.get("/staff/speed-watch/shifts"))
    assert "Monument Road" in listing
    page = body(client.get(response.headers["Location"]))
    assert "0 of min 2 (max 6)" in page and f"/staff/events/{event.id}" in page


def test_bad_answers_rerender_with_messages_and_save_nothing(
    db, client, types, team, site, officer, login_as, post_form, make_site
):
    login_as(officer)
    response = post_form("/staff/speed-watch/shifts/new", form_data(team, site, min_team="5", max_team="4"))
    assert response.status_code == 400
    assert "cannot be smaller than the minimum" in body(response) and "Meet at the library car park" in body(response)
    expiring = make_site(team, name="Short Lane", assessed_on=date(2027, 1, 1), expires=date(2027, 4, 20))
    response = post_form("/staff/speed-watch/shifts/new", form_data(team, expiring, repeat="weekly", repeat_count="4"))
    assert response.status_code == 400 and "Thursday 22 April 2027" in body(response)
    response = post_form("/staff/speed-watch/shifts/new", form_data(team, site, date="31/2/2027", start_time="25:00"))
    assert response.status_code == 400 and "Enter a real date" in body(response)
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_another_teams_site_cannot_be_chosen(
    db, client, types, team, other_team, coordinator, login_as, post_form, make_site
):
    theirs = make_site(other_team, name="Foleshill Road")
    login_as(coordinator)  # sees both teams' sites, but the site must belong to the chosen team
    response = post_form("/staff/speed-watch/shifts/new", form_data(team, theirs))
    assert response.status_code == 400 and "this team" in body(response)
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_staff_shift_page_is_team_only(db, client, shift, outsider, officer, login_as):
    row = shift.event.occurrences[0]
    login_as(outsider)
    assert client.get(f"/staff/speed-watch/shifts/{row.id}").status_code == 403


def test_staff_see_names_and_phones(db, client, shift, team, officer, login_as, make_volunteer):
    row = shift.event.occurrences[0]
    volunteer = make_volunteer(team, name="Priya Sharma", phone="07700 900555")
    sign_up_for_shift(volunteer, row, role="device_operator")
    db.session.commit()
    login_as(officer)
    page = body(client.get(f"/staff/speed-watch/shifts/{row.id}"))
    assert "Priya Sharma" in page and "07700 900555" in page and "Device operator" in page


def test_volunteer_joins_with_a_role_and_withdraws(db, client, shift, team, make_volunteer, login_as, post_form):
    volunteer = make_volunteer(team)
    row = shift.event.occurrences[0]
    login_as(volunteer.user, PASSWORD)
    listing = body(client.get("/speed-watch/shifts"))
    assert "Needs 2 more volunteers" in listing
    page = body(client.get(f"/speed-watch/shifts/{row.id}"))
    assert "Bring the hi-vis vests" in page and "Park at the library" in page
    response = post_form(f"/speed-watch/shifts/{row.id}/join", {"role": "recorder"})
    assert response.status_code == 302
    signup = db.session.scalar(select(ShiftSignup))
    assert signup.role == "recorder"
    assert "You are on this shift (recorder)" in body(client.get("/speed-watch/shifts"))
    response = post_form(f"/speed-watch/shifts/{row.id}/join", {"role": ""})
    assert response.status_code == 409 and "already signed up" in body(response)
    response = post_form(f"/speed-watch/shifts/{row.id}/withdraw", {"next": "rota"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/speed-watch/rota")
    db.session.expire_all()
    assert db.session.get(ShiftStaffing, row.id).taken == 0


def test_volunteer_with_expired_training_sees_the_reason(db, client, shift, team, make_volunteer, login_as, post_form):
    volunteer = make_volunteer(team, training_expires=date.today() + timedelta(days=5))  # before the shift
    row = shift.event.occurrences[0]
    login_as(volunteer.user, PASSWORD)
    response = post_form(f"/speed-watch/shifts/{row.id}/join", {"role": ""})
    assert response.status_code == 400 and "training expired" in body(response)
    assert db.session.scalar(select(func.count()).select_from(ShiftSignup)) == 0


def test_other_teams_shift_is_404_for_volunteers(db, client, shift, other_team, make_volunteer, login_as, post_form):
    volunteer = make_volunteer(other_team)
    row = shift.event.occurrences[0]
    login_as(volunteer.user, PASSWORD)
    assert client.get(f"/speed-watch/shifts/{row.id}").status_code == 404
    assert post_form(f"/speed-watch/shifts/{row.id}/join", {"role": ""}).status_code == 404
    assert "Monument Road" not in body(client.get("/speed-watch/shifts"))


def test_volunteers_see_first_names_only(db, client, shift, team, make_volunteer, login_as):
    row = shift.event.occurrences[0]
    other = make_volunteer(team, name="Gareth Llewellyn", email="gareth.private@example.org", phone="07700 900999")
    sign_up_for_shift(other, row)
    db.session.commit()
    me = make_volunteer(team)
    login_as(me.user, PASSWORD)
    for url in (f"/speed-watch/shifts/{row.id}", "/speed-watch/shifts", "/speed-watch/rota"):
        page = body(client.get(url))
        assert "gareth.private@example.org" not in page and "07700 900999" not in page and "Llewellyn" not in page
    assert "Gareth" in body(client.get(f"/speed-watch/shifts/{row.id}"))


def test_withdrawing_inside_the_quorum_window_asks_first(
    db, client, types, team, make_site, make_volunteer, login_as, post_form
):
    today = date.today()
    site = make_site(
        team, name="Soon Street", assessed_on=today - timedelta(days=5), expires=today + timedelta(days=60)
    )
    start = to_local(utcnow() + timedelta(hours=5)).replace(tzinfo=None, second=0, microsecond=0)
    soon = make_shift(team, site, start, hours=1, min_team=1)
    row = soon.event.occurrences[0]
    volunteer = make_volunteer(team)
    sign_up_for_shift(volunteer, row)
    db.session.commit()
    login_as(volunteer.user, PASSWORD)
    assert "the team is counting on you" in body(client.get(f"/speed-watch/shifts/{row.id}"))
    response = post_form(f"/speed-watch/shifts/{row.id}/withdraw", {"next": "rota"})
    assert response.status_code == 200 and "Withdraw from this shift?" in body(response)
    db.session.expire_all()
    assert db.session.get(ShiftStaffing, row.id).taken == 1
    response = post_form(f"/speed-watch/shifts/{row.id}/withdraw", {"next": "rota", "confirmed": "yes"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ShiftStaffing, row.id).taken == 0


def test_public_event_page_shows_the_limit_and_staffing(db, client, shift):
    row = shift.event.occurrences[0]
    page = body(client.get(f"/events/{row.id}"))
    assert "30 mph" in page and "needs 2 more volunteers" in page
    assert "Only approved Speed Watch volunteers can sign up" in page and "/teams/sutton-coldfield/speed-watch" in page


def test_dashboard_lists_short_staffed_shifts(db, client, types, team, make_site, officer, login_as):
    today = date.today()
    site = make_site(
        team, name="Soon Street", assessed_on=today - timedelta(days=5), expires=today + timedelta(days=60)
    )
    start = datetime.combine(today + timedelta(days=3), datetime.min.time()).replace(hour=8)
    make_shift(team, site, start, pattern=RepeatPattern("weekly", count=3))
    login_as(officer)
    page = body(client.get("/staff/"))
    assert "Short-staffed Speed Watch shifts" in page and page.count("Needs 3 more volunteers") == 2


def test_roles_are_kept_apart(db, client, shift, team, officer, make_volunteer, login_as, post_form):
    login_as(officer)
    assert client.get("/speed-watch/shifts").status_code == 403
    assert client.get("/speed-watch/rota").status_code == 403
    post_form("/logout")
    volunteer = make_volunteer(team)
    login_as(volunteer.user, PASSWORD)
    row = shift.event.occurrences[0]
    assert client.get("/staff/speed-watch/shifts").status_code == 403
    assert client.get("/staff/speed-watch/shifts/new").status_code == 403
    assert client.get(f"/staff/speed-watch/shifts/{row.id}").status_code == 403
