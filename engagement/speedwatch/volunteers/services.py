"""Rules for Speed Watch volunteers: applying, approval with training and vetting, suspension.

Services take the actor explicitly, raise DomainError with a message a resident or officer can
read, audit in the caller's transaction and never commit. Approving an application is the only
way a volunteer sign-in is made: a person volunteers with one team only, and never with the same
address as a staff account.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engagement.accounts.models import new_session_token
from engagement.accounts.services import (
    create_volunteer_account,
    find_user_by_email,
    normalise_email,
    request_password_reset,
)
from engagement.core import audit, hooks
from engagement.core.db import utcnow
from engagement.core.errors import Conflict, DomainError, FieldChecks
from engagement.core.i18n import _
from engagement.core.markup import has_tags
from engagement.extensions import db
from engagement.speedwatch.dates import local_today, short_date
from engagement.speedwatch.volunteers import emails
from engagement.speedwatch.volunteers.models import (
    APPLIED,
    APPROVED,
    DECLINED,
    NAME_MAX,
    PHONE_MAX,
    REASON_MAX,
    SUSPENDED,
    Volunteer,
    new_rota_token,
)

# UK numbers: 11 digits from 0 (02, 03 and mobiles 07 always; a few 01 and 08 numbers have 10),
# or the same after +44 / 0044 with the leading 0 dropped.
_PHONE_CHARS = re.compile(r"^[0-9+ ()-]+$")
_UK_NATIONAL = re.compile(r"^(0[237][0-9]{9}|0[1589][0-9]{8,9})$")


def default_expiry(start: date) -> date:
    return start + relativedelta(months=current_app.config["SPEEDWATCH_TRAINING_MONTHS"])


def clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Enter your full name"), field="name")
    if len(name) > NAME_MAX:
        raise DomainError(_("Your name must be %(num)s characters or fewer", num=NAME_MAX), field="name")
    if has_tags(name):
        raise DomainError(_("Enter your name without < or > characters"), field="name")
    return name


def clean_uk_phone(phone: str) -> str:
    """A UK phone number, kept as typed (spaces tidied); coordinators ring volunteers, so it is required."""
    phone = " ".join((phone or "").split())
    if not phone:
        raise DomainError(_("Enter a phone number, so the team can ring you"), field="phone")
    digits = re.sub(r"[ ()-]", "", phone)
    if digits.startswith("+44"):
        digits = "0" + digits[3:].removeprefix("0")
    elif digits.startswith("0044"):
        digits = "0" + digits[4:].removeprefix("0")
    if len(phone) > PHONE_MAX or not _PHONE_CHARS.match(phone) or not _UK_NATIONAL.match(digits):
        raise DomainError(
            _(
                "Enter a UK phone number, like %(landline)s or %(mobile)s",
                landline="0121 496 0000",
                mobile="07700 900 123",
            ),
            field="phone",
        )
    return phone


def _clean_reason(text: str, *, required: bool, field: str = "reason") -> str:
    text = " ".join((text or "").split())
    if required and not text:
        raise DomainError("Enter the reason", field=field)
    if len(text) > REASON_MAX:
        raise DomainError(f"Use {REASON_MAX} characters or fewer", field=field)
    if has_tags(text):
        raise DomainError("Enter the reason without < or > characters", field=field)
    return text


def live_application(team, email: str) -> Volunteer | None:
    """The application or membership for this address in this team that blocks another (not declined)."""
    return db.session.scalar(
        select(Volunteer).where(Volunteer.team_id == team.id, Volunteer.email == email, Volunteer.status != DECLINED)
    )


def duplicate_message(team, existing: Volunteer | None) -> str:
    if existing is not None and existing.status in (APPROVED, SUSPENDED):
        return _(
            "You are already a member of the %(team)s Speed Watch group. Contact the team if anything has changed.",
            team=team.name,
        )
    return _(
        "You have already applied to join the %(team)s Speed Watch group with this email address. "
        "The team will contact you about it.",
        team=team.name,
    )


def apply(team, *, name: str, email: str, phone: str, consent: bool, now: datetime | None = None) -> Volunteer:
    """A resident's application (status applied); the applicant and the team are emailed."""
    name = clean_name(name)
    email = normalise_email(email)
    phone = clean_uk_phone(phone)
    if not consent:
        raise DomainError(_("Tick the box to say you agree to how we use your details"), field="consent")
    existing = live_application(team, email)
    if existing is not None:
        raise Conflict(duplicate_message(team, existing), field="email")
    volunteer = Volunteer(team=team, name=name, email=email, phone=phone, status=APPLIED, applied_at=now or utcnow())
    db.session.add(volunteer)
    racing = duplicate_message(team, None)  # worded now: a failed flush expires the team
    try:
        db.session.flush()
    except IntegrityError:  # the same address applied at the same moment (partial unique index)
        raise Conflict(racing, field="email") from None
    audit.record(
        "speedwatch.volunteer_apply",
        target=volunteer,
        actor_label="public application form",
        summary=f"{name} applied to join {team.name} Speed Watch",
        team=team.slug,
        consent=True,
    )
    emails.application_received(volunteer)
    return volunteer


def _require_status(volunteer: Volunteer, *allowed: str, doing: str) -> None:
    if volunteer.status not in allowed:
        raise DomainError(f"You cannot {doing}: this volunteer is {volunteer.status_label.lower()}.")


def _check_training(training_date: date | None, training_expires: date | None, today: date) -> tuple[date, date]:
    if training_date is None:
        raise DomainError("Enter the date of the training, for example 14/3/2027", field="training_date")
    if training_date > today:
        raise DomainError("The training date cannot be in the future", field="training_date")
    expires = training_expires or default_expiry(training_date)
    if expires <= training_date:
        raise DomainError("The training expiry must be after the training date", field="training_expires")
    return training_date, expires


def check_approval(
    training_date: date | None,
    training_expires: date | None,
    vetting_done: bool,
    vetting_date: date | None,
    *,
    today: date | None = None,
) -> tuple[date, date]:
    """The approval form's answers, every one checked in one pass (DomainErrors lists them all)."""
    today = today or local_today()
    checks = FieldChecks()
    if not vetting_done:
        checks.add("Confirm that vetting has been done before approving", "vetting_done")
    if vetting_date is not None and vetting_date > today:
        checks.add("The vetting date cannot be in the future", "vetting_date")
    training = checks(_check_training, training_date, training_expires, today)
    checks.done()
    return training


def approve(
    volunteer: Volunteer,
    *,
    actor,
    training_date: date | None,
    training_expires: date | None = None,
    vetting_done: bool,
    vetting_date: date | None = None,
    today: date | None = None,
) -> Volunteer:
    """Approve an application: record training and vetting, make the volunteer sign-in, email them.

    The sign-in gets no password; the volunteer sets one from the emailed link."""
    today = today or local_today()
    _require_status(volunteer, APPLIED, doing="approve this application")
    training_date, expires = check_approval(training_date, training_expires, vetting_done, vetting_date, today=today)
    user = find_user_by_email(volunteer.email)
    if user is not None and not user.is_volunteer:
        raise Conflict(
            f"{volunteer.email} belongs to a staff account. Staff cannot also sign in as volunteers: "
            "ask the applicant for another email address.",
            field="vetting_done",
        )
    if user is not None:
        raise Conflict(
            f"{volunteer.email} already has a volunteer sign-in. A person can volunteer with one team only.",
            field="vetting_done",
        )
    user = create_volunteer_account(email=volunteer.email, display_name=volunteer.name, actor=actor)
    volunteer.user_id, volunteer.user = user.id, user
    volunteer.status, volunteer.decided_at, volunteer.decided_by_id = APPROVED, utcnow(), getattr(actor, "id", None)
    volunteer.training_date, volunteer.training_expires = training_date, expires
    volunteer.vetting_done, volunteer.vetting_date = True, vetting_date
    audit.record(
        "speedwatch.volunteer_approve",
        actor=actor,
        target=volunteer,
        summary=f"Approved {volunteer.name} for {volunteer.team.name} Speed Watch",
        training_date=training_date.isoformat(),
        training_expires=expires.isoformat(),
        vetting_date=vetting_date.isoformat() if vetting_date else None,
    )
    request_password_reset(volunteer.email)  # the set-password link, valid for PASSWORD_RESET_MAX_AGE
    emails.welcome(volunteer)
    return volunteer


def decline(volunteer: Volunteer, *, actor, reason: str = "") -> Volunteer:
    """Decline an application; the applicant is told kindly (with the reason, if one is given)."""
    _require_status(volunteer, APPLIED, doing="decline this application")
    volunteer.decline_reason = _clean_reason(reason, required=False)
    volunteer.status, volunteer.decided_at, volunteer.decided_by_id = DECLINED, utcnow(), getattr(actor, "id", None)
    audit.record(
        "speedwatch.volunteer_decline",
        actor=actor,
        target=volunteer,
        summary=f"Declined {volunteer.name}'s application to {volunteer.team.name} Speed Watch",
        reason=volunteer.decline_reason,
    )
    emails.declined(volunteer)
    return volunteer


def suspend(volunteer: Volunteer, *, actor, reason: str, now: datetime | None = None) -> Volunteer:
    """Suspend: the sign-in is switched off and signed out everywhere; future shift places are given up."""
    now = now or utcnow()
    _require_status(volunteer, APPROVED, doing="suspend this volunteer")
    volunteer.suspend_reason = _clean_reason(reason, required=True)
    volunteer.status, volunteer.suspended_at = SUSPENDED, now
    if volunteer.user is not None:
        volunteer.user.active = False
        volunteer.user.session_token = new_session_token()
    audit.record(
        "speedwatch.volunteer_suspend",
        actor=actor,
        target=volunteer,
        summary=f"Suspended {volunteer.name} ({volunteer.team.name} Speed Watch)",
        reason=volunteer.suspend_reason,
    )
    hooks.notify("speedwatch.volunteer_suspended", volunteer, now)
    emails.suspended(volunteer)
    return volunteer


def reinstate(volunteer: Volunteer, *, actor) -> Volunteer:
    _require_status(volunteer, SUSPENDED, doing="reinstate this volunteer")
    volunteer.status, volunteer.suspended_at, volunteer.suspend_reason = APPROVED, None, ""
    if volunteer.user is not None:
        volunteer.user.active = True
    audit.record(
        "speedwatch.volunteer_reinstate",
        actor=actor,
        target=volunteer,
        summary=f"Reinstated {volunteer.name} ({volunteer.team.name} Speed Watch)",
    )
    emails.reinstated(volunteer)
    return volunteer


def record_training(
    volunteer: Volunteer, *, actor, training_date: date | None, training_expires: date | None, today=None
) -> Volunteer:
    """Refresher training: a new training date and expiry (default SPEEDWATCH_TRAINING_MONTHS later)."""
    _require_status(volunteer, APPROVED, SUSPENDED, doing="record training")
    training_date, expires = _check_training(training_date, training_expires, today or local_today())
    before = volunteer.training_expires
    volunteer.training_date, volunteer.training_expires = training_date, expires
    audit.record(
        "speedwatch.volunteer_training",
        actor=actor,
        target=volunteer,
        summary=f"Recorded training for {volunteer.name}, valid until {short_date(expires)}",
        training_date=training_date.isoformat(),
        training_expires=expires.isoformat(),
        previous_expiry=before.isoformat() if before else None,
    )
    return volunteer


def check_can_take_shifts(volunteer: Volunteer, day: date) -> None:
    """Whether this volunteer may sign up for a shift on `day`; raises with the reason if not."""
    if volunteer.status == APPLIED:
        raise DomainError(_("Your application has not been approved yet, so you cannot sign up for shifts."))
    if volunteer.status == DECLINED:
        raise DomainError(_("Your application was not accepted, so you cannot sign up for shifts."))
    if volunteer.status == SUSPENDED:
        raise DomainError(_("Your volunteering is suspended, so you cannot sign up for shifts. Ask your coordinator."))
    if volunteer.training_expires is None:
        raise DomainError(_("We have no record of your training. Ask your coordinator before you sign up."))
    if not volunteer.training_current_on(day):
        raise DomainError(
            _(
                "Your training expired on %(date)s. Ask your coordinator about refresher training before you sign up.",
                date=short_date(volunteer.training_expires),
            )
        )


def renew_rota_token(volunteer: Volunteer) -> Volunteer:
    """A new private calendar address for the volunteer; the old one stops working at once."""
    volunteer.rota_token = new_rota_token()
    return volunteer
