"""Reads for the site pages, the public team page and the shift form: each one query."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from engagement.extensions import db
from engagement.speedwatch.sites.models import Site

SOON_DAYS = 30


def assessment_state(site: Site, today: date, soon_days: int = SOON_DAYS) -> str:
    """'expired', 'expiring' (within soon_days), 'current' or 'inactive'."""
    if not site.active:
        return "inactive"
    if site.assessment_expires < today:
        return "expired"
    if (site.assessment_expires - today).days <= soon_days:
        return "expiring"
    return "current"


def staff_sites(team_ids: list[int] | None) -> list[Site]:
    """Sites of these teams (None: every team), active first, in one query."""
    query = (
        select(Site)
        .options(joinedload(Site.team))
        .order_by(Site.active.desc(), Site.assessment_expires, func.lower(Site.name))
    )
    if team_ids is not None:
        query = query.where(Site.team_id.in_(team_ids or [-1]))
    return db.session.scalars(query).all()


def active_site_count(team) -> int:
    return db.session.scalar(select(func.count()).select_from(Site).where(Site.team_id == team.id, Site.active)) or 0


def active_sites(team_ids: list[int]) -> list[Site]:
    """The sites shifts may be scheduled at in these teams, by name."""
    query = select(Site).where(Site.team_id.in_(team_ids or [-1]), Site.active.is_(True)).order_by(Site.name)
    return db.session.scalars(query).all()
