"""Staff screens for events: forms (errors keep input and save nothing), warnings, permissions and wiring."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from engagement.events.models import Event, Occurrence
from engagement.events.recurrence import RepeatPattern
from tests.events.helpers import MARCH_2031, body, event_count, form_fields  # noqa: F401

# --- staff: creating ------------------------------------------------------------------------------


def test_officer_creates_and_publishes_an_event(client, db, login_as, post_form, officer, team, types, venue):
    login_as(officer)
    assert client.get("/staff/events/new").status_code == 200
    response = post_form("/staff/events/new", form_fields(team, types, venue, officer))
    assert response.status_code == 302
    event = db.session.scalar(db.select(Event))
    assert response.headers["Location"] == f"/staff/events/{event.id}"
    assert (event.status, event.starts_at) == ("published", datetime(2031, 3, 4, 18, 0, tzinfo=UTC))
    page = body(client.get(response.headers["Location"]))
    assert "Tuesday 4 March 2031, 6pm to 7:30pm" in page and "Published" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"end_time": "17:00"}, "end_time", "The end time must be after the start time"),
        ({"title": "<script>alert(1)</script>Surgery"}, "title", "Titles are plain text"),
        ({"title": "x" * 121}, "title", "The title must be 120 characters or fewer"),
        ({"description": "y" * 5001}, "description", "The description must be 5000 characters or fewer"),
        ({"team": "999"}, "team", "Choose one of your teams"),
        ({"event_type": "999"}, "event_type", "Choose the kind of event"),
        ({"event_type": "surgery"}, "event_type", "Choose the kind of event"),
        ({"date": "2031-02-30"}, "date", "Enter a real date"),
        ({"start_time": "25:00"}, "start_time", "Enter a time using the 24-hour clock"),
        ({"start_time": ""}, "start_time", "Enter a start time"),
        ({"venue": "0"}, "venue", "Choose a venue, or give a joining link"),
        ({"repeat": "daily"}, "repeat", "Choose one of the options"),
        ({"repeat": "weekly"}, "repeat_until", "Choose an end date or a number of times"),
        ({"repeat": "weekly", "repeat_count": "500"}, "repeat_count", "between 1 and 200"),
        ({"capacity": "lots"}, "capacity", "Enter the number of places as a number"),
    ],
)
def test_form_errors_are_400_next_to_the_field_keep_input_and_save_nothing(
    client, db, login_as, post_form, officer, team, types, venue, overrides, field, message
):
    login_as(officer)
    data = form_fields(team, types, venue, officer, **overrides)
    response = post_form("/staff/events/new", data)
    page = body(response)
    assert response.status_code == 400, page
    assert "There is a problem" in page and f'href="#{field}"' in page and message in page
    assert 'value="2031-03-04"' in page or field == "date"
    # Typed answers stay.
    assert ("Come and talk to us." in page) if field != "description" else ('value="Police surgery at Ladywood' in page)
    assert "<script>alert(1)</script>" not in page
    assert event_count(db) == 0


def test_html_title_is_shown_back_escaped(client, login_as, post_form, officer, team, types, venue):
    login_as(officer)
    page = body(post_form("/staff/events/new", form_fields(team, types, venue, officer, title="<b>Big</b> surgery")))
    assert 'value="&lt;b&gt;Big&lt;/b&gt; surgery"' in page


def test_officer_cannot_schedule_for_another_team(client, db, login_as, post_form, officer, other_team, types, venue):
    login_as(officer)
    response = post_form("/staff/events/new", form_fields(other_team, types, venue, officer))
    assert response.status_code == 400 and "Choose one of your teams" in body(response)
    assert event_count(db) == 0


def test_clock_change_time_is_warned_about_before_saving(client, db, login_as, post_form, officer, team, types, venue):
    login_as(officer)
    data = form_fields(team, types, venue, officer, date="2031-10-26", start_time="01:30", end_time="02:30")
    first = post_form("/staff/events/new", data)
    page = body(first)
    assert first.status_code == 200 and event_count(db) == 0
    assert "That time (01:30) happens twice on Sunday 26 October 2031 because the clocks go back." in page
    token = re.search(r'name="acknowledged" type="hidden" value="([0-9a-f]{16})"', page).group(1)
    second = post_form("/staff/events/new", data | {"acknowledged": token})
    assert second.status_code == 302
    assert db.session.scalar(db.select(Event.starts_at)) == datetime(2031, 10, 26, 0, 30, tzinfo=UTC)


def test_monthly_31st_series_shows_the_pattern_and_the_skip_rule(
    client, db, login_as, post_form, officer, team, types, venue
):
    login_as(officer)
    data = form_fields(team, types, venue, officer, date="2031-01-31", repeat="monthly_by_date", repeat_count="6")
    first = body(post_form("/staff/events/new", data))
    assert "This will repeat: <strong>Monthly on the 31st, 6 times</strong>" in first
    assert "Months without a 31st are skipped" in first
    token = re.search(r'name="acknowledged" type="hidden" value="([0-9a-f]{16})"', first).group(1)
    assert post_form("/staff/events/new", data | {"acknowledged": token}).status_code == 302
    event = db.session.scalar(db.select(Event))
    assert [o.recurrence_id[:8] for o in event.occurrences] == [
        "20310131",
        "20310331",
        "20310531",
        "20310731",
        "20310831",
        "20311031",
    ]
    assert "Monthly on the 31st, 6 times" in body(client.get(f"/staff/events/{event.id}"))


def test_first_tuesday_series_created_from_the_form(client, db, login_as, post_form, officer, team, types, venue):
    login_as(officer)
    data = form_fields(
        team, types, venue, officer, repeat="monthly_by_weekday", weekday_position="0", repeat_until="2031-07-31"
    )
    assert post_form("/staff/events/new", data).status_code == 302
    event = db.session.scalar(db.select(Event))
    assert event.rrule == "FREQ=MONTHLY;BYDAY=1TU;UNTIL=20310731T225959Z"
    assert len(event.occurrences) == 5  # March to July
    assert "Every first Tuesday of the month until Thursday 31 July 2031" in body(
        client.get(f"/staff/events/{event.id}")
    )


# --- staff: changing ------------------------------------------------------------------------------


def test_edit_keeps_one_off_dates_editable_and_audits(
    client, db, login_as, post_form, make_event, officer, team, types, venue
):
    event = make_event(MARCH_2031, MARCH_2031 + timedelta(minutes=90))
    login_as(officer)
    form = body(client.get(f"/staff/events/{event.id}/edit"))
    assert 'value="2031-03-04"' in form and 'value="18:00"' in form and 'name="repeat"' not in form
    response = post_form(f"/staff/events/{event.id}/edit", form_fields(team, types, venue, officer, start_time="18:30"))
    assert response.status_code == 302
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.starts_at == datetime(2031, 3, 4, 18, 30, tzinfo=UTC) and event.revision == 2
    assert event.occurrences[0].starts_at == event.starts_at


def test_series_edit_has_no_date_fields(client, login_as, make_event, officer):
    event = make_event(MARCH_2031, pattern=RepeatPattern("weekly", count=3))
    login_as(officer)
    page = body(client.get(f"/staff/events/{event.id}/edit"))
    assert 'name="date"' not in page and "Change this and all following" in page


def test_duplicate_prefills_and_creates_a_new_event(
    client, db, login_as, post_form, make_event, officer, team, types, venue
):
    source = make_event(MARCH_2031, MARCH_2031 + timedelta(minutes=90), title="Cuppa with a Copper at Canal Café")
    login_as(officer)
    page = body(client.get(f"/staff/events/{source.id}/duplicate"))
    assert 'value="Cuppa with a Copper at Canal Café"' in page and "Schedule a copy of" in page
    response = post_form(
        f"/staff/events/{source.id}/duplicate",
        form_fields(team, types, venue, officer, date="2031-03-11", action="draft"),
    )
    assert response.status_code == 302
    copy = db.session.scalar(db.select(Event).where(Event.id != source.id))
    assert copy.uid != source.uid and copy.status == "draft" and copy.starts_at.day == 11


def test_publishing_a_past_event_is_refused_with_the_reason(client, db, login_as, make_event, officer):
    event = make_event(datetime(2026, 9, 10, 18, 0), datetime(2026, 9, 10, 19, 0), publish=False)
    login_as(officer)
    token = re.search(r'name="csrf-token" content="([^"]+)"', body(client.get("/"))).group(1)
    response = client.post(f"/staff/events/{event.id}/publish", data={"csrf_token": token})
    assert response.status_code == 422
    assert "This event is in the past (it ended on Thursday 10 September 2026, 7pm)" in body(response)
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == "draft"


def test_publish_from_the_event_page(client, db, login_as, post_form, make_event, officer):
    event = make_event(MARCH_2031, publish=False)
    login_as(officer)
    assert post_form(f"/staff/events/{event.id}/publish").status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == "published"


def test_cancel_needs_a_reason_and_a_check_answers_step(client, db, login_as, post_form, make_event, officer):
    event = make_event(MARCH_2031)
    url = f"/staff/events/{event.id}/cancel"
    login_as(officer)
    empty = post_form(url, {"reason": ""})
    assert empty.status_code == 400 and "Enter the reason residents will see" in body(empty)
    check = post_form(url, {"reason": "Cancelled due to operational demands"})
    page = body(check)
    assert check.status_code == 200 and "Are you sure you want to cancel" in page
    assert "Tuesday 4 March 2031, 6pm" in page
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == "published"  # nothing happened yet
    done = post_form(url, {"reason": "Cancelled due to operational demands", "confirmed": "yes"})
    assert done.status_code == 302
    public = body(client.get(f"/events/{event.occurrences[0].id}"))
    assert "This event is cancelled." in public and "Cancelled due to operational demands" in public


def test_cancel_and_move_single_dates_through_the_forms(
    client, db, login_as, post_form, make_event, officer, other_venue
):
    event = make_event(MARCH_2031, MARCH_2031 + timedelta(minutes=90), pattern=RepeatPattern("weekly", count=4))
    first, second, third = (o.id for o in event.occurrences[:3])
    login_as(officer)
    assert (
        post_form(f"/staff/occurrences/{second}/cancel", {"reason": "Staff shortage", "confirmed": "yes"}).status_code
        == 302
    )
    move_form = body(client.get(f"/staff/occurrences/{third}/move"))
    assert 'value="2031-03-18"' in move_form and 'value="18:00"' in move_form
    answers = {"date": "2031-03-19", "start_time": "10:00", "end_time": "11:00", "venue": str(other_venue.id)}
    check = post_form(f"/staff/occurrences/{third}/move", answers)  # a check-answers page first, nothing moved
    assert check.status_code == 200 and "Check before you move this date" in body(check)
    assert db.session.get(Occurrence, third).starts_at == datetime(2031, 3, 18, 18, 0, tzinfo=UTC)
    moved = post_form(f"/staff/occurrences/{third}/move", answers | {"confirmed": "yes"})
    assert moved.status_code == 302
    db.session.expire_all()
    rows = {o.id: o for o in db.session.scalars(db.select(Occurrence)).all()}
    assert rows[first].status == "scheduled" and not rows[first].moved
    assert rows[second].status == "cancelled" and rows[second].cancel_reason == "Staff shortage"
    assert rows[third].starts_at == datetime(2031, 3, 19, 10, 0, tzinfo=UTC) and rows[third].moved
    public = body(client.get(f"/events/{third}"))
    assert (
        "Wednesday 19 March 2031, 10am to 11am" in public and "It was going to be Tuesday 18 March 2031, 6pm" in public
    )
    assert "St John&#39;s Church Hall" in public
    bad = post_form(
        f"/staff/occurrences/{third}/move",
        {"date": "2031-03-19", "start_time": "10:00", "end_time": "09:00", "venue": "0"},
    )
    assert bad.status_code == 400 and "The end time must be after the start time" in body(bad)


def test_change_this_and_following_through_the_form(client, db, login_as, post_form, make_event, officer, venue):
    event = make_event(MARCH_2031, MARCH_2031 + timedelta(minutes=90), pattern=RepeatPattern("weekly", count=6))
    ids = [o.id for o in event.occurrences]
    login_as(officer)
    url = f"/staff/occurrences/{ids[2]}/following"
    form = body(client.get(url))
    assert 'value="2031-03-18"' in form and 'value="4"' in form  # 4 dates remain from the 18th
    response = post_form(
        url,
        {
            "date": "2031-03-18",
            "start_time": "19:00",
            "end_time": "20:00",
            "repeat": "weekly",
            "weekday_position": "0",
            "repeat_count": "4",
            "venue": str(venue.id),
        },
    )
    assert response.status_code == 302, body(response)
    db.session.expire_all()
    new = db.session.scalar(db.select(Event).where(Event.id != event.id))
    assert response.headers["Location"] == f"/staff/events/{new.id}"
    assert [o.id for o in new.occurrences] == ids[2:]
    assert new.occurrences[0].starts_at == datetime(2031, 3, 18, 19, 0, tzinfo=UTC)


def test_team_calendar_lists_by_week(client, login_as, make_event, officer, team):
    make_event(MARCH_2031, title="Surgery", publish=False)
    login_as(officer)
    page = body(client.get(f"/staff/teams/{team.slug}/calendar?start=2031-03-05"))
    assert "Week beginning Monday 3 March 2031" in page and "Week beginning Monday 24 March 2031" in page
    assert "Surgery" in page and "Draft" in page and "start=2031-03-31" in page and "start=2031-02-03" in page
    assert client.get(f"/staff/teams/{team.slug}/calendar?start=rubbish").status_code == 200
    assert client.get("/staff/teams/atlantis/calendar").status_code == 404


def test_dashboard_shows_the_next_two_weeks(client, login_as, make_event, officer):
    soon = datetime.combine(date.today() + timedelta(days=3), datetime.min.time()).replace(hour=18)
    make_event(soon, title="Cuppa next week", now=datetime.now(UTC))
    make_event(soon + timedelta(days=20), title="Surgery much later", now=datetime.now(UTC))
    login_as(officer)
    page = body(client.get("/staff/"))
    assert "The next two weeks" in page and "Cuppa next week" in page and "Surgery much later" not in page


def test_other_teams_officer_gets_403_on_every_event_screen(client, login_as, make_event, outsider, officer):
    event = make_event(MARCH_2031, pattern=RepeatPattern("weekly", count=2))
    row = event.occurrences[0].id
    login_as(outsider)
    for url in (
        f"/staff/events/{event.id}",
        f"/staff/events/{event.id}/edit",
        f"/staff/events/{event.id}/cancel",
        f"/staff/events/{event.id}/duplicate",
        f"/staff/occurrences/{row}/move",
        f"/staff/occurrences/{row}/cancel",
        f"/staff/occurrences/{row}/following",
        "/staff/teams/ladywood/calendar",
    ):
        assert client.get(url).status_code == 403, url
    assert client.get("/staff/events/999999").status_code == 404
    assert client.get("/staff/events/99999999999999999999").status_code == 404
    assert client.get("/staff/occurrences/2147483648/move").status_code == 404


def test_admin_manages_event_types_and_officer_adds_a_venue(
    client, db, login_as, post_form, make_user, officer, team, types
):
    login_as(make_user(role="admin"))
    bad = post_form(
        "/staff/event-types/new", {"name": "", "default_duration_minutes": "60", "default_signup_mode": "none"}
    )
    assert bad.status_code == 400 and "Enter a name" in body(bad)
    ok = post_form(
        "/staff/event-types/new",
        {
            "name": "Leaflet drop",
            "description": "Door to door.",
            "default_duration_minutes": "120",
            "default_signup_mode": "volunteers",
            "active": "y",
        },
    )
    assert ok.status_code == 302 and "Leaflet drop" in body(client.get("/staff/event-types"))
    client.post(
        "/logout",
        data={"csrf_token": re.search(r'name="csrf-token" content="([^"]+)"', body(client.get("/"))).group(1)},
    )
    login_as(officer)
    bad_venue = post_form("/staff/venues/new", {"team": str(team.id), "name": "Canal Café", "postcode": "nowhere"})
    assert bad_venue.status_code == 400 and "Enter the venue&#39;s full postcode" in body(bad_venue)
    assert 'value="Canal Café"' in body(bad_venue)
    good = post_form(
        "/staff/venues/new",
        {"team": str(team.id), "name": "Canal Café", "postcode": "b1 2jt", "address": "Gas Street", "step_free": "y"},
    )
    assert good.status_code == 302
    assert "Canal Café" in body(client.get("/staff/venues")) and "B1 2JT" in body(client.get("/staff/venues"))
