"""Public event pages: the list with its filters, one date's page, drafts and the team page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from engagement.events.services import cancel_event
from tests.events.helpers import MARCH_2031, body, event_count, form_fields  # noqa: F401

# --- public pages ---------------------------------------------------------------------------------


def test_occurrence_page_spells_out_when_where_who_and_how(client, make_event, venue):
    event = make_event(MARCH_2031, MARCH_2031 + timedelta(minutes=90), description="Bring **questions** & ideas.")
    page = body(client.get(f"/events/{event.occurrences[0].id}"))
    assert "Tuesday 4 March 2031, 6pm to 7:30pm" in page
    assert "Ladywood Community Library" in page and "B16 8HA" in page
    assert re.search(r"<dt>Step-free access</dt><dd>Yes</dd>", page)
    assert re.search(r"<dt>Parking</dt><dd>No</dd>", page)
    assert "Lift to the first floor" in page
    assert "Bring <strong>questions</strong> &amp; ideas." in page
    assert "A drop-in session where you can talk to your local officers" in page  # the type's description
    assert "PCSO Aisha Khan from the Ladywood Neighbourhood Team." in page
    assert "aisha@example.org" not in page  # no personal email unless the officer opts in
    assert "Drop-ins are welcome." in page
    assert "Add to Google Calendar" in page and "Add to Outlook.com" in page and "webcal://localhost/teams/" in page


def test_contact_email_only_when_opted_in(client, make_event):
    event = make_event(MARCH_2031, contact_email_public=True)
    assert 'href="mailto:aisha@example.org"' in body(client.get(f"/events/{event.occurrences[0].id}"))


def test_drafts_are_not_public_but_staff_of_the_team_can_preview(client, make_event, login_as, officer, outsider):
    event = make_event(MARCH_2031, publish=False)
    url = f"/events/{event.occurrences[0].id}"
    assert client.get(url).status_code == 404
    assert "Tuesday" not in body(client.get("/events"))
    login_as(outsider)
    assert client.get(url).status_code == 404
    client.post(
        "/logout",
        data={"csrf_token": re.search(r'name="csrf-token" content="([^"]+)"', body(client.get("/"))).group(1)},
    )
    login_as(officer)
    preview = client.get(url)
    assert preview.status_code == 200 and "Preview: this event is a draft" in body(preview)


def test_unknown_occurrence_is_a_404_with_a_message(client, app):
    response = client.get("/events/999999")
    assert response.status_code == 404 and "We could not find that event" in body(response)
    # Beyond the database's integer range: still a 404, never an overflow error.
    assert client.get("/events/2147483648").status_code == 404
    assert client.get("/events/99999999999999999999").status_code == 404


def test_event_list_filters_and_marks_cancellations(client, db, make_event, types, other_team, make_user):
    ours = make_event(MARCH_2031, title="Surgery in Ladywood")
    make_event(MARCH_2031 + timedelta(days=1), title="Cuppa in Ladywood", type_slug="cuppa-with-a-copper")
    theirs = make_event(
        MARCH_2031 + timedelta(days=2),
        title="Coventry meeting",
        team=other_team,
        venue=None,
        online_url="https://example.org/meet",
        contact=None,
        actor=make_user(role="coordinator"),
    )
    cancel_event(ours, actor=None, reason="Cancelled due to operational demands")
    db.session.commit()
    everything = body(client.get("/events"))
    assert (
        everything.index("Surgery in Ladywood")
        < everything.index("Cuppa in Ladywood")
        < everything.index("Coventry meeting")
    )
    assert "Cancelled due to operational demands" in everything and "3 upcoming events" in everything
    assert "Tuesday 4 March 2031" in everything  # day headings
    by_team = body(client.get("/events?team=foleshill"))
    assert "Coventry meeting" in by_team and "Ladywood" not in by_team.split("<main")[1].split("</form>")[1]
    by_type = body(client.get("/events?type=cuppa-with-a-copper"))
    assert "Cuppa in Ladywood" in by_type and "Surgery in Ladywood" not in by_type
    by_area = body(client.get("/events?area=Coventry"))
    assert "Coventry meeting" in by_area and "Cuppa in Ladywood" not in by_area
    by_date = body(client.get("/events?from_date=2031-03-05&to_date=2031-03-05"))
    assert "Cuppa in Ladywood" in by_date and "Coventry meeting" not in by_date and "Surgery" not in by_date
    assert theirs.occurrences[0].id


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("team=atlantis", "Choose a team from the list"),
        ("type=rave", "Choose a kind of event from the list"),
        ("from_date=31/02/2031", "Enter a real date"),
        ("from_date=2031-03-05&to_date=2031-03-01", "must be the same as or after"),
    ],
)
def test_bad_filters_are_400_with_a_message_and_keep_input(client, app, query, message):
    response = client.get(f"/events?{query}")
    assert response.status_code == 400
    page = body(response)
    assert "There is a problem" in page and message in page
    if "31/02" in query:
        assert 'value="31/02/2031"' in page


def test_event_list_pages_and_past_events_drop_off(client, db, make_event):
    for n in range(23):
        make_event(MARCH_2031 + timedelta(days=n), title=f"Surgery number {n:02d}")
    make_event(datetime(2026, 9, 10, 18, 0), title="Long gone surgery", publish=False)
    first = body(client.get("/events"))
    assert "Surgery number 19" in first and "Surgery number 20" not in first and "Page 1 of 2" in first
    second = body(client.get("/events?page=2"))
    assert "Surgery number 22" in second and "Surgery number 00" not in second
    assert "Long gone" not in first + second


def test_team_page_lists_the_teams_next_events(client, make_event, team):
    make_event(MARCH_2031, title="Surgery at the library")
    page = body(client.get(f"/teams/{team.slug}"))
    assert "Coming up" in page and "Surgery at the library" in page and "6pm to 7:30pm" in page
    assert "Tuesday 4 March 2031" in page


def test_empty_team_page_says_nothing_is_planned(client, team):
    assert "The team has no events planned at the moment" in body(client.get(f"/teams/{team.slug}"))


def test_description_is_sanitised_on_the_way_out_too(client, db, make_event):
    """Even if raw HTML reached the database (an old import, a bug), the page cannot run it."""
    event = make_event(MARCH_2031)
    event.description = '<script>alert(1)</script><a href="javascript:alert(2)">x</a> <img src=x onerror=alert(3)> ok'
    db.session.commit()
    page = body(client.get(f"/events/{event.occurrences[0].id}"))
    main = page.split('id="main-content"')[1]
    assert "alert(" not in main and "<img" not in main and "javascript:" not in main
    assert '<a rel="nofollow noopener">x</a>' in main and "ok" in main
