"""Following feeds: address checks, permissions, turning an entry into news, and the staff pages."""

from __future__ import annotations

import pytest

from engagement.core.errors import Conflict, DomainError, PermissionDenied
from engagement.feeds.fetch import fetch_source
from engagement.feeds.models import FeedEntry, FeedSource
from engagement.feeds.services import add_source, entry_to_news
from engagement.news.models import DRAFT, NewsPost
from tests.conftest import csrf_token
from tests.feeds.conftest import item, rss


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Enter the feed's web address"),
        ("example.org/feed", "Enter a full web address starting with https://"),
        ("ftp://example.org/feed", "Enter a full web address starting with https://"),
        ("javascript:alert(1)", "Enter a full web address starting with https://"),
        ("https://example.org/a feed", "with no spaces"),
    ],
)
def test_bad_addresses_are_refused(db, team, url, message):
    with pytest.raises(DomainError, match=message) as caught:
        add_source(actor=None, team=team, title="Council", url=url)
    assert caught.value.field == "url"


def test_same_feed_twice_for_a_team_is_a_conflict(db, team):
    add_source(actor=None, team=team, title="Council", url="https://example.org/feed")
    with pytest.raises(Conflict, match="Ladywood already follows that feed"):
        add_source(actor=None, team=team, title="Council again", url="https://example.org/feed")


def test_officer_only_for_own_team(db, team, outsider):
    with pytest.raises(PermissionDenied, match="only add feeds for your own teams"):
        add_source(actor=outsider, team=team, title="Council", url="https://example.org/feed")


def _fetched_entry(db, team, feed_server) -> FeedEntry:
    body = rss(item("c-1", "Road closure on Monument Road", link="https://example.org/roads?id=1",
                    description="<p>Closed <b>Sunday</b> for resurfacing.</p>"))  # fmt: skip
    source = add_source(actor=None, team=team, title="Council [roads]", url=feed_server.serve("/f.rss", body))
    db.session.commit()
    fetch_source(source.id)
    return db.session.scalar(db.select(FeedEntry))


def test_entry_becomes_a_draft_team_post_once(db, team, officer, feed_server):
    entry = _fetched_entry(db, team, feed_server)
    post = entry_to_news(entry, actor=officer)
    db.session.commit()
    assert (post.status, post.team_id, post.title) == (DRAFT, team.id, "Road closure on Monument Road")
    assert post.summary == "Closed Sunday for resurfacing."
    assert post.body == (
        "Closed Sunday for resurfacing.\n\n[Read the full story from Council (roads)](https://example.org/roads?id=1)"
    )
    assert post.author_name == "PCSO Aisha Khan" and entry.news_post_id == post.id
    with pytest.raises(Conflict, match="already been turned into a news post"):
        entry_to_news(entry, actor=officer)


def test_staff_follow_a_feed_and_see_its_failure(client, db, team, officer, login_as, feed_server):
    login_as(officer)
    page = client.get("/staff/feeds/new").get_data(as_text=True)
    assert f'<option value="{team.id}">Ladywood</option>' in page
    bad = client.post("/staff/feeds/new", data={"csrf_token": csrf_token(client), "team": team.id,
                                                "title": "Council", "url": "not a url"})  # fmt: skip
    assert bad.status_code == 400 and "Enter a full web address starting with https://" in bad.get_data(as_text=True)
    url = feed_server.serve("/page", "<html><body>Hello</body></html>", content_type="text/html")
    response = client.post("/staff/feeds/new", data={"csrf_token": csrf_token(client), "team": team.id,
                                                     "title": "Council", "url": url})  # fmt: skip
    assert response.status_code == 302
    source = db.session.scalar(db.select(FeedSource))
    assert feed_server.requests == []  # the request itself fetched nothing
    fetch_source(source.id)
    page = client.get(f"/staff/feeds/{source.id}").get_data(as_text=True)
    assert "This feed is not working" in page and "does not return an RSS or Atom feed" in page


def test_staff_turn_entry_into_news_from_the_page(client, db, team, officer, login_as, feed_server):
    entry = _fetched_entry(db, team, feed_server)
    login_as(officer)
    page = client.get(f"/staff/feeds/{entry.source_id}").get_data(as_text=True)
    assert "Road closure on Monument Road" in page and "Turn into team news" in page
    response = client.post(f"/staff/feeds/entries/{entry.id}/news", data={"csrf_token": csrf_token(client)})
    post = db.session.scalar(db.select(NewsPost))
    assert response.status_code == 302 and response.headers["Location"] == f"/staff/news/{post.id}/edit"


def test_outsider_gets_403_on_anothers_feed(client, db, team, outsider, login_as):
    source = add_source(actor=None, team=team, title="Council", url="https://example.org/feed")
    db.session.commit()
    login_as(outsider)
    assert client.get(f"/staff/feeds/{source.id}").status_code == 403
    assert "Council" not in client.get("/staff/feeds").get_data(as_text=True)
