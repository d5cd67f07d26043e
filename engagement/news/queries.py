"""Read-side queries for news pages and feeds. Every list states how it loads.

Lists join the post's team in the same query (the author's name and rank are a column
on the post), so a page or feed costs the same number of queries for 1 or 200 posts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import joinedload

from engagement.core.errors import NotFound
from engagement.core.permissions import works_across_teams
from engagement.extensions import db
from engagement.news.models import PUBLISHED, NewsPost
from engagement.news.services import may_write_for

PER_PAGE = 20
FEED_SIZE = 50


def in_scope_of(team):
    """Posts residents of a team see: the team's own, its area's and the force's."""
    return or_(
        NewsPost.team_id == team.id,
        and_(NewsPost.team_id.is_(None), or_(NewsPost.area == team.area, NewsPost.area.is_(None))),
    )


def _public(team=None) -> Select:
    query = select(NewsPost).where(NewsPost.status == PUBLISHED, NewsPost.published_at.is_not(None))
    if team is not None:
        query = query.where(in_scope_of(team))
    return query.options(joinedload(NewsPost.team)).order_by(NewsPost.published_at.desc(), NewsPost.id.desc())


def public_page(team=None, *, page: int = 1, per_page: int = PER_PAGE):
    """One page of published posts, newest first: the page query plus its count."""
    return db.paginate(_public(team), page=page, per_page=per_page, error_out=False)


def latest(team=None, *, limit: int = FEED_SIZE) -> list[NewsPost]:
    """The newest published posts, for feeds and the team page: one query."""
    return db.session.scalars(_public(team).limit(limit)).all()


def feed_state(team=None) -> tuple[int, datetime | None]:
    """(published count, last change) of the posts a feed covers, in one aggregate query.

    Drafts count towards the last change, so taking a post off the site changes the feed's version.
    """
    query = select(func.sum(case((NewsPost.status == PUBLISHED, 1), else_=0)), func.max(NewsPost.updated_at))
    if team is not None:
        query = query.where(in_scope_of(team))
    count, changed = db.session.execute(query).one()  # max() keeps the column's UTC type
    return int(count or 0), changed


def public_post(post_id: int, viewer=None) -> NewsPost:
    """A post for its page; drafts only for staff who may edit them (a preview)."""
    post = db.session.scalars(
        select(NewsPost).where(NewsPost.id == post_id).options(joinedload(NewsPost.team))
    ).one_or_none()
    if post is None or not (post.is_public or (viewer is not None and may_write_for(viewer, post.team, post.area))):
        raise NotFound("We could not find that news post. It may have been taken down, or the link may be wrong.")
    return post


def staff_posts(user, *, page: int = 1, team_id: int | None = None):
    """Posts the user may edit, newest change first; officers see their own teams' posts only."""
    query = select(NewsPost).options(joinedload(NewsPost.team))
    if not works_across_teams(user):
        query = query.where(NewsPost.team_id.in_(user.team_ids or {-1}))
    if team_id:
        query = query.where(NewsPost.team_id == team_id)
    query = query.order_by(NewsPost.updated_at.desc(), NewsPost.id.desc())
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def published_for_choice(teams, *, area: str | None = None, limit: int = 30) -> list[NewsPost]:
    """Recent published posts a newsletter for these teams (or an area) may include."""
    conditions = [in_scope_of(team) for team in teams]
    if area:
        conditions.append(NewsPost.area == area)
        conditions.append(and_(NewsPost.team_id.is_(None), NewsPost.area.is_(None)))
    if not conditions:
        return []
    return db.session.scalars(_public().where(or_(*conditions)).limit(limit)).all()
