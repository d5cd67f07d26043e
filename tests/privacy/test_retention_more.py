"""Retention rules for the Speed Watch records and staff accounts that had none before (issue 17's gap):
site-request proposers, keepers on letters, the letter ladder, long-suspended volunteers and switched-off
staff accounts. Same pattern as test_retention: an injected clock, a day before the period the record stays,
a day after it is gone, and a second run removes nothing more; then what each rule leaves behind."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from engagement.accounts.models import RecoveryCode, TwoFactor, User
from engagement.accounts.services import create_volunteer_account, set_password, update_user
from engagement.core.audit import AuditEntry
from engagement.core.db import utcnow
from engagement.core.personal_data import erased_email, retention_rules
from engagement.extensions import db as _db
from engagement.speedwatch.letters.models import (
    FIRST_LETTER,
    PRODUCED,
    REFERRED,
    LadderStep,
    LadderVehicle,
    Letter,
    Referral,
)
from engagement.speedwatch.requests.models import APPROVED as SITE_APPROVED
from engagement.speedwatch.requests.models import DECLINED as SITE_DECLINED
from engagement.speedwatch.requests.models import PENDING, SiteRequest
from engagement.speedwatch.shifts.models import ShiftSignup
from engagement.speedwatch.volunteers.models import APPROVED, SUSPENDED, Volunteer
from tests.privacy.helpers import make_event


def _rule(name):
    return next(r for r in retention_rules() if r.name == name)


def _count(query) -> int:
    return _db.session.scalar(select(func.count()).select_from(query.subquery()))


def _site_request(team, *, email, status, decided_at):
    request = SiteRequest(team_id=team.id, proposer_name="Pat Proposer", proposer_email=email, road="Monument Road",
                          stretch="by the school", speed_limit=30, reason="Cars race past the school gates",
                          status=status, decided_at=decided_at)  # fmt: skip
    _db.session.add(request)
    return request


def _ladder_vehicle(team, now, registration="AB12CDE", *, last_seen=True):
    vehicle = LadderVehicle(registration=registration, step=FIRST_LETTER, step_at=now, team_id=team.id,
                            last_seen_at=now if last_seen else None)  # fmt: skip
    _db.session.add(vehicle)
    _db.session.flush()
    return vehicle


def _letter(team, vehicle, now, **keeper) -> Letter:
    letter = Letter(ladder_id=vehicle.id, team_id=team.id, step=FIRST_LETTER, registration=vehicle.registration,
                    site_name="Monument Road", speed_mph=41, speed_limit=30, seen_at=now, **keeper)  # fmt: skip
    _db.session.add(letter)
    return letter


def _suspended_volunteer(team, now, email, *, shift: bool):
    user = create_volunteer_account(email=email, display_name="Sue Spended")
    set_password(user, "correct-horse-battery")
    volunteer = Volunteer(team_id=team.id, user_id=user.id, name="Sue Spended", email=email, phone="07700900111",
                          status=SUSPENDED, applied_at=now - timedelta(days=90), decided_at=now - timedelta(days=80),
                          suspended_at=now, suspend_reason="Missed training", notes="Keys returned")  # fmt: skip
    user.active = False
    _db.session.add(volunteer)
    _db.session.flush()
    if shift:
        _db.session.add(ShiftSignup(occurrence_id=make_event(team, days=-20).id, volunteer_id=volunteer.id))
    return volunteer


def _switched_off_officer(make_user, now, email="olive.officer@example.org"):
    """An officer switched off on the users page (the real service, so the real audit entry), dated `now`."""
    user = make_user(role="officer", email=email, display_name="Olive Officer")
    _db.session.add(TwoFactor(user_id=user.id, secret="JBSWY3DPEHPK3PXP", confirmed_at=now))
    _db.session.add(RecoveryCode(user_id=user.id, salt="s" * 16, code_hash="h" * 64, created_at=now))
    update_user(user, actor=None, display_name=user.display_name, rank=user.rank, role=user.role, teams=[],
                active=False)  # fmt: skip
    _db.session.flush()
    _db.session.execute(update(User).where(User.id == user.id).values(updated_at=now, last_login_at=now))
    targets = (AuditEntry.target_type == "user", AuditEntry.target_id == str(user.id))
    _db.session.execute(update(AuditEntry).where(*targets).values(at=now))
    return user


# Each builder makes one record and returns (the moment its period starts, a query for it still holding data).
def _speedwatch_site_requests(team, make_user):
    now = utcnow()
    _site_request(team, email="proposer@example.org", status=SITE_DECLINED, decided_at=now)
    return now, select(SiteRequest).where(SiteRequest.proposer_email == "proposer@example.org")


def _speedwatch_keepers(team, make_user):
    now = utcnow()
    letter = _letter(team, _ladder_vehicle(team, now), now, keeper_name="Alex Keeper", keeper_address="1 High St")
    letter.status, letter.keeper_added_at, letter.produced_at = PRODUCED, now, now
    return now, select(Letter).where(Letter.keeper_name != "")


def _speedwatch_ladder(team, make_user):
    now = utcnow()
    vehicle = _ladder_vehicle(team, now)
    _letter(team, vehicle, now)
    _db.session.add(Referral(ladder_id=vehicle.id, team_id=team.id, reason=REFERRED))
    _db.session.add(LadderStep(ladder_id=vehicle.id, team_id=team.id, step=FIRST_LETTER, moved_at=now, seen_at=now,
                               site_name="Monument Road", speed_mph=41, speed_limit=30))  # fmt: skip
    return now, select(LadderVehicle).where(LadderVehicle.registration == "AB12CDE")


def _speedwatch_suspended(team, make_user):
    now = utcnow()
    _suspended_volunteer(team, now, "sue.spended@example.org", shift=True)
    return now, select(Volunteer).where(Volunteer.email == "sue.spended@example.org")


def _staff_switched_off(team, make_user):
    now = utcnow()
    _switched_off_officer(make_user, now)
    return now, select(User).where(User.email == "olive.officer@example.org")


BUILDERS = {
    "speedwatch-site-requests": _speedwatch_site_requests,
    "speedwatch-keepers": _speedwatch_keepers,
    "speedwatch-ladder": _speedwatch_ladder,
    "speedwatch-suspended": _speedwatch_suspended,
    "staff-switched-off": _staff_switched_off,
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_rule_keeps_until_its_day_then_removes_once(app, db, make_team, make_user, name):
    rule = _rule(name)
    start, holding = BUILDERS[name](make_team(name="Ladywood", coverage=["B16"]), make_user)
    db.session.commit()
    assert _count(holding) == 1

    kept = rule.apply(start + timedelta(days=rule.days() - 1))
    db.session.expire_all()
    assert _count(holding) == 1, f"{name} removed a record a day early: {kept}"

    removed = rule.apply(start + timedelta(days=rule.days() + 1))
    db.session.expire_all()
    assert _count(holding) == 0 and sum(removed.values()) >= 1, removed

    assert sum(rule.apply(start + timedelta(days=rule.days() + 1)).values()) == 0


def test_the_periods_and_settings_are_the_documented_ones(app):
    days = {name: _rule(name).days() for name in BUILDERS}
    assert days == {"speedwatch-site-requests": 365, "speedwatch-keepers": 14, "speedwatch-ladder": 365,
                    "speedwatch-suspended": 730, "staff-switched-off": 730}  # fmt: skip
    assert _rule("speedwatch-keepers").task == "speedwatch-keeper-erase"
    assert _rule("speedwatch-keepers").setting == "SPEEDWATCH_KEEPER_DAYS"
    assert _rule("speedwatch-ladder").setting == "SPEEDWATCH_RETENTION_DAYS"


def test_site_request_proposers_get_the_erasure_markers_and_undecided_ones_stay(app, db, make_team):
    team = make_team(name="Ladywood", coverage=["B16"])
    now = utcnow()
    approved = _site_request(team, email="approved@example.org", status=SITE_APPROVED, decided_at=now)
    waiting = _site_request(team, email="waiting@example.org", status=PENDING, decided_at=None)
    db.session.commit()
    db.session.execute(update(SiteRequest).values(created_at=now - timedelta(days=2000)))
    db.session.commit()
    assert _rule("speedwatch-site-requests").apply(now + timedelta(days=3000)) == {
        "proposers' names and emails replaced": 1
    }
    db.session.expire_all()
    assert (approved.proposer_name, approved.proposer_email) == (
        "Erased volunteer",
        erased_email(f"site-request-{approved.id}"),
    )
    assert approved.road == "Monument Road" and approved.status == SITE_APPROVED
    assert (waiting.proposer_name, waiting.proposer_email) == ("Pat Proposer", "waiting@example.org")


def test_the_ladder_rule_takes_every_letter_step_and_referral_and_rows_never_seen(app, db, make_team):
    team = make_team(name="Ladywood", coverage=["B16"])
    now = utcnow()
    _speedwatch_ladder(team, None)
    never_seen = _ladder_vehicle(team, now, "BD51SMR", last_seen=False).id  # judged by when it last moved
    fresh = _ladder_vehicle(team, now + timedelta(days=300), "CE60XYZ")
    _letter(team, fresh, now)
    db.session.commit()
    counts = _rule("speedwatch-ladder").apply(now + timedelta(days=366))
    assert counts == {"letters deleted": 1, "referrals deleted": 1, "ladder steps deleted": 1,
                      "registrations deleted": 2}  # fmt: skip
    assert db.session.scalars(select(LadderVehicle.registration)).all() == ["CE60XYZ"]
    assert db.session.scalars(select(Letter.registration)).all() == ["CE60XYZ"]
    assert _count(select(Referral)) == 0 and _count(select(LadderStep)) == 0
    assert db.session.get(LadderVehicle, never_seen) is None


def test_a_long_suspended_volunteer_is_erased_like_a_request_with_their_sign_in(app, db, make_team):
    team = make_team(name="Ladywood", coverage=["B16"])
    now = utcnow()
    with_shift = _suspended_volunteer(team, now, "shifts@example.org", shift=True)
    no_shift = _suspended_volunteer(team, now, "noshift@example.org", shift=False)
    recent = _suspended_volunteer(team, now + timedelta(days=100), "recent@example.org", shift=False)
    ids = {"with": with_shift.id, "without": no_shift.id, "recent": recent.id, "user": with_shift.user_id}
    active = Volunteer(team_id=team.id, name="Al Active", email="active@example.org", status=APPROVED,
                       applied_at=now - timedelta(days=900), decided_at=now - timedelta(days=900))  # fmt: skip
    db.session.add(active)
    db.session.commit()

    counts = _rule("speedwatch-suspended").apply(now + timedelta(days=731))
    assert counts["speedwatch_volunteers anonymised"] == 1 and counts["speedwatch_volunteers deleted"] == 1
    assert counts["sign-ins anonymised"] == 2
    db.session.expire_all()
    kept = db.session.get(Volunteer, ids["with"])
    assert (kept.name, kept.email, kept.phone, kept.notes, kept.suspend_reason) == (
        "Erased volunteer", erased_email(f"volunteer-{kept.id}"), "", "", ""
    )  # fmt: skip
    assert _count(select(ShiftSignup).where(ShiftSignup.volunteer_id == kept.id)) == 1  # the shift still counts
    assert db.session.get(Volunteer, ids["without"]) is None
    user = db.session.get(User, ids["user"])
    assert (user.email, user.display_name, user.password_hash, user.active) == (
        erased_email(f"user-{user.id}"), "Erased account", None, False
    )  # fmt: skip
    assert db.session.get(Volunteer, ids["recent"]).email == "recent@example.org"
    assert db.session.get(Volunteer, active.id).name == "Al Active"


def test_a_switched_off_staff_account_becomes_former_member_of_staff(app, db, make_team, make_user):
    now = utcnow()
    officer = _switched_off_officer(make_user, now)
    # Switched off as long ago, but the account was edited (an audit entry about it) inside the period: kept.
    edited = _switched_off_officer(make_user, now, email="edited@example.org")
    later = AuditEntry(action="user.teams_change", target_type="user", target_id=str(edited.id), summary="x",
                       at=now + timedelta(days=400))  # fmt: skip
    active = make_user(role="officer", email="still.here@example.org")
    db.session.add(later)
    db.session.execute(update(User).where(User.id == active.id).values(updated_at=now - timedelta(days=2000)))
    volunteer = create_volunteer_account(email="switched.off.volunteer@example.org", display_name="Vol Unteer")
    volunteer.active = False
    db.session.commit()
    db.session.execute(update(User).where(User.id == volunteer.id).values(updated_at=now - timedelta(days=2000)))
    db.session.commit()

    assert _rule("staff-switched-off").apply(now + timedelta(days=731)) == {"staff accounts anonymised": 1}
    db.session.expire_all()
    officer = db.session.get(User, officer.id)
    assert (officer.display_name, officer.email, officer.rank, officer.password_hash, officer.active) == (
        "Former member of staff", erased_email(f"user-{officer.id}"), "", None, False
    )  # fmt: skip
    assert officer.role == "officer" and officer.teams == []
    assert db.session.get(TwoFactor, officer.id) is None
    assert _count(select(RecoveryCode).where(RecoveryCode.user_id == officer.id)) == 0
    assert db.session.get(User, edited.id).email == "edited@example.org"
    assert db.session.get(User, active.id).email == "still.here@example.org"  # switched on: never touched
    assert db.session.get(User, volunteer.id).display_name == "Vol Unteer"  # volunteers: speedwatch-suspended
