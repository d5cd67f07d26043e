"""What volunteers and teams are emailed about volunteers and sites, and the worker's expiry warnings.

Emails are queued in the outbox in the caller's transaction (the worker sends them). Team notices
carry at most a volunteer's name, with a link to the staff pages; phone numbers and addresses stay
on those pages. `warn_expiring` warns once per expiry date (Site.expiry_warned_for,
Volunteer.training_warned_for), so running it twice sends once.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.mail import queue_templated
from engagement.core.permissions import OFFICER
from engagement.core.timeutil import to_local
from engagement.core.urls import public_url
from engagement.extensions import db
from engagement.speedwatch.models import APPROVED, Site, Volunteer

EMAIL_DIR = "speedwatch/email"


def team_recipients(team, *, officers: bool = True) -> list[str]:
    """The team's contact address and (if asked, or if there is no contact address) its active officers."""
    found = [team.contact_email] if team.contact_email else []
    if officers or not found:
        found += [u.email for u in team.members if u.role == OFFICER and u.active]
    seen, unique = set(), []
    for address in found:
        if address.lower() not in seen:
            seen.add(address.lower())
            unique.append(address)
    return unique


def _send(to: str, subject: str, template: str, **context) -> None:
    queue_templated(to, subject, f"{EMAIL_DIR}/{template}", force_name=current_app.config["FORCE_NAME"], **context)


# --- volunteers ------------------------------------------------------------------------------


def application_received(volunteer: Volunteer) -> None:
    team = volunteer.team
    _send(
        volunteer.email,
        f"We have your application: {team.name} Community Speed Watch",
        "volunteer_applied",
        volunteer=volunteer,
        team=team,
        about_url=public_url("speedwatch.about", slug=team.slug),
    )
    staff_url = public_url("speedwatch.volunteer", volunteer_id=volunteer.id)
    for address in team_recipients(team, officers=False):
        _send(
            address,
            f"New Speed Watch application for {team.name}",
            "volunteer_new_application",
            volunteer=volunteer,
            team=team,
            staff_url=staff_url,
        )


def welcome(volunteer: Volunteer) -> None:
    team = volunteer.team
    _send(
        volunteer.email,
        f"Welcome to {team.name} Community Speed Watch",
        "volunteer_welcome",
        volunteer=volunteer,
        team=team,
        login_url=public_url("accounts.login"),
        forgot_url=public_url("accounts.forgot_password"),
        rota_url=public_url("speedwatch.rota"),
    )


def declined(volunteer: Volunteer) -> None:
    team = volunteer.team
    _send(
        volunteer.email,
        f"Your application to {team.name} Community Speed Watch",
        "volunteer_declined",
        volunteer=volunteer,
        team=team,
    )


def suspended(volunteer: Volunteer) -> None:
    team = volunteer.team
    _send(volunteer.email, f"Your Speed Watch volunteering is paused: {team.name}", "volunteer_suspended", team=team)


def reinstated(volunteer: Volunteer) -> None:
    team = volunteer.team
    _send(
        volunteer.email,
        f"Welcome back to {team.name} Community Speed Watch",
        "volunteer_reinstated",
        volunteer=volunteer,
        team=team,
        login_url=public_url("accounts.login"),
        forgot_url=public_url("accounts.forgot_password"),
    )


# --- the worker's expiry warnings --------------------------------------------------------------


def _locked(query):
    """Rows to warn about, locked on PostgreSQL so two workers never warn twice (SQLite has one worker)."""
    return query.with_for_update(skip_locked=True)


def warn_sites(today: date, days: int) -> int:
    """One email per site assessment expiry to the team's contact address and officers."""
    horizon = today + timedelta(days=days)
    query = _locked(
        select(Site)
        .where(
            Site.active,
            Site.assessment_expires <= horizon,
            or_(Site.expiry_warned_for.is_(None), Site.expiry_warned_for != Site.assessment_expires),
        )
        .order_by(Site.id)
    )
    sites = db.session.scalars(query).all()
    if not sites:
        return 0
    # The teams and their officers in two more queries, whatever the number of sites.
    from engagement.teams.models import Team

    team_ids = {s.team_id for s in sites}
    teams = {
        t.id: t
        for t in db.session.scalars(select(Team).where(Team.id.in_(team_ids)).options(selectinload(Team.members)))
    }
    for site in sites:
        team = teams[site.team_id]
        expired = site.assessment_expires < today
        subject = (
            f"Risk assessment expired: {site.name} ({team.name} Speed Watch)"
            if expired
            else f"Risk assessment expires soon: {site.name} ({team.name} Speed Watch)"
        )
        edit_url = public_url("speedwatch.site_edit", site_id=site.id)
        for address in team_recipients(team):
            _send(address, subject, "site_expiring", site=site, team=team, expired=expired, edit_url=edit_url)
        site.expiry_warned_for = site.assessment_expires
        audit.record(
            "speedwatch.site_expiry_warning",
            target=site,
            summary=f"Warned {team.name} that the assessment of {site.name} expires {site.assessment_expires}",
        )
    return len(sites)


def warn_volunteers(today: date, days: int) -> int:
    """One email per training expiry to the volunteer, and one list per team for its coordinator."""
    horizon = today + timedelta(days=days)
    query = _locked(
        select(Volunteer)
        .where(
            Volunteer.status == APPROVED,
            Volunteer.training_expires.is_not(None),
            Volunteer.training_expires <= horizon,
            or_(Volunteer.training_warned_for.is_(None), Volunteer.training_warned_for != Volunteer.training_expires),
        )
        .order_by(Volunteer.team_id, Volunteer.training_expires, Volunteer.id)
    )
    volunteers = db.session.scalars(query).all()
    if not volunteers:
        return 0
    from engagement.teams.models import Team

    team_ids = {v.team_id for v in volunteers}
    teams = {
        t.id: t
        for t in db.session.scalars(select(Team).where(Team.id.in_(team_ids)).options(selectinload(Team.members)))
    }
    by_team: dict[int, list[Volunteer]] = {}
    for volunteer in volunteers:
        team = teams[volunteer.team_id]
        expired = volunteer.training_expires < today
        _send(
            volunteer.email,
            "Your Speed Watch training has expired" if expired else "Your Speed Watch training expires soon",
            "volunteer_training_expiring",
            volunteer=volunteer,
            team=team,
            expired=expired,
        )
        volunteer.training_warned_for = volunteer.training_expires
        by_team.setdefault(team.id, []).append(volunteer)
        audit.record(
            "speedwatch.training_expiry_warning",
            target=volunteer,
            summary=f"Warned {volunteer.name} that their training expires {volunteer.training_expires}",
        )
    for team_id, rows in by_team.items():
        team = teams[team_id]
        for address in team_recipients(team, officers=False):
            _send(
                address,
                f"Speed Watch training expiring: {team.name}",
                "volunteer_training_team",
                team=team,
                volunteers=rows,
                today=today,
                list_url=public_url("speedwatch.volunteers", team=team.slug),
            )
    return len(volunteers)


def warn_expiring(now: datetime | None = None) -> int:
    """Worker task: warn teams of site assessments, and volunteers of training, expiring soon."""
    now = now or utcnow()
    today = to_local(now).date()
    days = current_app.config["SPEEDWATCH_WARNING_DAYS"]
    count = warn_sites(today, days) + warn_volunteers(today, days)
    db.session.commit()
    return count
