"""News feeds read back with feedparser: identity, absolute links, dates, conditional GET, cost."""

from __future__ import annotations

import pytest

from engagement.news.services import PostDetails, save_post, unpublish_post
from tests.news.helpers import read_feed
from tests.support.queries import count_queries

FEEDS = ["/news.rss", "/news.atom", "/teams/ladywood/news.rss", "/teams/ladywood/news.atom"]


@pytest.mark.parametrize("url", FEEDS)
def test_feed_parses_with_stable_ids_and_absolute_links(client, make_post, url):
    post = make_post("Bike marking & more", body="Bring your **bike**.", summary="Free bike marking on Saturday.")
    response = client.get(url)
    feed = read_feed(response)
    kind = "rss20" if url.endswith(".rss") else "atom10"
    assert feed.version == kind
    assert response.mimetype == ("application/rss+xml" if kind == "rss20" else "application/atom+xml")
    self_links = [link.href for link in feed.feed.links if link.rel == "self"]
    assert self_links == [f"http://localhost{url}"]
    [entry] = feed.entries
    assert entry.id == post.guid
    assert entry.link == f"http://localhost/news/{post.id}"
    assert entry.title == "Bike marking & more"
    assert entry.summary == "Free bike marking on Saturday."
    assert "<strong>bike</strong>" in entry.content[0].value
    assert entry.published_parsed[:6] == post.published_at.timetuple()[:6]
    body = response.get_data(as_text=True)
    if kind == "rss20":
        assert "<pubDate>" in body and "+0000</pubDate>" in body and "<dc:creator>PCSO Aisha Khan" in body
        assert f'<guid isPermaLink="false">{post.guid}</guid>' in body
    else:
        assert entry.author == "PCSO Aisha Khan, Ladywood Neighbourhood Team"


def test_guid_survives_edits(client, db, make_post, officer):
    post = make_post("Original title")
    first = read_feed(client.get("/news.rss")).entries[0].id
    save_post(post, PostDetails("Better title", "S", "B", post.team), actor=officer)
    db.session.commit()
    entry = read_feed(client.get("/news.rss")).entries[0]
    assert entry.id == first == post.guid and entry.title == "Better title"


def test_team_feed_has_area_and_force_posts_not_other_teams(client, make_post, coordinator, other_team):
    make_post("Ours")
    make_post("Theirs", actor=coordinator, team=other_team)
    make_post("Area", actor=coordinator, team=None, area="Birmingham")
    make_post("Force", actor=coordinator, team=None)
    titles = [e.title for e in read_feed(client.get("/teams/ladywood/news.rss")).entries]
    assert titles == ["Force", "Area", "Ours"]
    assert client.get("/teams/atlantis/news.rss").status_code == 404


def test_conditional_get_304_then_change_after_take_down(client, db, make_post, officer):
    post = make_post("One")
    make_post("Two")
    first = client.get("/news.rss")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get("/news.rss", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/news.rss", headers={"If-Modified-Since": modified}).status_code == 304
    unpublish_post(post, actor=officer)
    db.session.commit()
    changed = client.get("/news.rss", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert [e.title for e in read_feed(changed).entries] == ["Two"]


def test_feed_holds_the_latest_50(client, make_post):
    for n in range(55):
        make_post(f"Post {n}")
    entries = read_feed(client.get("/news.atom")).entries
    assert len(entries) == 50 and entries[0].title == "Post 54" and entries[-1].title == "Post 5"


def test_empty_feed_is_still_valid(client, team):
    feed = read_feed(client.get("/teams/ladywood/news.rss"))
    assert feed.entries == [] and feed.feed.title == "Ladywood Neighbourhood Team news"


@pytest.mark.parametrize("url", ["/news.rss", "/teams/ladywood/news.atom"])
def test_feed_costs_the_same_for_1_and_200_posts(app, client, make_post, url):
    make_post("first")
    with count_queries() as one:
        read_feed(client.get(url))
    for n in range(199):
        make_post(f"post {n}")
    with count_queries() as many:
        assert len(read_feed(client.get(url)).entries) == 50
    assert len(many) == len(one)


def test_links_come_from_base_url_not_from_the_request(app, client, make_post):
    """Behind a proxy the request may say any host; feed readers must always get the public address."""
    app.config["BASE_URL"] = "https://engage.example.org/police"
    post = make_post()
    feed = read_feed(client.get("/news.rss", headers={"Host": "10.0.0.5:8000"}))
    assert [link.href for link in feed.feed.links if link.rel == "self"] == [
        "https://engage.example.org/police/news.rss"
    ]
    assert feed.entries[0].link == f"https://engage.example.org/police/news/{post.id}"
