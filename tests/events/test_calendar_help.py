"""Issue 14 item 12: subscribing explained for each common calendar; no webcal:// link for Android."""

from __future__ import annotations

from datetime import datetime

import pytest

from engagement.events.subscribe import calendar_device

ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36"
)
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
HEADINGS = (
    "iPhone or iPad",
    "Android phone with Google Calendar",
    "Google Calendar on a computer",
    "Outlook on a computer (Windows or Mac)",
    "Outlook.com, Hotmail or Outlook on the web",
)


@pytest.mark.parametrize(
    "agent,device",
    [(ANDROID, "android"), (IPHONE, "apple"), ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4)", "apple"),
     (WINDOWS, "other"), ("", "other"), (None, "other")],
)  # fmt: skip
def test_calendar_device(agent, device):
    assert calendar_device(agent) == device


def get(client, url, agent):
    return client.get(url, headers={"User-Agent": agent})


def test_android_gets_no_webcal_link_and_the_google_steps_open(client, team):
    response = get(client, f"/teams/{team.slug}", ANDROID)
    page = response.get_data(as_text=True)
    assert "webcal://" not in page
    assert 'value="http://localhost/teams/ladywood/calendar.ics"' in page and "readonly" in page
    assert '<details class="details calendar-steps" open id="steps-android">' in page
    assert "User-Agent" in response.headers.get("Vary", "")


def test_iphone_gets_the_subscribe_button_and_its_steps_open(client, team):
    page = get(client, f"/teams/{team.slug}", IPHONE).get_data(as_text=True)
    assert (
        '<a class="button" href="webcal://localhost/teams/ladywood/calendar.ics">Subscribe in Apple Calendar</a>'
        in page
    )
    assert '<details class="details calendar-steps" open id="steps-apple">' in page


def test_an_unknown_device_gets_every_route_with_the_webcal_link_labelled(client, team):
    page = get(client, f"/teams/{team.slug}", WINDOWS).get_data(as_text=True)
    assert '<a href="webcal://localhost/teams/ladywood/calendar.ics">Subscribe on iPhone, iPad and Mac</a>' in page
    assert " open id=" not in page  # nothing chosen for them


def test_the_help_page_has_plain_headings_a_copy_field_and_how_long_changes_take(client, team):
    response = get(client, f"/teams/{team.slug}/calendar-help", WINDOWS)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for heading in HEADINGS:
        assert f"<summary>{heading}</summary>" in page
    # the copy button is hidden until the script reveals it; the field works by hand without it
    assert (
        '<button type="button" class="button button-secondary copy-button" hidden data-copy-for="calendar-address"'
        in page
    )
    assert (
        '<input class="input feed-input" id="calendar-address" type="text" readonly value="http://localhost/teams/ladywood/calendar.ics"'
        in page
    )
    assert 'src="/static/js/copy.js"' in page and client.get("/static/js/copy.js").status_code == 200
    assert "up to 24 hours or more" in page and "every hour" in page and "every few hours" in page
    assert client.get("/teams/atlantis/calendar-help").status_code == 404
    every_team = get(client, "/calendar-help", ANDROID).get_data(as_text=True)
    assert "http://localhost/calendar.ics" in every_team and "webcal://" not in every_team


def test_the_event_page_links_to_the_help(client, team, make_event):
    event = make_event(datetime(2031, 3, 4, 18, 0))
    row = event.occurrences[0]
    page = get(client, f"/events/{row.id}", IPHONE).get_data(as_text=True)
    assert f'href="/teams/{team.slug}/calendar-help"' in page
