"""News fixtures: two teams, their officers, a coordinator, and a post factory."""

from __future__ import annotations

import pytest

from engagement.news.services import PostDetails, save_post


@pytest.fixture
def team(make_team):
    return make_team(name="Ladywood", coverage=["B1", "B16 8"])


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
def make_post(db, officer, team):
    counter = iter(range(1, 100_000))

    def factory(title=None, *, actor=None, team=team, area=None, publish=True, body="Some **news**.", summary=None):
        n = next(counter)
        details = PostDetails(
            title=title or f"Post {n}", summary=summary or f"Summary {n}", body=body, team=team, area=area
        )
        post = save_post(None, details, actor=actor if actor is not None else officer, publish=publish)
        db.session.commit()
        return post

    return factory
