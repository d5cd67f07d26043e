"""Speed Watch's part of data-subject requests and retention (registered in engagement.core.personal_data).

Erasure, per table:
* speedwatch_volunteers: an application that never took a shift is deleted; a volunteer who
  did is withdrawn from coming shifts (the places free up), suspended, and their name, address,
  phone, notes and reasons are replaced, so past shifts keep their staffing counts.
  Their sign-in is erased by the accounts provider.
* speedwatch_site_requests: the proposer's name and address are replaced; the proposal stays.
* speedwatch_shift_signups: stay (anonymous once the volunteer row is), so past rotas still add up.
* speedwatch_vehicles: registrations belong to vehicle keepers, not to anyone who asks here; they
  are covered by the returns rule (deleted SPEEDWATCH_RETENTION_DAYS after the session).
Retention: declined applications (RETENTION_DAYS speedwatch-declined after the decision),
returns (SPEEDWATCH_RETENTION_DAYS, the existing returns.tasks.purge_returns), proposers of decided
site requests (speedwatch-site-requests after the decision: replaced as on erasure), keepers on
letters (SPEEDWATCH_KEEPER_DAYS, the existing letters.tasks.erase_keepers), the letter ladder
(SPEEDWATCH_RETENTION_DAYS after the last sighting: the registration with its steps, letters and
referrals deleted, as purge_returns also does hourly) and long-suspended volunteers
(speedwatch-suspended after suspended_at: erased as on a request, sign-in included).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import String, cast, delete, func, literal, select, update
from sqlalchemy.orm import selectinload

from engagement.accounts import privacy as account_privacy
from engagement.core.permissions import VOLUNTEER
from engagement.core.personal_data import (
    ERASED_EMAIL_DOMAIN,
    Provider,
    Record,
    RetentionRule,
    Subject,
    erased_email,
    register_provider,
    register_retention_rule,
    retention_days,
)
from engagement.core.timeutil import format_datetime
from engagement.extensions import db
from engagement.speedwatch.letters import tasks as letter_tasks
from engagement.speedwatch.letters.models import LadderStep, LadderVehicle, Letter, Referral
from engagement.speedwatch.requests import models as request_models
from engagement.speedwatch.requests.models import SiteRequest
from engagement.speedwatch.returns import tasks as return_tasks
from engagement.speedwatch.shifts.models import SHIFT_ROLES, SIGNED_UP, ShiftSignup
from engagement.speedwatch.shifts.services import withdraw_signup
from engagement.speedwatch.volunteers.models import APPLIED, APPROVED, DECLINED, SUSPENDED, Volunteer, new_rota_token

ERASED_NAME = "Erased volunteer"
BATCH = 500  # volunteers one retention run erases at most; the next daily run takes the rest


def _volunteers(subject: Subject) -> list[Volunteer]:
    query = (
        select(Volunteer)
        .where(subject.where(Volunteer.email, Volunteer.phone))
        .options(selectinload(Volunteer.team))
        .order_by(Volunteer.applied_at, Volunteer.id)
    )
    return list(db.session.scalars(query))


def _shifts(volunteers: list[Volunteer]) -> list[ShiftSignup]:
    if not volunteers:
        return []
    query = (
        select(ShiftSignup)
        .where(ShiftSignup.volunteer_id.in_([v.id for v in volunteers]))
        .options(selectinload(ShiftSignup.occurrence))
        .order_by(ShiftSignup.id)
    )
    return list(db.session.scalars(query))


def _site_requests(subject: Subject) -> list[SiteRequest]:
    query = select(SiteRequest).where(subject.where(SiteRequest.proposer_email)).order_by(SiteRequest.id)
    return list(db.session.scalars(query.options(selectinload(SiteRequest.team))))


def find(subject: Subject, names: frozenset[str]) -> list[Record]:
    records = [
        Record(
            kind="Proposed Speed Watch site",
            at=r.created_at,
            summary=f"{r.road} ({r.status_label})",
            on_erase="The proposer's name and email deleted; the proposal stays with the team",
            data={
                "team": r.team.name,
                "proposer_name": r.proposer_name,
                "proposer_email": r.proposer_email,
                "road": r.road,
                "stretch": r.stretch,
                "reason": r.reason,
                "status": r.status_label,
                "proposed_at": r.created_at,
            },  # fmt: skip
            names=(r.proposer_name,),
        )
        for r in _site_requests(subject)
    ]
    return records + _volunteer_records(subject)


def _volunteer_records(subject: Subject) -> list[Record]:
    volunteers = _volunteers(subject)
    shifts = _shifts(volunteers)
    records = []
    for v in volunteers:
        took_shifts = any(s.volunteer_id == v.id for s in shifts)
        records.append(
            Record(
                kind="Speed Watch application" if v.status in (APPLIED, DECLINED) else "Speed Watch volunteer",
                at=v.applied_at,
                summary=f"{v.team.name} Speed Watch group ({v.status_label})",
                on_erase="Suspended, withdrawn from coming shifts, and name, email, phone and notes deleted; "
                "past shifts keep their counts"
                if took_shifts
                else "Deleted",
                data={
                    "team": v.team.name,
                    "name": v.name,
                    "email": v.email,
                    "phone": v.phone,
                    "language": v.language,
                    "status": v.status_label,
                    "applied_at": v.applied_at,
                    "decided_at": v.decided_at,
                    "decline_reason": v.decline_reason,
                    "training_date": v.training_date,
                    "training_expires": v.training_expires,
                    "vetting_done": v.vetting_done,
                    "vetting_date": v.vetting_date,
                    "suspended_at": v.suspended_at,
                    "suspend_reason": v.suspend_reason,
                    "team_notes": v.notes,
                },
                names=(v.name,),
            )
        )
    for s in shifts:
        records.append(
            Record(
                kind="Speed Watch shift",
                at=s.occurrence.starts_at,
                summary=f"{format_datetime(s.occurrence.starts_at)} ({'on the rota' if s.status == SIGNED_UP else 'withdrew'})",
                on_erase="Withdrawn if still to come; kept without their name so the shift's numbers stay",
                data={
                    "shift_date": s.occurrence.starts_at,
                    "role": SHIFT_ROLES.get(s.role, "any role"),
                    "status": "on the rota" if s.status == SIGNED_UP else "withdrew",
                    "withdrawn_at": s.withdrawn_at,
                },
            )
        )
    return records


def _erase_volunteers(volunteers: list[Volunteer], *, actor, now: datetime) -> dict[str, int]:
    """Erasure of volunteer rows, shared by a data-subject request and the speedwatch-suspended rule."""
    shifts = _shifts(volunteers)
    withdrawn = 0
    for signup in shifts:
        if signup.status == SIGNED_UP and signup.occurrence.starts_at > now:
            withdraw_signup(signup, signup.occurrence, now, actor=actor, why="left (their data was erased)")
            withdrawn += 1
    deleted = anonymised = 0
    with_shifts = {s.volunteer_id for s in shifts}
    for volunteer in volunteers:
        if volunteer.id not in with_shifts:
            db.session.delete(volunteer)
            deleted += 1
            continue
        if volunteer.status == APPROVED:
            volunteer.status, volunteer.suspended_at = SUSPENDED, now
        volunteer.name, volunteer.email, volunteer.phone = ERASED_NAME, erased_email(f"volunteer-{volunteer.id}"), ""
        volunteer.notes = volunteer.decline_reason = volunteer.suspend_reason = ""
        volunteer.rota_token = new_rota_token()
        anonymised += 1
    db.session.flush()
    return {
        "speedwatch_volunteers deleted": deleted,
        "speedwatch_volunteers anonymised": anonymised,
        "speedwatch_shift_signups withdrawn": withdrawn,
    }


def erase(subject: Subject, records, *, actor=None, now: datetime) -> dict[str, int]:
    counts = _erase_volunteers(_volunteers(subject), actor=actor, now=now)
    proposals = _site_requests(subject)
    for proposal in proposals:
        proposal.proposer_name, proposal.proposer_email = ERASED_NAME, erased_email(f"site-request-{proposal.id}")
    db.session.flush()
    return {**counts, "speedwatch_site_requests": len(proposals)}


PROVIDER = Provider(
    name="speedwatch",
    label="Community Speed Watch applications and volunteering",
    about=(
        "Residents who apply to join their team's Community Speed Watch group give their name, email address and "
        "phone number; the team records the decision, training and vetting, and the shifts they take. We use it to "
        "run the group safely. Lawful basis: consent to the application wording, then the force's public task."
    ),
    fields={
        "team": "the neighbourhood team's Speed Watch group",
        "name, email, phone": "as given on the application",
        "language": "the language they used our site in (emails to them are written in it; empty means English)",
        "status": "applied, approved, declined or suspended",
        "applied_at, decided_at, decline_reason": "when they applied, when the team decided and why (if declined)",
        "training_date, training_expires, vetting_done, vetting_date": "what the team recorded before approval",
        "suspended_at, suspend_reason": "if the team suspended them",
        "team_notes": "the team's own notes about the volunteer",
        "shift_date, role, status, withdrawn_at": "each shift they signed up for",
    },
    covers={
        "speedwatch_volunteers.name": "deleted or replaced on erasure; after speedwatch-declined or -suspended",
        "speedwatch_volunteers.email": "deleted or replaced on erasure; after speedwatch-declined or -suspended",
        "speedwatch_volunteers.phone": "deleted or blanked on erasure; after speedwatch-declined or -suspended",
        "speedwatch_volunteers.notes": "deleted or blanked on erasure",
        "speedwatch_site_requests.proposer_name": "replaced on erasure and after speedwatch-site-requests",
        "speedwatch_site_requests.proposer_email": "replaced on erasure and after speedwatch-site-requests",
        "speedwatch_vehicles.registration": "vehicle keepers' data: deleted by the speedwatch-returns rule",
        # The letter ladder (speedwatch.letters) keeps its own clock for keepers' data: letters.tasks.erase_keepers
        # (rule speedwatch-keepers) blanks names and addresses SPEEDWATCH_KEEPER_DAYS after a letter is produced.
        "speedwatch_letters.keeper_name": "blanked by the speedwatch-keepers rule (SPEEDWATCH_KEEPER_DAYS)",
        "speedwatch_letters.keeper_address": "blanked by the speedwatch-keepers rule (SPEEDWATCH_KEEPER_DAYS)",
        "speedwatch_letters.registration": "vehicle keepers' data: deleted with its ladder row (speedwatch-ladder)",
        "speedwatch_ladder.registration": "vehicle keepers' data: deleted by the speedwatch-ladder rule",
    },
    not_personal={
        "speedwatch_sites.name": "the name of an approved roadside site",
        "speedwatch_returns.site_name": "the site's name, copied onto the return",
        "speedwatch_letters.site_name": "the site's name, copied onto the letter",
        "speedwatch_ladder_steps.site_name": "the site's name, copied onto the ladder step",
    },
    find=find,
    erase=erase,
    order=40,
)


def _declined(now: datetime) -> dict[str, int]:
    cutoff = now - timedelta(days=retention_days("speedwatch-declined"))
    old = select(Volunteer.id).where(Volunteer.status == DECLINED, Volunteer.decided_at < cutoff)
    db.session.execute(delete(ShiftSignup).where(ShiftSignup.volunteer_id.in_(old)))  # none expected
    gone = db.session.execute(delete(Volunteer).where(Volunteer.status == DECLINED, Volunteer.decided_at < cutoff))
    db.session.commit()
    return {"declined applications deleted": gone.rowcount or 0}


def _not_erased(column):
    return ~column.endswith(f"@{ERASED_EMAIL_DOMAIN}")


def _site_request_proposers(now: datetime) -> dict[str, int]:
    """Decided proposals keep the road and reasons; the proposer becomes the erasure's markers (one bulk update)."""
    cutoff = now - timedelta(days=retention_days("speedwatch-site-requests"))
    marker = literal("erased-site-request-") + cast(SiteRequest.id, String) + literal(f"@{ERASED_EMAIL_DOMAIN}")
    decided = (request_models.APPROVED, request_models.DECLINED)
    blanked = db.session.execute(
        update(SiteRequest)
        .where(
            SiteRequest.status.in_(decided), SiteRequest.decided_at < cutoff, _not_erased(SiteRequest.proposer_email)
        )
        .values(proposer_name=ERASED_NAME, proposer_email=marker)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return {"proposers' names and emails replaced": blanked or 0}


def _ladder(now: datetime) -> dict[str, int]:
    """A registration's ladder record goes once its last sighting is older than the returns' period.

    returns.tasks.purge_returns deletes the same rows hourly next to the returns; this rule reports them
    per run and also catches a ladder row that never got a sighting time (judged by when it last moved)."""
    cutoff = now - timedelta(days=current_app.config["SPEEDWATCH_RETENTION_DAYS"])
    old = func.coalesce(LadderVehicle.last_seen_at, LadderVehicle.step_at) < cutoff
    stale = select(LadderVehicle.id).where(old)
    options = {"synchronize_session": False}
    counts = {}
    for label, model in (("letters", Letter), ("referrals", Referral), ("ladder steps", LadderStep)):
        gone = db.session.execute(delete(model).where(model.ladder_id.in_(stale)), execution_options=options)
        counts[f"{label} deleted"] = gone.rowcount or 0
    gone = db.session.execute(delete(LadderVehicle).where(old), execution_options=options)
    counts["registrations deleted"] = gone.rowcount or 0
    db.session.commit()
    return counts


def _suspended(now: datetime) -> dict[str, int]:
    """Volunteers suspended longer than the period are erased as a request would, their sign-in with them."""
    cutoff = now - timedelta(days=retention_days("speedwatch-suspended"))
    query = (
        select(Volunteer)
        .where(
            Volunteer.status == SUSPENDED,
            func.coalesce(Volunteer.suspended_at, Volunteer.updated_at) < cutoff,
            _not_erased(Volunteer.email),
        )
        .options(selectinload(Volunteer.user))
        .order_by(Volunteer.id)
        .limit(BATCH)
    )
    volunteers = list(db.session.scalars(query))
    signins = 0
    for volunteer in volunteers:
        user = volunteer.user
        if user is not None and user.role == VOLUNTEER and not user.email.endswith(f"@{ERASED_EMAIL_DOMAIN}"):
            account_privacy.anonymise_user(user, account_privacy.ERASED_NAME)
            signins += 1
    counts = _erase_volunteers(volunteers, actor=None, now=now)
    db.session.commit()
    return {**counts, "sign-ins anonymised": signins}


RULES = (
    RetentionRule(
        "speedwatch-declined",
        "Declined Speed Watch applications",
        lambda: retention_days("speedwatch-declined"),
        "after the decision",
        "nothing",
        _declined,
        "RETENTION_DAYS speedwatch-declined",
        order=40,
    ),
    RetentionRule(
        "speedwatch-returns",
        "Speed Watch returns: vehicle registrations, makes, colours and speeds",
        lambda: current_app.config["SPEEDWATCH_RETENTION_DAYS"],
        "after the session",
        "nothing",
        lambda now: {"returns deleted": return_tasks.purge_returns(now)},
        "SPEEDWATCH_RETENTION_DAYS",
        task="speedwatch-returns-purge",
        order=41,
    ),
    RetentionRule(
        "speedwatch-ladder",
        "Speed Watch letter ladder: registrations with their steps, letters and referrals",
        lambda: current_app.config["SPEEDWATCH_RETENTION_DAYS"],
        "after the vehicle was last seen",
        "nothing",
        _ladder,
        "SPEEDWATCH_RETENTION_DAYS",
        order=42,
    ),
    RetentionRule(
        "speedwatch-keepers",
        "Speed Watch letters: registered keepers' names and addresses",
        lambda: current_app.config["SPEEDWATCH_KEEPER_DAYS"],
        "after the letter is produced (or the keeper lookup, if it never is)",
        "the letter and the sighting it is about",
        lambda now: {"keeper details blanked": letter_tasks.erase_keepers(now)},
        "SPEEDWATCH_KEEPER_DAYS",
        task="speedwatch-keeper-erase",
        order=43,
    ),
    RetentionRule(
        "speedwatch-site-requests",
        "Proposed Speed Watch sites: the proposer's name and email address",
        lambda: retention_days("speedwatch-site-requests"),
        "after the proposal was approved or declined",
        "the proposal itself (road, reasons, photos, decision)",
        _site_request_proposers,
        "RETENTION_DAYS speedwatch-site-requests",
        order=44,
    ),
    RetentionRule(
        "speedwatch-suspended",
        "Suspended Speed Watch volunteers: names, emails, phones, notes and sign-ins",
        lambda: retention_days("speedwatch-suspended"),
        "after the suspension",
        "past shifts' numbers (the volunteer row stays anonymised if they took shifts)",
        _suspended,
        "RETENTION_DAYS speedwatch-suspended",
        order=45,
    ),
)


def register() -> None:
    register_provider(PROVIDER)
    for rule in RULES:
        register_retention_rule(rule)
