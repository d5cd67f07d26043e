"""Reads for the site request pages, each one query."""

from __future__ import annotations

from sqlalchemy import case, select
from sqlalchemy.orm import joinedload, selectinload

from engagement.extensions import db
from engagement.speedwatch.requests.models import PENDING, SiteRequest, SiteRequestPhoto

LIST_MAX = 200


def staff_requests(team_ids: list[int] | None) -> list[SiteRequest]:
    """Requests of these teams, waiting ones first, newest first."""
    query = (
        select(SiteRequest)
        .options(joinedload(SiteRequest.team))
        .order_by(case((SiteRequest.status == PENDING, 0), else_=1), SiteRequest.created_at.desc())
        .limit(LIST_MAX)
    )
    if team_ids is not None:
        query = query.where(SiteRequest.team_id.in_(team_ids or [-1]))
    return db.session.scalars(query).all()


def proposed_by(user) -> list[SiteRequest]:
    query = (
        select(SiteRequest)
        .options(joinedload(SiteRequest.site))
        .where(SiteRequest.proposed_by_id == user.id)
        .order_by(SiteRequest.created_at.desc())
        .limit(LIST_MAX)
    )
    return db.session.scalars(query).all()


def with_photos(request_id: int) -> SiteRequest | None:
    return db.session.scalar(
        select(SiteRequest)
        .where(SiteRequest.id == request_id)
        .options(joinedload(SiteRequest.team), selectinload(SiteRequest.photos).defer(SiteRequestPhoto.data))
    )


def photo(request_id: int, photo_id: int) -> SiteRequestPhoto | None:
    return db.session.scalar(
        select(SiteRequestPhoto).where(SiteRequestPhoto.id == photo_id, SiteRequestPhoto.request_id == request_id)
    )
