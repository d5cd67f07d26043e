"""Issue 14, the events side: odd dates and duplicates warn (items 5), the hints of single-date forms (4),
directions and public transport on the event page (16), and the polish of item 18 (favicon, meta
description, RSS titles that name the venue once)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from engagement.events.models import Event, Venue
from engagement.events.recurrence import RepeatPattern
from tests.events.helpers import body, event_count, form_fields


def _warned(response) -> str:
    page = body(response)
    assert response.status_code == 200 and "Check before you save" in page, re.findall(
        r"error-summary-list.*?</ul>", page, re.S
    )
    return page


def _acknowledged(page: str) -> str:
    return re.search(r'name="acknowledged" type="hidden" value="([^"]*)"', page).group(1)


def test_a_duplicate_event_warns_and_saves_only_when_confirmed(db, login_as, post_form, officer, team, types, venue):
    login_as(officer)
    fields = form_fields(team, types, venue, officer)
    assert post_form("/staff/events/new", fields).status_code == 302
    again = post_form("/staff/events/new", fields)
    page = _warned(again)
    assert "is already on the calendar" in page and "Tuesday 4 March 2031, 6pm" in page
    assert 'value="Police surgery at Ladywood Community Library"' in page  # the answers are kept
    assert re.search(r'<button type="submit" form="event-form"[^>]*name="action" value="publish">Save anyway', page)
    assert event_count(db) == 1
    confirmed = post_form("/staff/events/new", fields | {"acknowledged": _acknowledged(page)})
    assert confirmed.status_code == 302 and event_count(db) == 2
    elsewhere = post_form("/staff/events/new", fields | {"start_time": "10:00", "end_time": "11:00"})
    assert elsewhere.status_code == 302  # another time is not a duplicate


def test_christmas_boxing_day_and_past_dates_warn_then_save(db, login_as, post_form, officer, team, types, venue):
    login_as(officer)
    for saved, (day, words) in enumerate((("2030-12-25", "is Christmas Day"), ("2030-12-26", "is Boxing Day"))):
        fields = form_fields(team, types, venue, officer, date=day)
        page = _warned(post_form("/staff/events/new", fields))
        assert words in page and event_count(db) == saved  # warned, nothing saved yet
        assert post_form("/staff/events/new", fields | {"acknowledged": _acknowledged(page)}).status_code == 302
    past = (date.today() - timedelta(days=3)).isoformat()
    fields = form_fields(team, types, venue, officer, date=past, action="draft")
    page = _warned(post_form("/staff/events/new", fields))
    assert "is in the past" in page
    saved = post_form("/staff/events/new", fields | {"acknowledged": _acknowledged(page)})
    assert saved.status_code == 302, re.findall(r"error-summary-list.*?</ul>", body(saved), re.S)
    assert event_count(db) == 3


def test_a_weekly_series_over_christmas_names_the_dates(db, login_as, post_form, officer, team, types, venue):
    login_as(officer)
    fields = form_fields(team, types, venue, officer, date="2030-12-11", repeat="weekly", repeat_count="4")
    page = _warned(post_form("/staff/events/new", fields))
    assert "1 date falls on Christmas Day or Boxing Day: Wednesday 25 December 2030 (Christmas Day)" in page
    assert event_count(db) == 0


def test_moving_a_date_onto_another_of_the_series_warns(db, client, login_as, post_form, make_event, officer):
    event = make_event(datetime(2031, 3, 4, 18), datetime(2031, 3, 4, 19), pattern=RepeatPattern("weekly", count=3))
    first, second = event.occurrences[0], event.occurrences[1]
    login_as(officer)
    answers = {"date": "2031-03-11", "start_time": "18:00", "end_time": "19:00", "venue": "0"}
    page = _warned(post_form(f"/staff/occurrences/{first.id}/move", answers))
    assert "is already on the calendar" in page and second.id
    christmas = {"date": "2030-12-25", "start_time": "18:00", "end_time": "19:00", "venue": "0"}
    assert "is Christmas Day" in _warned(post_form(f"/staff/occurrences/{first.id}/move", christmas))


def test_single_date_forms_have_no_first_date_of_a_series_hint(client, login_as, make_event, officer):
    one_off = make_event(datetime(2031, 3, 4, 18))
    series = make_event(datetime(2031, 3, 5, 18), pattern=RepeatPattern("weekly", count=2), title="Weekly")
    login_as(officer)
    hint = "For a repeating event, the first date"
    assert hint not in body(client.get(f"/staff/events/{one_off.id}/edit"))
    assert hint not in body(client.get(f"/staff/occurrences/{series.occurrences[1].id}/move"))
    assert hint in body(client.get("/staff/events/new"))  # where a series is being set up, it helps


def test_event_page_gives_directions_and_public_transport(client, db, make_event, venue):
    event = make_event(datetime(2031, 3, 4, 18))
    row = event.occurrences[0]
    page = body(client.get(f"/events/{row.id}"))
    assert "https://www.openstreetmap.org/search?query=B16+8HA" in page  # no coordinates: the postcode
    assert "By public transport" not in page
    venue.latitude, venue.longitude = 52.4751, -1.9203
    venue.public_transport = "Bus 8 stops outside."
    db.session.commit()
    page = body(client.get(f"/events/{row.id}"))
    assert "https://www.openstreetmap.org/directions?to=52.475100%2C-1.920300" in page
    assert "By public transport" in page and "Bus 8 stops outside." in page
    assert "tile.openstreetmap" not in page and "<iframe" not in page  # a link, no map loaded
    first_screen = page.index('id="sign-up"') if 'id="sign-up"' in page else page.index('id="taking-part"')
    assert page.index('class="key-facts"') < first_screen < page.index("Getting in and around")


def test_venue_form_saves_public_transport(client, db, login_as, post_form, officer, team, venue):
    login_as(officer)
    form = body(client.get(f"/staff/venues/{venue.id}/edit"))
    assert "Getting there by public transport" in form
    data = {"team": str(team.id), "name": venue.name, "address": venue.address, "postcode": "B16 8HA",
            "public_transport": "Five Ways station is a 10-minute walk.", "latitude": "52.4751",
            "longitude": "-1.9203"}  # fmt: skip
    assert post_form(f"/staff/venues/{venue.id}/edit", data).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Venue, venue.id)
    assert saved.public_transport == "Five Ways station is a 10-minute walk." and saved.latitude == 52.4751


def test_favicon_and_meta_descriptions(client, make_event):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/x-icon" and icon.data[:4] == b"\x00\x00\x01\x00"
    assert client.get("/static/favicon.svg").status_code == 200
    home = body(client.get("/"))
    assert 'rel="icon"' in home and re.search(r'<meta name="description" content="[^"]{40,}">', home)
    row = make_event(datetime(2031, 3, 4, 18)).occurrences[0]
    page = body(client.get(f"/events/{row.id}"))
    description = re.search(r'<meta name="description" content="([^"]+)">', page).group(1)
    assert description.startswith("Police surgery: Tuesday 4 March 2031, 6pm") and "Ladywood" in description


def test_rss_titles_name_the_venue_once(client, db, make_event, venue):
    make_event(datetime(2031, 3, 4, 18), title="Cuppa with a Copper at Ladywood Community Library")
    make_event(datetime(2031, 3, 5, 18), title="Police surgery")
    feed = body(client.get("/teams/ladywood/events.rss"))
    titles = re.findall(r"<title>([^<]+)</title>", feed)
    assert any(t.endswith(": Cuppa with a Copper at Ladywood Community Library") for t in titles), titles
    assert any(t.endswith(": Police surgery at Ladywood Community Library") for t in titles), titles
    assert not any("Library at Ladywood Community Library" in t for t in titles)
    assert db.session.scalar(db.select(db.func.count(Event.id))) == 2
