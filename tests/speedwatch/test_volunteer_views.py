"""Volunteer and site pages over HTTP: the public journey, the approval flow, sign-out on suspension, permissions."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from engagement.accounts.models import User
from engagement.core.audit import AuditEntry
from engagement.core.mail import OutboxMessage
from engagement.speedwatch.sites.models import Site
from engagement.speedwatch.volunteers.models import APPLIED, APPROVED, DECLINED, SUSPENDED, Volunteer
from tests.conftest import csrf_token, email_text, login
from tests.speedwatch.conftest import PASSWORD
from tests.support.html import without_bdi

APPLY = {"name": "Pat Jones", "email": "pat.jones@example.org", "phone": "07700 900123", "consent": "y"}


def apply(client, team, **changes):
    data = {"csrf_token": csrf_token(client), **APPLY, **changes}
    return client.post(f"/teams/{team.slug}/speed-watch/apply", data={k: v for k, v in data.items() if v is not None})


def mail_to(db, address):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == address)).all()


# --- public ----------------------------------------------------------------------------------------


def test_about_page_and_team_page_box(client, team, make_site, make_volunteer):
    make_volunteer(team, name="Secret Volunteer")
    page = client.get(f"/teams/{team.slug}")
    assert "Volunteer for Community Speed Watch" not in page.get_data(as_text=True)  # no site yet
    make_site(team)
    page = client.get(f"/teams/{team.slug}").get_data(as_text=True)
    assert "Volunteer for Community Speed Watch" in page and f'href="/teams/{team.slug}/speed-watch"' in page
    about = client.get(f"/teams/{team.slug}/speed-watch")
    text = about.get_data(as_text=True)
    assert about.status_code == 200 and "The team has 1 approved site." in text
    assert f'href="/teams/{team.slug}/speed-watch/apply"' in text and "Secret Volunteer" not in text
    assert client.get("/teams/atlantis/speed-watch").status_code == 404
    assert client.get("/teams/atlantis/speed-watch/apply").status_code == 404


def test_apply_journey(client, db, team):
    response = apply(client, team)
    assert response.status_code == 302 and response.headers["Location"].endswith("/speed-watch/apply/done")
    page = without_bdi(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Application sent" in page and "We've emailed you at <strong>pat.jones@example.org</strong>" in page
    volunteer = db.session.scalars(select(Volunteer)).one()
    assert (volunteer.status, volunteer.team_id, volunteer.phone) == (APPLIED, team.id, "07700 900123")
    assert len(mail_to(db, "pat.jones@example.org")) == 1 and len(mail_to(db, "sutton.npt@example.org")) == 1


def test_duplicate_application_gets_a_clear_message(client, db, team):
    apply(client, team)
    response = apply(client, team, email="PAT.JONES@example.org")
    assert response.status_code == 400
    assert "You have already applied to join the Sutton Coldfield Speed Watch group" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Volunteer)).all()) == 1


def test_bad_answers_are_summarised_and_kept(client, db, team):
    response = apply(client, team, name="", email="not-an-email", phone="12345", consent=None)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in page
    assert '<a href="#name">Enter your full name</a>' in page and '<a href="#consent">Tick the box' in page
    assert 'value="not-an-email"' in page and 'value="12345"' in page
    response = apply(client, team, email="not-an-email")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Enter an email address in the correct format" in page
    assert 'value="Pat Jones"' in page and 'value="07700 900123"' in page
    response = apply(client, team, phone="12345")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and '<a href="#phone">Enter a UK phone number' in page
    assert db.session.scalar(select(Volunteer.id)) is None


def test_apply_needs_the_csrf_token(client, db, team):
    response = client.post(f"/teams/{team.slug}/speed-watch/apply", data=APPLY)
    assert response.status_code == 400
    assert db.session.scalar(select(Volunteer.id)) is None
    response = client.post("/teams/atlantis/speed-watch/apply", data={"csrf_token": csrf_token(client), **APPLY})
    assert response.status_code == 404


# --- approval, decline, suspension --------------------------------------------------------------


@pytest.fixture
def applicant(client, db, team):
    apply(client, team)
    return db.session.scalars(select(Volunteer)).one()


def test_approve_flow_ends_with_a_volunteer_who_can_sign_in(app, db, team, officer, applicant):
    staff = app.test_client()
    login(staff, officer)
    url = f"/staff/speed-watch/volunteers/{applicant.id}/approve"
    assert "Approve Pat Jones" in staff.get(url).get_data(as_text=True)
    token = csrf_token(staff)
    response = staff.post(url, data={"csrf_token": token, "training_date": "1/3/2027"})
    assert response.status_code == 400 and "Confirm that vetting has been done" in response.get_data(as_text=True)
    assert 'value="1/3/2027"' in response.get_data(as_text=True)
    response = staff.post(url, data={"csrf_token": token, "training_date": "31/2/2027", "vetting_done": "y"})
    assert response.status_code == 400 and "Enter a real date" in response.get_data(as_text=True)
    response = staff.post(url, data={"csrf_token": token, "training_date": "1/3/2026", "vetting_done": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    volunteer = db.session.get(Volunteer, applicant.id)
    assert volunteer.status == APPROVED and volunteer.training_expires == date(2027, 3, 1)
    assert volunteer.user.role == "volunteer"
    assert db.session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.action == "speedwatch.volunteer_approve", AuditEntry.target_id == str(volunteer.id)
        )
    )
    # The volunteer follows the emailed link, sets a password and signs in to their rota.
    reset = next(m for m in mail_to(db, volunteer.email) if m.subject == "Reset your password")
    link = re.search(r"http://localhost(/reset-password/\S+)", email_text(reset.raw)).group(1)
    person = app.test_client()
    response = person.post(link, data={"csrf_token": csrf_token(person), "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302
    login(person, volunteer.user, PASSWORD)
    assert person.get("/speed-watch/rota").status_code == 200
    assert person.get(f"/staff/speed-watch/volunteers/{volunteer.id}").status_code == 403


def test_approving_a_staff_address_is_refused(app, db, team, officer, make_user, client):
    make_user(role="officer", email="pcso.smith@example.org")
    apply(client, team, email="pcso.smith@example.org")
    volunteer = db.session.scalars(select(Volunteer)).one()
    staff = app.test_client()
    login(staff, officer)
    response = staff.post(
        f"/staff/speed-watch/volunteers/{volunteer.id}/approve",
        data={"csrf_token": csrf_token(staff), "training_date": "1/3/2026", "vetting_done": "y"},
    )
    assert response.status_code == 400 and "belongs to a staff account" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Volunteer, volunteer.id).status == APPLIED


def test_decline(app, db, officer, applicant):
    staff = app.test_client()
    login(staff, officer)
    response = staff.post(
        f"/staff/speed-watch/volunteers/{applicant.id}/decline",
        data={"csrf_token": csrf_token(staff), "reason": "We have enough volunteers on your road."},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Volunteer, applicant.id).status == DECLINED
    assert "enough volunteers on your road" in email_text(mail_to(db, applicant.email)[-1].raw)


def test_suspend_signs_the_volunteer_out_and_reinstate_lets_them_back(app, db, team, officer, make_volunteer):
    volunteer = make_volunteer(team, name="Pat Jones")
    person = app.test_client()
    login(person, volunteer.user, PASSWORD)
    assert person.get("/speed-watch/rota").status_code == 200
    staff = app.test_client()
    login(staff, officer)
    url = f"/staff/speed-watch/volunteers/{volunteer.id}/suspend"
    response = staff.post(url, data={"csrf_token": csrf_token(staff), "reason": ""})
    assert response.status_code == 400 and "Enter the reason" in response.get_data(as_text=True)
    response = staff.post(url, data={"csrf_token": csrf_token(staff), "reason": "Left the safety vest at home"})
    assert response.status_code == 302
    response = person.get("/speed-watch/rota")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Volunteer, volunteer.id).status == SUSPENDED
    assert db.session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.action == "speedwatch.volunteer_suspend", AuditEntry.target_id == str(volunteer.id)
        )
    )
    page = staff.get(f"/staff/speed-watch/volunteers/{volunteer.id}").get_data(as_text=True)
    assert "Left the safety vest at home" in page
    response = staff.post(
        f"/staff/speed-watch/volunteers/{volunteer.id}/reinstate", data={"csrf_token": csrf_token(staff)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, volunteer.user_id).active
    login(person, db.session.get(User, volunteer.user_id), PASSWORD)
    assert person.get("/speed-watch/rota").status_code == 200


def test_refresher_training_page(app, db, team, officer, make_volunteer):
    volunteer = make_volunteer(team, training_expires=date(2026, 12, 1))
    staff = app.test_client()
    login(staff, officer)
    url = f"/staff/speed-watch/volunteers/{volunteer.id}/training"
    response = staff.post(
        url, data={"csrf_token": csrf_token(staff), "training_date": "1/11/2026", "training_expires": "1/10/2026"}
    )
    assert response.status_code == 400 and "expiry must be after the training date" in response.get_data(as_text=True)
    response = staff.post(url, data={"csrf_token": csrf_token(staff), "training_date": "1/11/2026"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Volunteer, volunteer.id).training_expires == date(2027, 11, 1)


# --- lists and sites ---------------------------------------------------------------------------------


def test_volunteer_list_shows_contact_details_and_flags_training(app, db, team, officer, make_volunteer):
    make_volunteer(
        team, name="Expired Person", phone="0121 496 0999", training_expires=date.today() - timedelta(days=1)
    )
    make_volunteer(team, name="Fine Person", training_expires=date.today() + timedelta(days=200))
    staff = app.test_client()
    login(staff, officer)
    page = staff.get("/staff/speed-watch/volunteers").get_data(as_text=True)
    assert "0121 496 0999" in page and "Expired Person" in page and "Fine Person" in page
    assert page.count("tag-problem") == 1
    assert staff.get("/staff/speed-watch/volunteers?team=atlantis").status_code == 404


def test_site_form_refuses_bad_limits_and_dates_then_saves(app, db, team, officer):
    staff = app.test_client()
    login(staff, officer)
    data = {
        "team": team.slug,
        "name": "Lichfield Road",
        "road": "Lichfield Road",
        "speed_limit": "50",
        "assessed_on": "1/3/2026",
        "active": "y",
    }
    response = staff.post("/staff/speed-watch/sites/new", data={"csrf_token": csrf_token(staff), **data})
    assert response.status_code == 400 and "Choose the speed limit: 20, 30 or 40 mph" in response.get_data(as_text=True)
    data["speed_limit"] = "30"
    data["assessment_expires"] = "1/2/2026"
    response = staff.post("/staff/speed-watch/sites/new", data={"csrf_token": csrf_token(staff), **data})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "expiry must be after the assessment date" in page
    assert 'value="1/2/2026"' in page and 'value="Lichfield Road"' in page
    data["assessment_expires"] = ""
    response = staff.post("/staff/speed-watch/sites/new", data={"csrf_token": csrf_token(staff), **data})
    assert response.status_code == 302
    site = db.session.scalars(select(Site)).one()
    assert site.assessment_expires == date(2027, 3, 1) and site.venue.name == "Lichfield Road"
    page = staff.get("/staff/speed-watch/sites").get_data(as_text=True)
    assert "Lichfield Road" in page
    edit = staff.get(f"/staff/speed-watch/sites/{site.id}/edit").get_data(as_text=True)
    assert re.search(r'<input checked id="speed_limit-1"[^>]*value="30"', edit)


# --- permissions ---------------------------------------------------------------------------------


def _my_urls(volunteer_id, site_id):
    with_ids = [
        f"/staff/speed-watch/volunteers/{volunteer_id}/approve",
        f"/staff/speed-watch/volunteers/{volunteer_id}/decline",
        f"/staff/speed-watch/volunteers/{volunteer_id}/suspend",
        f"/staff/speed-watch/volunteers/{volunteer_id}/training",
        f"/staff/speed-watch/sites/{site_id}/edit",
    ]
    return (
        with_ids,
        [f"/staff/speed-watch/volunteers/{volunteer_id}/reinstate"],
        [f"/staff/speed-watch/volunteers/{volunteer_id}"],
    )


def test_officer_of_another_team_gets_403_on_this_teams_records(app, db, team, outsider, site, make_volunteer):
    volunteer = make_volunteer(team, name="Pat Jones", phone="0121 496 0777")
    staff = app.test_client()
    login(staff, outsider)
    forms, posts, views = _my_urls(volunteer.id, site.id)
    token = csrf_token(staff)
    for url in views:
        assert staff.get(url).status_code == 403, url
    for url in forms:
        assert staff.get(url).status_code == 403, url
        assert staff.post(url, data={"csrf_token": token, "reason": "x"}).status_code == 403, url
    for url in posts:
        assert staff.post(url, data={"csrf_token": token}).status_code == 403, url
    assert staff.get(f"/staff/speed-watch/volunteers?team={team.slug}").status_code == 403
    assert staff.get(f"/staff/speed-watch/sites?team={team.slug}").status_code == 403
    listing = staff.get("/staff/speed-watch/volunteers").get_data(as_text=True)
    assert "Pat Jones" not in listing and "0121 496 0777" not in listing
    assert site.name not in staff.get("/staff/speed-watch/sites").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Volunteer, volunteer.id).status == APPROVED


def test_volunteer_gets_403_on_every_staff_speed_watch_url(app, db, team, site, make_volunteer):
    volunteer = make_volunteer(team)
    other = make_volunteer(team, name="Other Volunteer")
    person = app.test_client()
    login(person, volunteer.user, PASSWORD)
    token = csrf_token(person)
    samples = {"volunteer_id": other.id, "site_id": site.id, "step": "first_letter"}
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/staff/speed-watch")]
    assert len(rules) >= 10
    with app.test_request_context():
        urls = [(r, url_for(r.endpoint, **{a: samples.get(a, 1) for a in r.arguments})) for r in rules]
    for rule, url in urls:
        if "GET" in rule.methods:
            assert person.get(url).status_code == 403, url
        if "POST" in rule.methods:
            assert person.post(url, data={"csrf_token": token}).status_code == 403, url


def test_a_racing_duplicate_is_caught_by_the_unique_index(client, db, team, monkeypatch):
    from engagement.speedwatch.volunteers import services as volunteers

    apply(client, team)
    monkeypatch.setattr(volunteers, "live_application", lambda team, email: None)  # as if both checked at once
    response = apply(client, team)
    assert response.status_code == 400
    assert "You have already applied to join the Sutton Coldfield Speed Watch group" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Volunteer)).all()) == 1


def test_applications_are_rate_limited(client, team):
    statuses = [apply(client, team, phone="123").status_code for _ in range(6)]
    assert statuses == [400] * 5 + [429]
