"""The worker's expiry warnings: site risk assessments, volunteers' training and device calibration running out.

Worker task "speedwatch-expiry-warnings" (`warn_expiring`). Each expiry date is warned about
once (Site.expiry_warned_for, Volunteer.training_warned_for), so running it twice sends once:
the team hears of a site, the volunteer of their training, and the team gets one list of them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.timeutil import to_local
from engagement.core.urls import public_url
from engagement.extensions import db
from engagement.speedwatch.devices.warnings import warn_devices
from engagement.speedwatch.mail import send, team_recipients
from engagement.speedwatch.sites.models import Site
from engagement.speedwatch.volunteers.models import APPROVED, Volunteer
from engagement.teams.models import Team


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
            send(address, subject, "site_expiring", site=site, team=team, expired=expired, edit_url=edit_url)
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
    team_ids = {v.team_id for v in volunteers}
    teams = {
        t.id: t
        for t in db.session.scalars(select(Team).where(Team.id.in_(team_ids)).options(selectinload(Team.members)))
    }
    by_team: dict[int, list[Volunteer]] = {}
    for volunteer in volunteers:
        team = teams[volunteer.team_id]
        expired = volunteer.training_expires < today
        send(
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
            send(
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
    """Worker task: warn teams of site assessments and device calibrations, and volunteers of training, expiring soon."""
    now = now or utcnow()
    today = to_local(now).date()
    days = current_app.config["SPEEDWATCH_WARNING_DAYS"]
    count = warn_sites(today, days) + warn_volunteers(today, days) + warn_devices(today, days, now)
    db.session.commit()
    return count
