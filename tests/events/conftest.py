"""Event fixtures: the five standard types, a team with an officer and a venue, and an event factory."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engagement.events.details import EventDetails, When
from engagement.events.models import EventType
from engagement.events.services import create_event, ensure_default_types, save_venue

# A fixed "now" for service tests, before the autumn 2026 clock change.
NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def types(db):
    ensure_default_types()
    db.session.commit()
    return {t.slug: t for t in db.session.scalars(db.select(EventType)).all()}


@pytest.fixture
def team(make_team):
    return make_team(name="Ladywood", coverage=["B1", "B16 8"], contact_email="ladywood.npt@example.org")


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
def venue(db, team, officer):
    place = save_venue(
        None,
        actor=officer,
        team=team,
        name="Ladywood Community Library",
        address="Ladywood Middleway",
        postcode="B16 8HA",
        step_free=True,
        hearing_loop=True,
        access_notes="Lift to the first floor",
    )
    db.session.commit()
    return place


@pytest.fixture
def other_venue(db, team, officer):
    place = save_venue(
        None,
        actor=officer,
        team=team,
        name="St John's Church Hall",
        address="Monument Road",
        postcode="B16 8UU",
        parking=True,
    )
    db.session.commit()
    return place


@pytest.fixture
def make_event(db, types, team, officer, venue):
    """create_event with sensible defaults; commits, like a view would."""

    def factory(
        start,
        end=None,
        *,
        pattern=None,
        publish=True,
        now=NOW,
        type_slug="police-surgery",
        actor=None,
        all_day=False,
        **details,
    ):
        values = {
            "team": team,
            "event_type": types[type_slug],
            "title": "Police surgery",
            "venue": venue,
            "contact": officer,
        } | details
        event = create_event(
            actor=actor or officer,
            details=EventDetails(**values),
            when=When(start, end, all_day),
            pattern=pattern,
            publish=publish,
            now=now,
        )
        db.session.commit()
        return event

    return factory
