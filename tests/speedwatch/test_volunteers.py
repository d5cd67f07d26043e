"""Volunteer rules through the services: applying, approval, decline, suspension, training, shift checks."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engagement.accounts.models import User
from engagement.core import hooks
from engagement.core.audit import AuditEntry
from engagement.core.errors import Conflict, DomainError
from engagement.speedwatch.volunteers import services
from engagement.speedwatch.volunteers.models import APPLIED, APPROVED, DECLINED, SUSPENDED, Volunteer
from engagement.speedwatch.volunteers.queries import staff_list
from tests.conftest import email_text
from tests.speedwatch.conftest import NOW, TODAY
from tests.support.outbox import outbox_rows
from tests.support.queries import count_queries


def audit_actions(db, volunteer):
    query = select(AuditEntry.action).where(
        AuditEntry.target_type == "volunteer", AuditEntry.target_id == str(volunteer.id)
    )
    return db.session.scalars(query).all()


@pytest.fixture
def applicant(db, team):
    volunteer = services.apply(
        team, name="  Pat   Jones ", email="Pat.Jones@Example.org", phone="07700 900123", consent=True, now=NOW
    )
    db.session.commit()
    return volunteer


def test_apply_keeps_the_application_and_emails_applicant_and_team(db, team, applicant):
    assert (applicant.status, applicant.name, applicant.email, applicant.phone) == (
        APPLIED,
        "Pat Jones",
        "pat.jones@example.org",
        "07700 900123",
    )
    assert applicant.applied_at == NOW and applicant.user_id is None
    to_applicant = outbox_rows(db, "pat.jones@example.org")
    assert len(to_applicant) == 1 and "07700 900123" in email_text(to_applicant[0].raw)
    [notice] = outbox_rows(db, "sutton.npt@example.org")
    text = email_text(notice.raw)
    assert "Pat Jones" in text and f"/staff/speed-watch/volunteers/{applicant.id}" in text
    assert "07700" not in text and "pat.jones@" not in text  # the notice carries the name only
    assert audit_actions(db, applicant) == ["speedwatch.volunteer_apply"]


def test_duplicate_application_is_refused_until_declined(db, team, other_team, officer, applicant):
    with pytest.raises(Conflict, match="already applied to join the Sutton Coldfield"):
        services.apply(team, name="Pat", email="PAT.JONES@example.org", phone="07700 900123", consent=True)
    db.session.rollback()
    # Another team's group is a separate application.
    services.apply(other_team, name="Pat", email="pat.jones@example.org", phone="07700 900123", consent=True)
    services.decline(db.session.get(Volunteer, applicant.id), actor=officer, reason="")
    again = services.apply(team, name="Pat", email="pat.jones@example.org", phone="07700 900123", consent=True)
    db.session.commit()
    assert again.status == APPLIED


def test_member_applying_again_is_told_they_are_a_member(db, team, make_volunteer):
    volunteer = make_volunteer(team, email="member@example.org")
    with pytest.raises(Conflict, match="already a member of the Sutton Coldfield Speed Watch group"):
        services.apply(team, name="X", email=volunteer.email, phone="07700 900123", consent=True)


@pytest.mark.parametrize(
    "phone", ["07700 900123", "0121 496 0000", "+44 7700 900123", "+44 (0)121 496 0000", "0044 121 4960000"]
)
def test_uk_phone_numbers_are_accepted(app, phone):
    assert services.clean_uk_phone(phone) == " ".join(phone.split())


@pytest.mark.parametrize("phone", ["", "12345", "07700 90012", "+1 202 555 0123", "0770 abc 0123", "0121 496 00000 1"])
def test_phone_numbers_that_are_not_uk_are_refused(app, phone):
    with pytest.raises(DomainError) as exc:
        services.clean_uk_phone(phone)
    assert exc.value.field == "phone"


def test_apply_needs_consent_and_a_valid_email(db, team):
    with pytest.raises(DomainError, match="Tick the box") as exc:
        services.apply(team, name="Pat", email="pat@example.org", phone="07700 900123", consent=False)
    assert exc.value.field == "consent"
    with pytest.raises(DomainError) as exc:
        services.apply(team, name="Pat", email="not-an-email", phone="07700 900123", consent=True)
    assert exc.value.field == "email"
    assert db.session.scalar(select(Volunteer.id)) is None


def test_approve_needs_vetting(db, officer, applicant):
    with pytest.raises(DomainError, match="vetting has been done") as exc:
        services.approve(applicant, actor=officer, training_date=date(2027, 3, 1), vetting_done=False, today=TODAY)
    assert exc.value.field == "vetting_done"
    assert applicant.status == APPLIED and applicant.user_id is None


def test_approve_makes_a_volunteer_sign_in_and_emails_the_set_password_link(db, officer, applicant):
    services.approve(
        applicant,
        actor=officer,
        training_date=date(2027, 3, 1),
        vetting_done=True,
        vetting_date=date(2027, 2, 20),
        today=TODAY,
    )
    db.session.commit()
    assert applicant.status == APPROVED and applicant.decided_by_id == officer.id
    assert applicant.training_expires == date(2028, 3, 1)  # 12 months by default
    user = db.session.get(User, applicant.user_id)
    assert (user.role, user.email, user.password_hash, user.active) == (
        "volunteer",
        "pat.jones@example.org",
        None,
        True,
    )
    subjects = [m.subject for m in outbox_rows(db, "pat.jones@example.org")]
    assert "Reset your password" in subjects and "Welcome to Sutton Coldfield Community Speed Watch" in subjects
    reset = next(m for m in outbox_rows(db, "pat.jones@example.org") if m.subject == "Reset your password")
    assert "/reset-password/" in email_text(reset.raw)
    assert "speedwatch.volunteer_approve" in audit_actions(db, applicant)


def test_approve_with_explicit_expiry_and_date_checks(db, officer, applicant):
    with pytest.raises(DomainError, match="cannot be in the future") as exc:
        services.approve(applicant, actor=officer, training_date=date(2027, 5, 1), vetting_done=True, today=TODAY)
    assert exc.value.field == "training_date"
    with pytest.raises(DomainError, match="expiry must be after") as exc:
        services.approve(
            applicant,
            actor=officer,
            training_date=date(2027, 3, 1),
            training_expires=date(2027, 2, 1),
            vetting_done=True,
            today=TODAY,
        )
    assert exc.value.field == "training_expires"
    services.approve(
        applicant,
        actor=officer,
        training_date=date(2027, 3, 1),
        training_expires=date(2027, 9, 1),
        vetting_done=True,
        today=TODAY,
    )
    assert applicant.training_expires == date(2027, 9, 1)


def test_approving_an_address_with_a_staff_account_is_refused(db, team, officer):
    volunteer = services.apply(team, name="Aisha", email="aisha@example.org", phone="07700 900123", consent=True)
    db.session.commit()
    with pytest.raises(Conflict, match="belongs to a staff account"):
        services.approve(volunteer, actor=officer, training_date=date(2027, 3, 1), vetting_done=True, today=TODAY)


def test_a_person_volunteers_with_one_team_only(db, team, other_team, officer, make_volunteer):
    member = make_volunteer(other_team, email="twice@example.org")
    volunteer = services.apply(team, name="Twice", email=member.email, phone="07700 900123", consent=True)
    db.session.commit()
    with pytest.raises(Conflict, match="one team only"):
        services.approve(volunteer, actor=officer, training_date=date(2027, 3, 1), vetting_done=True, today=TODAY)


def test_decline_emails_the_reason_kindly(db, officer, applicant):
    services.decline(applicant, actor=officer, reason="We have enough volunteers on your road for now.")
    db.session.commit()
    assert applicant.status == DECLINED and applicant.decline_reason.startswith("We have enough")
    message = outbox_rows(db, "pat.jones@example.org")[-1]
    assert "We have enough volunteers on your road for now." in email_text(message.raw)
    with pytest.raises(DomainError, match="You cannot approve this application: this volunteer is declined"):
        services.approve(applicant, actor=officer, training_date=date(2027, 3, 1), vetting_done=True)


def test_suspend_switches_the_sign_in_off_and_announces_it(db, team, officer, make_volunteer):
    volunteer = make_volunteer(team)
    token = volunteer.user.session_token
    heard = []
    hooks.register_listener("speedwatch.volunteer_suspended", "test", lambda v, now: heard.append((v.id, now)))
    try:
        with pytest.raises(DomainError, match="Enter the reason"):
            services.suspend(volunteer, actor=officer, reason="  ")
        services.suspend(volunteer, actor=officer, reason="Missed the safety briefing twice", now=NOW)
        db.session.commit()
    finally:
        hooks._listeners["speedwatch.volunteer_suspended"].pop("test")
    assert heard == [(volunteer.id, NOW)]
    assert volunteer.status == SUSPENDED and volunteer.suspended_at == NOW
    assert volunteer.user.active is False and volunteer.user.session_token != token
    assert "speedwatch.volunteer_suspend" in audit_actions(db, volunteer)
    email = email_text(outbox_rows(db, volunteer.email)[-1].raw)
    assert "paused" in email and "safety briefing" not in email  # the reason stays with staff

    services.reinstate(volunteer, actor=officer)
    db.session.commit()
    assert volunteer.status == APPROVED and volunteer.user.active is True and volunteer.suspend_reason == ""
    with pytest.raises(DomainError, match="You cannot reinstate"):
        services.reinstate(volunteer, actor=officer)


def test_refresher_training_sets_a_new_expiry(db, team, officer, make_volunteer):
    volunteer = make_volunteer(team, training_expires=date(2027, 4, 20))
    services.record_training(
        volunteer, actor=officer, training_date=date(2027, 4, 1), training_expires=None, today=TODAY
    )
    db.session.commit()
    assert (volunteer.training_date, volunteer.training_expires) == (date(2027, 4, 1), date(2028, 4, 1))
    assert "speedwatch.volunteer_training" in audit_actions(db, volunteer)


def test_check_can_take_shifts_messages(db, team, make_volunteer):
    ok = make_volunteer(team, training_expires=date(2027, 5, 1))
    services.check_can_take_shifts(ok, date(2027, 5, 1))  # the expiry day itself still counts
    with pytest.raises(DomainError) as exc:
        services.check_can_take_shifts(ok, date(2027, 5, 2))
    assert exc.value.message == (
        "Your training expired on 1 May 2027. Ask your coordinator about refresher training before you sign up."
    )
    applied = make_volunteer(team, status=APPLIED, account=False)
    with pytest.raises(DomainError, match="Your application has not been approved yet"):
        services.check_can_take_shifts(applied, TODAY)
    suspended = make_volunteer(team, status=SUSPENDED)
    with pytest.raises(DomainError, match="Your volunteering is suspended"):
        services.check_can_take_shifts(suspended, TODAY)
    declined = make_volunteer(team, status=DECLINED, account=False)
    with pytest.raises(DomainError, match="not accepted"):
        services.check_can_take_shifts(declined, TODAY)


def test_staff_list_groups_by_status_in_one_query(db, team, other_team, make_volunteer):
    make_volunteer(team, name="Zed")
    make_volunteer(team, name="amy", status=APPLIED, account=False)
    make_volunteer(other_team, name="Other")
    team_id = team.id
    db.session.expire_all()
    with count_queries() as seen:
        groups = staff_list([team_id])
        names = {status: [(v.name, v.team.name) for v in rows] for status, rows in groups.items()}
    assert names == {
        APPLIED: [("amy", "Sutton Coldfield")],
        APPROVED: [("Zed", "Sutton Coldfield")],
        SUSPENDED: [],
        DECLINED: [],
    }
    assert len([q for q in seen if q.lstrip().upper().startswith("SELECT")]) == 1
