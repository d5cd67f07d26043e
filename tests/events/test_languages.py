"""Events in more than one language (issue 15): languages spoken at an event, and its translated text.

On the staff form, the event page (mixed-direction DOM: an Urdu title beside an English venue and a
postcode), the public list filter, the API fields and filter, and the calendar feeds (the filter,
?lang= variants, and unchanged bytes for events that say nothing about languages)."""

from __future__ import annotations

from datetime import datetime

import icalendar
import pytest
from bs4 import BeautifulSoup

from engagement.core.errors import DomainError
from engagement.events import services
from engagement.events.details import details_of
from engagement.events.models import Event
from tests.events.helpers import MARCH_2031, body, form_fields

URDU_TITLE = "لیڈی وڈ میں پولیس سے ملاقات"
URDU_TEXT = "اپنے مقامی افسران سے بات کریں۔"


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


@pytest.fixture
def spoken_event(make_event):
    """A surgery whose officers speak English, Urdu and Punjabi, with its title and description in Urdu."""
    return make_event(
        MARCH_2031,
        title="Police surgery at Ladywood Library",
        description="Come and talk to us.",
        languages=["pa", "en", "ur"],  # stored in the list's order, whatever order they came in
        translations={"ur": {"title": URDU_TITLE, "description": URDU_TEXT}},
    )


# --- the staff form ------------------------------------------------------------------------


def test_officer_sets_languages_and_a_translation_on_the_form(
    client, db, login_as, post_form, officer, team, types, venue
):
    login_as(officer)
    page = soup(client.get("/staff/events/new"))
    urdu = page.find("input", attrs={"name": "title_ur"})
    assert urdu["lang"] == "ur" and urdu["dir"] == "rtl"  # the officer types Urdu right to left
    assert page.find("label", attrs={"for": "title_pl"}).get_text(strip=True) == "Title in Polish"
    boxes = {box["value"]: box for box in page.find_all("input", attrs={"name": "languages"})}
    assert {"en", "ur", "pa", "bn", "pl", "ar", "so"} <= set(boxes)
    assert page.find("label", attrs={"for": boxes["bn"]["id"]}).get_text(strip=True) == "Bengali"  # in English

    data = form_fields(team, types, venue, officer, title_ur=URDU_TITLE, description_ur=URDU_TEXT)
    response = post_form("/staff/events/new", {**data, "languages": ["ur", "en"]})
    assert response.status_code == 302, body(response)
    event = db.session.scalars(db.select(Event)).one()
    assert event.language_codes == ["en", "ur"]
    assert event.translations == {"ur": {"title": URDU_TITLE, "description": URDU_TEXT}}

    edit = soup(client.get(f"/staff/events/{event.id}/edit"))
    assert edit.find("input", attrs={"name": "title_ur"})["value"] == URDU_TITLE  # kept for the next edit
    assert edit.find("input", attrs={"name": "languages", "value": "ur"}).has_attr("checked")


def test_a_translated_description_without_its_title_is_refused_with_everything_kept(
    client, db, login_as, post_form, officer, team, types, venue
):
    login_as(officer)
    data = form_fields(team, types, venue, officer, description_pl="Zapraszamy.", title_ar="<b>x</b>")
    response = post_form("/staff/events/new", data)
    assert response.status_code == 400
    page = soup(response)
    summary = [a["href"] for a in page.select(".error-summary a")]
    assert set(summary) == {"#title_pl", "#title_ar"}
    assert "Enter the title in Polish" in body(response)
    assert page.find("textarea", attrs={"name": "description_pl"}).get_text().strip() == "Zapraszamy."
    assert db.session.scalar(db.select(db.func.count(Event.id))) == 0


def test_unknown_language_codes_are_refused_by_the_service(make_event, officer, types, team, venue):
    event = make_event(MARCH_2031)
    details = details_of(event)
    details.languages = ["en", "xx"]
    with pytest.raises(DomainError) as refused:
        services.update_event(event, actor=officer, details=details)
    assert refused.value.field == "languages"


def test_splitting_a_series_keeps_languages_and_translations(db, make_event, officer):
    from engagement.events import series
    from engagement.events.details import When
    from engagement.events.recurrence import RepeatPattern

    event = make_event(MARCH_2031, pattern=RepeatPattern("weekly", count=4), languages=["ur"],
                       translations={"ur": {"title": URDU_TITLE, "description": ""}})  # fmt: skip
    third = event.occurrences[2]
    target = series.change_following(
        third, actor=officer, when=When(datetime(2031, 3, 18, 19, 0)), pattern=RepeatPattern("weekly", count=2),
        venue=event.venue, online_url="",
    )  # fmt: skip
    db.session.commit()
    assert target.id != event.id
    assert target.language_codes == ["ur"] and target.translations["ur"]["title"] == URDU_TITLE


# --- the event page ------------------------------------------------------------------------


def test_event_page_says_which_languages_officers_speak_in_the_readers_language(client, spoken_event):
    url = f"/events/{spoken_event.occurrences[0].id}"
    english = soup(client.get(url))
    assert (
        english.select_one(".spoken-languages").get_text() == "Officers at this event speak English, Urdu and Punjabi."
    )
    assert english.h1.get_text() == "Police surgery at Ladywood Library"
    assert english.h1.get("lang") is None and english.h1["dir"] == "auto"
    polish = soup(client.get(url + "?lang=pl"))
    line = polish.select_one(".spoken-languages").get_text()
    assert "angielski, urdu i pendżabski" in line  # CLDR names and list pattern in Polish
    assert polish.h1.get_text() == "Police surgery at Ladywood Library"  # no Polish translation: the original
    assert polish.h1["lang"] == "en-GB"  # marked as English on a Polish page


def test_mixed_direction_page_urdu_title_english_venue_and_postcode(client, spoken_event):
    """The Urdu translation is marked lang/dir; the English venue is isolated in <bdi>, the postcode LTR."""
    page = soup(client.get(f"/events/{spoken_event.occurrences[0].id}?lang=ur"))
    assert page.html["lang"] == "ur" and page.html["dir"] == "rtl"
    assert page.h1.get_text() == URDU_TITLE
    assert (page.h1["lang"], page.h1["dir"]) == ("ur", "rtl")
    prose = page.select_one(".prose")
    assert (prose["lang"], prose["dir"]) == ("ur", "rtl") and URDU_TEXT in prose.get_text()
    address = page.select_one("p.address")
    names = [b.get_text() for b in address.find_all("bdi")]
    assert "Ladywood Community Library" in names
    postcode = address.find("bdi", attrs={"dir": "ltr"})
    assert postcode.get_text() == "B16 8HA"
    assert URDU_TITLE in page.title.get_text()
    assert "اردو" in page.select_one(".spoken-languages").get_text()  # "Urdu" named in Urdu


def test_the_list_shows_the_translation_and_filters_by_language(client, make_event, spoken_event):
    make_event(MARCH_2031, title="Cuppa with a Copper", languages=["en", "pl"])
    make_event(MARCH_2031, title="Public meeting")  # languages not given
    everything = soup(client.get("/events"))
    assert len(everything.select("a.event-title")) == 3
    urdu = soup(client.get("/events?language=ur&lang=ur"))
    [link] = urdu.select("a.event-title")
    assert link.get_text() == URDU_TITLE and link["lang"] == "ur" and link["dir"] == "rtl"
    polish = soup(client.get("/events?language=pl"))
    assert [a.get_text() for a in polish.select("a.event-title")] == ["Cuppa with a Copper"]
    assert polish.find("select", attrs={"name": "language"}).find("option", selected=True)["value"] == "pl"
    refused = client.get("/events?language=klingon&lang=en")  # the cookie says Urdu by now
    assert refused.status_code == 400 and "Choose a language from the list" in body(refused)


# --- the API -------------------------------------------------------------------------------


def test_api_carries_languages_and_every_translation(client, make_event, spoken_event):
    make_event(MARCH_2031, title="Public meeting")
    items = client.get("/api/v1/events?from=2031-03-01").get_json()["items"]
    by_title = {item["title"]: item for item in items}
    spoken = by_title["Police surgery at Ladywood Library"]  # the original title, unchanged
    assert spoken["languages"] == ["en", "ur", "pa"]
    assert spoken["translations"] == {"ur": {"title": URDU_TITLE}}
    assert by_title["Public meeting"]["languages"] == [] and by_title["Public meeting"]["translations"] == {}
    only = client.get("/api/v1/events?from=2031-03-01&language=pa").get_json()["items"]
    assert [item["title"] for item in only] == ["Police surgery at Ladywood Library"]
    bad = client.get("/api/v1/events?language=xx")
    assert bad.status_code == 400 and "no language" in bad.get_json()["error"]


# --- the calendar feeds --------------------------------------------------------------------


def _events(data: bytes) -> dict[str, icalendar.Event]:
    return {str(c["uid"]): c for c in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def test_feed_filters_by_language_and_adds_the_line_only_where_languages_were_given(client, make_event, spoken_event):
    plain = make_event(MARCH_2031, title="Public meeting")
    whole = client.get("/calendar.ics")
    assert whole.status_code == 200
    entries = _events(whole.data)
    assert "Languages spoken: English, Urdu and Punjabi" in str(entries[spoken_event.uid]["description"])
    assert "Languages spoken" not in str(entries[plain.uid]["description"])
    assert str(entries[spoken_event.uid]["summary"]) == "Police surgery at Ladywood Library"  # the original

    filtered = client.get("/calendar.ics?language=ur")
    assert list(_events(filtered.data)) == [spoken_event.uid]
    assert filtered.headers["ETag"] != whole.headers["ETag"] or filtered.data != whole.data
    team_feed = client.get(f"/teams/{spoken_event.team.slug}/calendar.ics?language=pl")
    assert _events(team_feed.data) == {}
    missing = client.get("/calendar.ics?language=xx")
    assert missing.status_code == 404 and "no language 'xx'" in missing.get_data(as_text=True)

    urdu = _events(client.get("/calendar.ics?lang=ur").data)
    assert str(urdu[spoken_event.uid]["summary"]) == URDU_TITLE  # ?lang=: the officer's translation
    assert URDU_TEXT in str(urdu[spoken_event.uid]["description"])
    assert str(urdu[plain.uid]["summary"]) == "Public meeting"
    assert str(_events(client.get("/calendar.ics").data)[spoken_event.uid]["summary"]) != URDU_TITLE  # own entry


def test_an_event_without_languages_writes_the_same_bytes_as_before(app, db, make_event):
    """Existing subscribers see no change: the entry of an event with no languages and no translations is
    exactly what the feed wrote before this feature (the description's lines, in the same order)."""
    from engagement.core.db import utcnow
    from engagement.events import ical

    event = make_event(MARCH_2031, title="Public meeting", description="Come along.")
    with app.test_request_context("/calendar.ics"):
        text = ical.description(event, "http://localhost/events/1")
        body_bytes, _ = ical.event_fragment(event, utcnow())
    assert text == "Come along.\n\n" + ical.signup_text(event) + "\n\nDetails: http://localhost/events/1"
    assert b"Languages" not in body_bytes and b"SUMMARY:Public meeting\r\n" in body_bytes
