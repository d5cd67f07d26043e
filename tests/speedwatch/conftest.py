"""Speed Watch fixtures: a team with an officer, a coordinator, sites and approved volunteers.

Records are built straight from the models here (not through the services under test),
so each test file checks its own services against the same known starting point.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from engagement.accounts.services import create_volunteer_account
from engagement.core.db import utcnow
from engagement.events.models import EventType, Venue
from engagement.events.services import ensure_default_types
from engagement.speedwatch.sites.models import Site
from engagement.speedwatch.volunteers.models import APPROVED, Volunteer

PASSWORD = "correct-horse-battery"
# A fixed "now" for service tests: a Tuesday in spring 2027, after the March clock change.
NOW = datetime(2027, 4, 6, 9, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture
def types(db):
    ensure_default_types()
    db.session.commit()
    return {t.slug: t for t in db.session.scalars(db.select(EventType)).all()}


@pytest.fixture
def team(make_team):
    return make_team(name="Sutton Coldfield", coverage=["B72", "B73"], contact_email="sutton.npt@example.org")


@pytest.fixture
def other_team(make_team):
    return make_team(name="Foleshill", area="Coventry", coverage=["CV6"], contact_email="foleshill.npt@example.org")


@pytest.fixture
def officer(make_user, team):
    return make_user(role="officer", teams=[team], display_name="Aisha Khan", rank="PCSO", email="aisha@example.org")


@pytest.fixture
def outsider(make_user, other_team):
    return make_user(role="officer", teams=[other_team], display_name="Joy Adeyemi", rank="PC")


@pytest.fixture
def coordinator(make_user):
    return make_user(role="coordinator", display_name="Sam Patel", rank="", email="sam.coordinator@example.org")


@pytest.fixture
def make_site(db):
    """A site with its own venue; assessed a month before `assessed_on`'s default and valid for a year."""

    def factory(team, name="Monument Road", speed_limit=30, assessed_on=None, expires=None, **kwargs):
        assessed_on = assessed_on or date(2027, 1, 4)
        expires = expires or assessed_on + timedelta(days=365)
        venue = Venue(team_id=team.id, name=name, address=kwargs.pop("road", "Monument Road, Sutton Coldfield"))
        db.session.add(venue)
        db.session.flush()
        site = Site(
            team_id=team.id,
            venue_id=venue.id,
            name=name,
            road=venue.address,
            speed_limit=speed_limit,
            location=kwargs.pop("location", "Outside the post office, by the lamp post"),
            volunteer_notes=kwargs.pop("volunteer_notes", "Stand on the wide verge. Park at the library."),
            assessed_on=assessed_on,
            assessment_expires=expires,
            **kwargs,
        )
        db.session.add(site)
        db.session.commit()
        return site

    return factory


@pytest.fixture
def site(make_site, team):
    return make_site(team)


@pytest.fixture
def make_volunteer(db):
    """An approved volunteer with a sign-in (password PASSWORD) and training valid until `training_expires`."""
    counter = iter(range(1, 10_000))

    def factory(team, name=None, status=APPROVED, training_expires=None, account=True, **kwargs):
        n = next(counter)
        name = name or f"Volunteer {n}"
        email = kwargs.pop("email", f"volunteer{n}@example.org")
        user = create_volunteer_account(email=email, display_name=name, password=PASSWORD) if account else None
        volunteer = Volunteer(
            team_id=team.id,
            user_id=user.id if user else None,
            name=name,
            email=email,
            phone=kwargs.pop("phone", "07700 900123"),
            status=status,
            applied_at=kwargs.pop("applied_at", utcnow() - timedelta(days=60)),
            decided_at=utcnow() - timedelta(days=50) if status != "applied" else None,
            training_date=kwargs.pop("training_date", date(2027, 1, 10)),
            training_expires=training_expires or date(2028, 1, 10),
            vetting_done=kwargs.pop("vetting_done", status != "applied"),
            **kwargs,
        )
        db.session.add(volunteer)
        db.session.commit()
        return volunteer

    return factory
