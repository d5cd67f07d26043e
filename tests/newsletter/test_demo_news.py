"""`flask demo load` adds believable news, a switched-off demo feed and one sent newsletter, once."""

from __future__ import annotations

from engagement.demo.cli import load_demo
from engagement.feeds.models import FeedSource
from engagement.news.models import NewsPost
from engagement.newsletter.models import DELIVERED, SENT, Delivery, Issue
from tests.news.helpers import read_feed


def test_demo_news_is_idempotent_and_usable(app, db, client):
    first = load_demo()
    db.session.commit()
    assert (first["posts"], first["newsletters"]) == (8, 1)
    again = load_demo()
    db.session.commit()
    assert (again["posts"], again["newsletters"]) == (0, 0)
    assert db.session.scalar(db.select(db.func.count(NewsPost.id))) == 8
    [issue] = db.session.scalars(db.select(Issue)).all()
    assert issue.status == SENT and issue.recipients == 3 and len(issue.items) == 3
    assert set(db.session.scalars(db.select(Delivery.status))) == {DELIVERED}
    assert db.session.scalar(db.select(FeedSource.active)) is False  # never fetched: the address is illustrative
    assert "This is a genuine newsletter" in client.get(f"/verify?code={issue.reference}").get_data(as_text=True)
    assert "Catalytic converter thefts" in client.get(f"/newsletters/{issue.id}").get_data(as_text=True)
    ladywood = read_feed(client.get("/teams/ladywood/news.rss"))
    assert [e.title for e in ladywood.entries][:2] == [
        "Catalytic converter thefts around Monument Road",
        "Courier fraud warning for older residents in Birmingham",
    ]
    assert 10 <= len(read_feed(client.get("/teams/ladywood/events.rss")).entries) <= 50
