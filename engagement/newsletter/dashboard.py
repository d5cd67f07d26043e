"""What the staff dashboard shows from this feature: newsletters in progress and broken feeds."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from engagement.core.permissions import works_across_teams
from engagement.extensions import db
from engagement.feeds.models import FAILED, FeedSource
from engagement.newsletter.models import DRAFT, SCHEDULED, SENDING, Issue


def attention(user, teams, limit: int = 10):
    """(issues not yet sent, failing feed sources) for the user's own teams (everything for coordinators
    and admins without a team): two queries with their teams joined."""
    across = works_across_teams(user)
    ids = [t.id for t in teams if t.id in user.team_ids] or ([t.id for t in teams] if across else [])
    if not ids:
        return [], []
    areas = {t.area for t in teams if t.id in ids}
    issue_scope = Issue.team_id.in_(ids)
    if across:
        issue_scope = or_(issue_scope, Issue.area.in_(areas))
    issues = db.session.scalars(
        select(Issue)
        .where(issue_scope, Issue.status.in_((DRAFT, SCHEDULED, SENDING)))
        .options(joinedload(Issue.team))
        .order_by(Issue.updated_at.desc())
        .limit(limit)
    ).all()
    broken = db.session.scalars(
        select(FeedSource)
        .where(FeedSource.team_id.in_(ids), FeedSource.active.is_(True), FeedSource.last_status == FAILED)
        .options(joinedload(FeedSource.team))
        .order_by(FeedSource.title)
        .limit(limit)
    ).all()
    return issues, broken
