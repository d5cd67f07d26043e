"""News in a resident's language (issue 15): officers' words marked on right-to-left pages, and the
feeds' ?lang= variants (their own cache entry and self link; English bytes unchanged)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.news.helpers import read_feed

TITLE = "Bike marking, Saturday!"


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_an_english_post_on_urdu_pages_finds_its_own_direction(client, make_post):
    post = make_post(TITLE, summary="Free, at the library.")
    for url in ("/news?lang=ur", "/teams/ladywood?lang=ur"):
        [link] = soup(client.get(url)).select(".news-title a")
        assert link.get_text() == TITLE and (link["dir"], link["lang"]) == ("auto", "en-GB"), url
    page = soup(client.get(f"/news/{post.id}?lang=ur"))
    assert page.html["dir"] == "rtl"
    assert (page.h1["dir"], page.h1["lang"]) == ("auto", "en-GB")
    assert page.select_one(".prose")["dir"] == "auto" and page.select_one(".lead")["dir"] == "auto"
    english = soup(client.get(f"/news/{post.id}?lang=en"))  # the cookie says Urdu by now
    assert english.h1["dir"] == "auto" and not english.h1.has_attr("lang")


@pytest.mark.parametrize("url", ["/news.rss", "/news.atom", "/teams/ladywood/news.rss", "/teams/ladywood/news.atom"])
def test_a_feed_asked_for_in_urdu_keeps_lang_and_english_stays_the_same(client, make_post, url):
    make_post(TITLE)
    english = client.get(url).get_data()
    urdu = client.get(url + "?lang=ur")
    assert [link.href for link in read_feed(urdu).feed.links if link.rel == "self"] == [
        f"http://localhost{url}?lang=ur"
    ]
    assert "نیبرہڈ ٹیم" in urdu.get_data(as_text=True)  # "Neighbourhood Team" in the author, in Urdu
    again = client.get(url)  # after the Urdu one was built and cached: still the English bytes
    assert again.get_data() == english and "?lang=" not in english.decode()
    assert again.headers["ETag"] != urdu.headers["ETag"]
