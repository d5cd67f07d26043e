"""Priorities fixtures: Ladywood with an officer, an officer of another team, a coordinator, and factories."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engagement.priorities.services import PriorityDetails, add_action, create_priority, today


@pytest.fixture
def team(make_team):
    return make_team(name="Ladywood", coverage=["B16"], contact_email="ladywood.npt@example.org",
                     contact_phone="0121 000 0000")  # fmt: skip


@pytest.fixture
def other_team(make_team):
    return make_team(name="Foleshill", area="Coventry", coverage=["CV6"])


@pytest.fixture
def officer(make_user, team):
    return make_user(role="officer", teams=[team], display_name="Aisha Khan", rank="PCSO")


@pytest.fixture
def colleague(make_user, team):
    return make_user(role="officer", teams=[team], display_name="Tom Byrne", rank="PC")


@pytest.fixture
def outsider(make_user, other_team):
    return make_user(role="officer", teams=[other_team], display_name="Joy Adeyemi", rank="PC")


@pytest.fixture
def coordinator(make_user):
    return make_user(role="coordinator", display_name="Sam Patel", rank="")


@pytest.fixture
def make_priority(db, team, officer):
    """create_priority (and actions given as (days ago, text)), committed like a view would."""

    def factory(issue="Speeding on Icknield Port Road", *, days_ago=30, how="meeting", actions=(), of=None, **kw):
        priority = create_priority(of or team, actor=officer if of is None else None,
                                   details=PriorityDetails(issue=issue, set_on=today() - timedelta(days=days_ago),
                                                           how=how, **kw))  # fmt: skip
        for ago, text in actions:
            add_action(priority, actor=None, taken_on=today() - timedelta(days=ago), text=text)
        db.session.commit()
        return priority

    return factory
