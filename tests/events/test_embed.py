"""/embed/teams/<slug>: a small standalone list other sites may iframe; framing is allowed there only."""

from __future__ import annotations

from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest

from engagement.events import series
from engagement.events.recurrence import RepeatPattern
from engagement.events.services import cancel_event
from tests.events.conftest import NOW
from tests.events.test_query_counts import add_events
from tests.support.html import without_bdi
from tests.support.queries import count_queries

FIRST = datetime(2031, 3, 4, 18, 0)  # a Tuesday, GMT


class Page(HTMLParser):
    """What a browser would see: links with their targets, headings, landmarks, visible text."""

    def __init__(self, html: str):
        super().__init__()
        self.links: list[dict] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self._link: dict | None = None
        self.feed(without_bdi(html))  # `<bdi>` isolates numbers inside a sentence; a browser reads one sentence

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "a":
            self._link = dict(attrs) | {"text": ""}
            self.links.append(self._link)
        if tag == "html":
            self.lang = dict(attrs).get("lang")

    def handle_endtag(self, tag):
        if tag == "a":
            self._link = None

    def handle_data(self, data):
        self.text.append(data)
        if self._link is not None:
            self._link["text"] += data

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())

    def link(self, text: str) -> dict:
        [found] = [link for link in self.links if link["text"].strip() == text]
        return found


def embed(client, slug: str, query: str = "", status: int = 200):
    response = client.get(f"/embed/teams/{slug}{query}")
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    return response, Page(response.get_data(as_text=True))


def test_embed_lists_the_next_events_with_absolute_links_that_leave_the_frame(client, db, make_event, team, officer):
    weekly = make_event(
        FIRST, FIRST + timedelta(minutes=90), pattern=RepeatPattern("weekly", count=3), title="Weekly surgery"
    )
    series.cancel_occurrence(weekly.occurrences[1], actor=officer, reason="Operational demands", now=NOW)
    make_event(FIRST + timedelta(days=1), venue=None, online_url="https://meet.example.org/x", title="Online chat")
    make_event(FIRST + timedelta(days=2), title="Draft", publish=False)
    db.session.commit()

    response, page = embed(client, team.slug)
    assert page.lang == "en-GB"
    assert page.tags.count("h1") == 1 and "main" in page.tags
    assert "Ladywood Neighbourhood Team: coming up" in page.words
    # No site header, navigation, footer or forms: just the list.
    assert "nav" not in page.tags and "form" not in page.tags and "header" not in page.tags
    assert "Staff sign in" not in page.words and "csrf-token" not in response.get_data(as_text=True)
    # But still the warning that this is not for reporting crime.
    assert "This is not for reporting crime. In an emergency, call 999." in page.words

    surgeries = [lnk for lnk in page.links if lnk["text"] == "Weekly surgery"]
    assert [lnk["href"] for lnk in surgeries] == [f"http://localhost/events/{o.id}" for o in weekly.occurrences]
    assert {lnk["target"] for lnk in surgeries} == {"_top"}
    assert "Tuesday 4 March 2031, 6pm to 7:30pm" in page.words
    assert "Ladywood Community Library, B16 8HA · Police surgery" in page.words
    assert "Cancelled" in page.words and "Operational demands" in page.words
    assert "Wednesday 5 March 2031, 6pm to 7:30pm" in page.words and "Online · Police surgery" in page.words
    assert "Draft" not in page.words

    assert page.link(f"All {team.name} events")["href"] == f"http://localhost/events?team={team.slug}"
    assert page.link(f"About the {team.name} Neighbourhood Team")["href"] == f"http://localhost/teams/{team.slug}"
    assert page.link("Subscribe to the team's calendar")["href"] == f"webcal://localhost/teams/{team.slug}/calendar.ics"
    assert page.link("calendar web address")["href"] == f"http://localhost/teams/{team.slug}/calendar.ics"
    # Every link goes to our site, absolute, out of the frame.
    assert all(lnk["target"] == "_top" for lnk in page.links if lnk.get("class") != "skip-link")
    assert all(lnk["href"].startswith(("http://localhost/", "webcal://localhost/")) for lnk in page.links[1:])


def test_embed_shows_the_next_five_by_default_and_takes_a_bounded_limit(client, make_event, team):
    for n in range(25):
        make_event(FIRST + timedelta(days=n), title=f"Surgery {n}")

    def listed(query=""):
        return [lnk["text"] for lnk in embed(client, team.slug, query)[1].links if lnk["text"].startswith("Surgery")]

    assert listed() == [f"Surgery {n}" for n in range(5)]
    assert listed("?limit=2") == ["Surgery 0", "Surgery 1"]
    assert len(listed("?limit=1000")) == 20
    assert len(listed("?limit=0")) == 1
    assert len(listed("?limit=lots")) == 5


def test_embed_of_a_team_without_events_says_so(client, team):
    _, page = embed(client, team.slug)
    assert "The team has no events planned at the moment." in page.words


def test_a_cancelled_event_is_marked(client, db, make_event, team, officer):
    cancel_event(make_event(FIRST, title="Called off"), actor=officer, reason="Venue closed", now=NOW)
    db.session.commit()
    _, page = embed(client, team.slug)
    assert "Called off Cancelled" in page.words and "Venue closed" in page.words


def test_unknown_team_is_a_404_that_can_still_be_framed(client):
    response, page = embed(client, "no-such-team", status=404)
    assert "Team not found" in page.words and "call 999" in page.words
    assert "X-Frame-Options" not in response.headers
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]


def test_only_embed_pages_may_be_framed(client, team, make_event):
    make_event(FIRST, title="Surgery")
    response, _ = embed(client, team.slug)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp and "'none'" not in csp.split("frame-ancestors")[1]
    assert "X-Frame-Options" not in response.headers
    assert "DENY" not in str(response.headers)
    assert "Set-Cookie" not in response.headers  # so a shared cache may keep it
    assert response.headers["Cache-Control"] == "public, max-age=300"

    for url in ("/", "/events", f"/teams/{team.slug}", "/api/v1/events", f"/teams/{team.slug}/events.json", "/login"):
        other = client.get(url)
        assert other.status_code == 200, url
        assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"], url
        assert other.headers["X-Frame-Options"] == "DENY", url


@pytest.mark.parametrize("path", ["/embed/teams/", "/embed/", "/embed/teams/ladywood/extra"])
def test_other_embed_paths_are_plain_404s(client, path):
    assert client.get(path).status_code == 404


def test_embed_costs_the_same_for_1_and_200_events(app, db, client, types, team, officer):
    slug = team.slug

    def measure():
        embed(client, slug, "?limit=20")
        with count_queries(db.engine) as statements:
            _, page = embed(client, slug, "?limit=20")
        return len(statements), page

    add_events(db, team, types, [officer], 1, 0)
    one, page = measure()
    add_events(db, team, types, [officer], 199, 1)
    many, page = measure()
    assert len([lnk for lnk in page.links if lnk["text"].startswith("Surgery")]) == 20
    assert one == many == 2  # the team, then its dates


def test_embed_shows_android_the_web_address_not_webcal(client, team):
    android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"
    response = client.get(f"/embed/teams/{team.slug}", headers={"User-Agent": android})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "webcal://" not in text and f"/teams/{team.slug}/calendar.ics" in text
    assert "webcal://" in client.get(f"/embed/teams/{team.slug}").get_data(as_text=True)
