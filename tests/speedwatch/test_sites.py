"""Sites through the services, the bookable check, the expiry warnings (real SMTP) and the dashboard."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engagement.core.audit import AuditEntry
from engagement.core.errors import DomainError
from engagement.core.mail import SENT, OutboxMessage, send_due
from engagement.events.models import Venue
from engagement.speedwatch.expiry import warn_expiring
from engagement.speedwatch.sites import services
from engagement.speedwatch.volunteers.models import APPLIED
from engagement.speedwatch.volunteers.sections import dashboard_section
from tests.conftest import email_text
from tests.speedwatch.conftest import NOW, TODAY
from tests.support.queries import count_queries


def new_site(actor, team, **changes):
    values = {
        "name": "Lichfield Road",
        "road": "Lichfield Road, Sutton Coldfield",
        "speed_limit": "30",
        "location": "Opposite the school gates",
        "latitude": "52.5704",
        "longitude": "-1.8249",
        "volunteer_notes": "Stand on the verge",
        "assessed_on": date(2027, 3, 1),
        "today": TODAY,
    } | changes
    return services.save_site(None, actor=actor, team=team, **values)


def test_new_site_gets_a_venue_and_a_year_long_assessment(db, team, officer):
    site = new_site(officer, team)
    db.session.commit()
    assert site.speed_limit == 30 and site.assessment_expires == date(2028, 3, 1)
    venue = db.session.get(Venue, site.venue_id)
    assert (venue.name, venue.address, venue.team_id) == (
        "Lichfield Road",
        "Lichfield Road, Sutton Coldfield, Opposite the school gates",
        team.id,
    )
    assert (venue.latitude, venue.longitude) == (52.5704, -1.8249)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "speedwatch.site_create")).one()
    assert entry.target_id == str(site.id) and entry.actor_id == officer.id


@pytest.mark.parametrize("limit", ["50", "25", "", "thirty", None])
def test_speed_limit_must_be_20_30_or_40(db, team, officer, limit):
    with pytest.raises(DomainError, match="Choose the speed limit: 20, 30 or 40 mph") as exc:
        new_site(officer, team, speed_limit=limit)
    assert exc.value.field == "speed_limit"


def test_assessment_dates_are_checked(db, team, officer):
    with pytest.raises(DomainError, match="expiry must be after the assessment date") as exc:
        new_site(officer, team, assessment_expires=date(2027, 2, 1))
    assert exc.value.field == "assessment_expires"
    with pytest.raises(DomainError, match="expiry must be after") as exc:
        new_site(officer, team, assessment_expires=date(2027, 3, 1))
    with pytest.raises(DomainError, match="cannot be in the future") as exc:
        new_site(officer, team, assessed_on=TODAY + timedelta(days=1))
    assert exc.value.field == "assessed_on"
    assert db.session.scalar(select(Venue.id)) is None  # nothing half-saved


@pytest.mark.parametrize(
    ("lat", "lon", "field"),
    [
        ("52.5", "", "longitude"),
        ("", "-1.8", "latitude"),
        ("40.4", "-3.7", "latitude"),
        ("52.5", "12", "longitude"),
        ("north", "-1.8", "latitude"),
    ],
)
def test_positions_outside_the_uk_are_refused(db, team, officer, lat, lon, field):
    with pytest.raises(DomainError) as exc:
        new_site(officer, team, latitude=lat, longitude=lon)
    assert exc.value.field == field


def test_officer_of_another_team_cannot_add_a_site(db, team, outsider):
    with pytest.raises(DomainError, match="your own teams") as exc:
        new_site(outsider, team)
    assert exc.value.field == "team"


def test_editing_keeps_the_venue_in_step_and_rearms_the_warning(db, team, officer, site):
    site.expiry_warned_for = site.assessment_expires
    db.session.commit()
    venue_id = site.venue_id
    services.save_site(
        site,
        actor=officer,
        team=None,
        name="Monument Road north",
        road="Monument Road",
        speed_limit=20,
        location="",
        assessed_on=date(2027, 4, 1),
        assessment_expires=None,
        today=TODAY,
    )
    db.session.commit()
    assert site.venue_id == venue_id and site.expiry_warned_for is None
    assert (site.venue.name, site.venue.address, site.venue.latitude) == ("Monument Road north", "Monument Road", None)
    assert site.assessment_expires == date(2028, 4, 1)


def test_check_site_bookable_messages(db, make_site, team):
    site = make_site(team, name="Monument Road", assessed_on=date(2027, 1, 4), expires=date(2027, 6, 30))
    services.check_site_bookable(site, date(2027, 6, 30))
    with pytest.raises(DomainError) as exc:
        services.check_site_bookable(site, date(2027, 7, 1))
    assert exc.value.message == (
        "The risk assessment for Monument Road expired on 30 June 2027: renew it before scheduling shifts there"
    )
    assert exc.value.field == "site"
    with pytest.raises(DomainError, match="is not assessed yet on 3 January 2027"):
        services.check_site_bookable(site, date(2027, 1, 3))
    site.active = False
    with pytest.raises(DomainError, match="no longer an approved site"):
        services.check_site_bookable(site, date(2027, 5, 1))


def _warnings(db):
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_warn_expiring_warns_once_per_expiry_over_real_smtp(db, smtp, team, officer, make_site, make_volunteer):
    soon = make_site(team, name="Soon Road", expires=TODAY + timedelta(days=20))
    make_site(team, name="Later Road", expires=TODAY + timedelta(days=31))
    volunteer = make_volunteer(team, name="Pat Jones", training_expires=TODAY + timedelta(days=30))
    make_volunteer(team, name="Not yet", training_expires=TODAY + timedelta(days=45))
    make_volunteer(team, name="Applicant", status=APPLIED, account=False, training_expires=TODAY)

    assert warn_expiring(now=NOW) == 2
    assert warn_expiring(now=NOW + timedelta(hours=1)) == 0  # running again sends nothing new
    send_due()
    assert all(m.status == SENT for m in _warnings(db))
    by_rcpt = {}
    for _from, rcpts, content in smtp.messages:
        for rcpt in rcpts:
            by_rcpt.setdefault(rcpt, []).append(email_text(content))
    site_mails = [t for t in by_rcpt["sutton.npt@example.org"] if "Soon Road" in t]
    assert len(site_mails) == 1 and "Monday 26 April 2027" in site_mails[0]
    assert any("Soon Road" in t for t in by_rcpt["aisha@example.org"])  # the team's officer too
    [to_volunteer] = by_rcpt[volunteer.email]
    assert "expires on Thursday 6 May 2027" in to_volunteer and "refresher training" in to_volunteer
    digest = [t for t in by_rcpt["sutton.npt@example.org"] if "training" in t]
    assert len(digest) == 1 and "Pat Jones" in digest[0] and "Not yet" not in digest[0]
    assert "Later Road" not in " ".join(t for texts in by_rcpt.values() for t in texts)
    assert soon.expiry_warned_for == soon.assessment_expires

    # A renewed assessment that expires soon again earns a new warning; the old one is not repeated.
    soon.assessment_expires = TODAY + timedelta(days=10)
    db.session.commit()
    assert warn_expiring(now=NOW) == 1


def test_expired_assessment_is_warned_as_expired(db, team, make_site):
    make_site(team, name="Old Road", assessed_on=date(2026, 1, 1), expires=TODAY - timedelta(days=3))
    assert warn_expiring(now=NOW) == 1
    subjects = [m.subject for m in _warnings(db)]
    assert subjects == ["Risk assessment expired: Old Road (Sutton Coldfield Speed Watch)"]  # the contact address


def test_dashboard_lists_what_needs_attention_with_fixed_queries(db, app, team, coordinator, make_site, make_volunteer):
    from engagement.teams.services import all_teams

    def render():
        with app.test_request_context():
            teams = all_teams()
            with count_queries() as seen:
                html = dashboard_section(coordinator, teams)
            return html, len(seen)

    today = date.today()  # the dashboard reads the real clock
    past = today - timedelta(days=100)
    make_site(team, name="Fine Road", assessed_on=past, expires=today + timedelta(days=40))
    html, _ = render()
    assert html == ""
    make_site(team, name="Soon Road", assessed_on=past, expires=today + timedelta(days=5))
    make_volunteer(team, name="Pat Jones", training_expires=today - timedelta(days=1))
    make_volunteer(team, name="Waiting Person", status=APPLIED, account=False)
    html, one = render()
    assert "Soon Road" in html and "Pat Jones" in html and "Application from Waiting Person" in html
    assert "Fine Road" not in html
    for n in range(6):
        make_site(team, name=f"Road {n}", assessed_on=past, expires=today + timedelta(days=n))
        make_volunteer(team, name=f"Late {n}", training_expires=today + timedelta(days=n))
        make_volunteer(team, name=f"Applicant {n}", status=APPLIED, account=False)
    html, many = render()
    assert "Road 5" in html and "Late 5" in html and "Applicant 5" in html
    assert one == many <= 5  # the user and their teams, then one query per list
