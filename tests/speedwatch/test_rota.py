"""My rota and its private calendar feed: only the volunteer's own dates, cancellations kept, withdrawals gone."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from icalendar import Calendar

from engagement.events.recurrence import RepeatPattern
from engagement.events.series import cancel_occurrence
from engagement.speedwatch.shifts.services import sign_up_for_shift, withdraw_from_shift
from tests.speedwatch.conftest import PASSWORD
from tests.speedwatch.samples_shifts import make_shift


def body(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def dates(db, types, team, make_site):
    """Four weekly dates starting a week from today at a site assessed for the next three months."""
    today = date.today()
    site = make_site(team, name="Rota Road", assessed_on=today - timedelta(days=7), expires=today + timedelta(days=90))
    start = datetime.combine(today + timedelta(days=7), datetime.min.time()).replace(hour=8)
    shift = make_shift(team, site, start, pattern=RepeatPattern("weekly", count=4), min_team=1)
    return shift.event.occurrences


@pytest.fixture
def pat(db, team, make_volunteer, dates):
    """Pat is on dates 0, 1 and 2, withdrew from 2; another volunteer is on date 3."""
    pat = make_volunteer(team, name="Pat Jones")
    for row in dates[:3]:
        sign_up_for_shift(pat, row, role="recorder" if row is dates[0] else "")
    withdraw_from_shift(pat, dates[2])
    sign_up_for_shift(make_volunteer(team, name="Someone Else"), dates[3])
    db.session.commit()
    return pat


def feed(client, token):
    response = client.get(f"/speed-watch/rota/{token}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response.headers["Cache-Control"] and response.headers["X-Robots-Tag"] == "noindex"
    return Calendar.from_ical(response.data).walk("VEVENT")


def test_rota_page_lists_only_my_dates_and_the_feed_links(db, client, pat, dates, login_as):
    login_as(pat.user, PASSWORD)
    page = body(client.get("/speed-watch/rota"))
    assert page.count('class="event-item') == 2  # dates 0 and 1; not the withdrawn one nor date 3
    assert f"/speed-watch/shifts/{dates[0].id}" in page and f"/speed-watch/shifts/{dates[3].id}" not in page
    assert "Recorder" in page and "10 January 2028" in page
    assert f"webcal://localhost/speed-watch/rota/{pat.rota_token}.ics" in page
    assert f"http://localhost/speed-watch/rota/{pat.rota_token}.ics" in page


def test_feed_has_exactly_my_dates_and_keeps_cancelled_ones(db, client, pat, dates, officer):
    events = feed(client, pat.rota_token)
    assert sorted(str(e["uid"]) for e in events) == sorted(f"speedwatch-shift-{row.id}@localhost" for row in dates[:2])
    cancel_occurrence(dates[1], actor=officer, reason="Road works")
    db.session.commit()
    events = {str(e["uid"]): e for e in feed(client, pat.rota_token)}
    assert str(events[f"speedwatch-shift-{dates[1].id}@localhost"]["status"]) == "CANCELLED"
    assert str(events[f"speedwatch-shift-{dates[0].id}@localhost"]["status"]) == "CONFIRMED"


def test_new_link_replaces_the_old_one(db, client, pat, login_as, post_form):
    old = pat.rota_token
    login_as(pat.user, PASSWORD)
    assert post_form("/speed-watch/rota/new-link").status_code == 302
    db.session.refresh(pat)
    assert pat.rota_token != old
    response = client.get(f"/speed-watch/rota/{old}.ics")
    assert response.status_code == 404 and response.mimetype == "text/plain"
    assert client.get(f"/speed-watch/rota/{pat.rota_token}.ics").status_code == 200


def test_suspended_volunteers_feed_is_gone(db, client, pat):
    pat.status = "suspended"
    db.session.commit()
    assert client.get(f"/speed-watch/rota/{pat.rota_token}.ics").status_code == 404
    assert client.get("/speed-watch/rota/not-a-token.ics").status_code == 404


def test_the_rota_shows_android_no_webcal_link(db, client, pat, dates, login_as):
    login_as(pat.user, PASSWORD)
    android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"
    response = client.get("/speed-watch/rota", headers={"User-Agent": android})
    page = body(response)
    assert "webcal://" not in page and f"http://localhost/speed-watch/rota/{pat.rota_token}.ics" in page
    assert "User-Agent" in response.headers.get("Vary", "")
