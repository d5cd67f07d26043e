"""Newsletter fixtures: teams, staff, confirmed subscribers, and a real SMTP server that can refuse recipients."""

from __future__ import annotations

import re

import pytest

from engagement.core.db import utcnow
from engagement.news.services import PostDetails, save_post
from engagement.newsletter.issues import create_issue
from engagement.newsletter.models import Subscriber, Subscription


@pytest.fixture
def team(make_team):
    return make_team(name="Ladywood", coverage=["B1", "B16 8"])


@pytest.fixture
def neighbour(make_team):
    return make_team(name="Edgbaston", coverage=["B15"])


@pytest.fixture
def other_team(make_team):
    return make_team(name="Foleshill", area="Coventry", coverage=["CV6"])


@pytest.fixture
def officer(make_user, team):
    return make_user(role="officer", teams=[team], display_name="Aisha Khan", rank="PCSO", email="aisha@example.org")


@pytest.fixture
def outsider(make_user, other_team):
    return make_user(role="officer", teams=[other_team], display_name="Joy Adeyemi", rank="PC")


@pytest.fixture
def coordinator(make_user):
    return make_user(role="coordinator", display_name="Margaret Hughes", rank="Engagement coordinator")


@pytest.fixture
def subscribe(db):
    """Confirmed subscribers made directly (the double opt-in itself is tested through the pages)."""

    def make(email, *, team=None, area=None, confirmed=True):
        subscriber = db.session.scalar(db.select(Subscriber).where(Subscriber.email == email))
        if subscriber is None:
            subscriber = Subscriber(email=email, confirmed_at=utcnow() if confirmed else None)
            db.session.add(subscriber)
        subscriber.subscriptions.append(Subscription(team=team, area=area, requested_at=utcnow(),
                                                     confirmed_at=utcnow() if confirmed else None,
                                                     consent_text="test consent"))  # fmt: skip
        db.session.commit()
        return subscriber

    return make


@pytest.fixture
def make_issue(db, officer, team):
    def make(subject="Ladywood news, November", *, intro="Hello from the **team**.", actor=None, **scope):
        scope = scope or {"team": team}
        issue = create_issue(actor=actor or officer, subject=subject, intro=intro, weeks=2, **scope)
        db.session.commit()
        return issue

    return make


@pytest.fixture
def make_post(db, officer, team):
    def make(title="Bike marking on Saturday", summary="Free bike marking at the library."):
        post = save_post(None, PostDetails(title, summary, "Bring your **bike**.", team), actor=officer, publish=True)
        db.session.commit()
        return post

    return make


def body_text(message) -> str:
    return message.get_body(("plain",)).get_content()


def link(message, pattern: str) -> str:
    """The first URL in the plain-text body whose path matches `pattern`, as a path for the test client."""
    found = re.search(r"http://localhost(" + pattern + r"[^\s]*)", body_text(message))
    assert found, body_text(message)
    return found.group(1)
