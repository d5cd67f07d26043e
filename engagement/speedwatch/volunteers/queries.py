"""Reads for the staff volunteer pages and the dashboard: each list is one query."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from engagement.core.audit import AuditEntry
from engagement.extensions import db
from engagement.speedwatch.sites.models import Site
from engagement.speedwatch.volunteers.models import APPLIED, APPROVED, DECLINED, SUSPENDED, Volunteer

STATUS_ORDER = (APPLIED, APPROVED, SUSPENDED, DECLINED)


def training_state(volunteer: Volunteer, today: date, warning_days: int) -> str:
    """'expired', 'expiring' (within the warning window), 'current' or 'none'."""
    if volunteer.training_expires is None:
        return "none"
    if volunteer.training_expires < today:
        return "expired"
    if (volunteer.training_expires - today).days <= warning_days:
        return "expiring"
    return "current"


def staff_list(team_ids: list[int] | None) -> dict[str, list[Volunteer]]:
    """Every volunteer of these teams (None: all teams), grouped by status, in one query."""
    order = case({status: n for n, status in enumerate(STATUS_ORDER)}, value=Volunteer.status)
    query = select(Volunteer).options(joinedload(Volunteer.team)).order_by(order, func.lower(Volunteer.name))
    if team_ids is not None:
        query = query.where(Volunteer.team_id.in_(team_ids or [-1]))
    groups: dict[str, list[Volunteer]] = {status: [] for status in STATUS_ORDER}
    for volunteer in db.session.scalars(query):
        groups.setdefault(volunteer.status, []).append(volunteer)
    return groups


def history(volunteer: Volunteer):
    """The audit entries about this volunteer, oldest first (the actor joined in the same query)."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.target_type == "volunteer", AuditEntry.target_id == str(volunteer.id))
        .order_by(AuditEntry.at, AuditEntry.id)
        .limit(200)
    )
    return db.session.scalars(query).all()


def needing_attention(team_ids: list[int], today: date, days: int, limit: int = 20):
    """Applications waiting, site assessments and training expiring within `days` (or expired):
    three queries, whatever the number of rows."""
    soon = today + timedelta(days=days)
    waiting = db.session.scalars(
        select(Volunteer)
        .options(joinedload(Volunteer.team))
        .where(Volunteer.team_id.in_(team_ids), Volunteer.status == APPLIED)
        .order_by(Volunteer.applied_at)
        .limit(limit)
    ).all()
    sites = db.session.scalars(
        select(Site)
        .options(joinedload(Site.team))
        .where(Site.team_id.in_(team_ids), Site.active, Site.assessment_expires <= soon)
        .order_by(Site.assessment_expires)
        .limit(limit)
    ).all()
    training = db.session.scalars(
        select(Volunteer)
        .options(joinedload(Volunteer.team))
        .where(Volunteer.team_id.in_(team_ids), Volunteer.status == APPROVED, Volunteer.training_expires <= soon)
        .order_by(Volunteer.training_expires)
        .limit(limit)
    ).all()
    return waiting, sites, training


def memberships_for_users(user_ids) -> dict[int, dict]:
    """For the admin's account list (accounts cannot import Speed Watch): each volunteer sign-in's
    team, membership status and page, for one page of users in one query."""
    from flask import url_for

    ids = sorted({int(i) for i in user_ids or ()})
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Volunteer).where(Volunteer.user_id.in_(ids)).options(joinedload(Volunteer.team))
    ).all()
    return {
        v.user_id: {
            "team": v.team.name,
            "team_id": v.team_id,
            "status": v.status_label,
            "url": url_for("speedwatch.volunteer", volunteer_id=v.id),
        }
        for v in rows
    }


def volunteer_user_ids(team_id: int):
    """The sign-ins of one team's volunteers, as a subquery the account list can filter on."""
    return select(Volunteer.user_id).where(Volunteer.team_id == team_id, Volunteer.user_id.is_not(None))
