"""Officers' own words on right-to-left pages (issue 15): English titles, venue and team names keep
their punctuation at their own end, because each carries dir="auto" or sits in a <bdi>.

Checked in the DOM (BeautifulSoup) on the public list, the team page's "Coming up" and the embed,
in Urdu; and on English pages, where English inside English text is left exactly as it was."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.events.helpers import MARCH_2031

TITLE = "Cuppa with a Copper!"  # the "!" must stay at the right-hand end on an Urdu page


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


@pytest.fixture
def cuppa(make_event):
    return make_event(MARCH_2031, title=TITLE)


def _english_isolated(element) -> None:
    """Marked English, direction from its own letters (a <bdi> is dir="auto" by default)."""
    assert element.get("dir", "auto" if element.name == "bdi" else None) == "auto"
    assert element["lang"] == "en-GB"


@pytest.mark.parametrize("url", ["/events?lang=ur", "/teams/ladywood?lang=ur"])
def test_an_english_title_venue_and_team_in_an_urdu_list(client, cuppa, url):
    page = soup(client.get(url))
    assert page.html["dir"] == "rtl"
    [link] = page.select("a.event-title")
    assert link.get_text() == TITLE
    _english_isolated(link)
    names = {bdi.get_text(): bdi for bdi in link.find_parent("li").select(".event-meta bdi")}
    assert "Ladywood Community Library" in names  # the venue
    _english_isolated(names["Ladywood Community Library"])
    assert "Police surgery" in names  # the kind of event, an officer's name for it


def test_the_embed_in_urdu_isolates_the_title_venue_and_team(client, cuppa):
    page = soup(client.get("/embed/teams/ladywood?lang=ur"))
    [link] = page.select("a.event-title")
    _english_isolated(link)
    _english_isolated(page.h1.find("bdi"))  # "Ladywood" inside the translated heading
    assert page.h1.find("bdi").get_text() == "Ladywood"
    venue = page.select_one(".event-meta bdi")
    assert venue.get_text() == "Ladywood Community Library"


def test_english_pages_keep_their_text_and_isolate_only_right_to_left_words(client, make_event, db, venue):
    make_event(MARCH_2031, title=TITLE)
    page = soup(client.get("/events"))
    [link] = page.select("a.event-title")
    assert link["dir"] == "auto" and not link.has_attr("lang")
    meta = link.find_parent("li").select_one(".event-meta")
    assert meta.find("bdi") is None and "Ladywood Community Library" in meta.get_text()
    venue.name = "مسجد ہال"  # an officer writes a venue's name in Urdu: isolated on the English page too
    db.session.commit()
    page = soup(client.get("/events"))
    assert page.select_one(".event-meta bdi").get_text() == "مسجد ہال"
