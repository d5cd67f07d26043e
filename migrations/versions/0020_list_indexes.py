"""lists that cost one page: indexes for public list filters and order

Revision ID: 0020_list_indexes
Revises: 0019_feed_fragments
Create Date: 2026-12-04 19:00:00

Every public list of dates (/events, a team's page, /api/v1/events, the newsletter's "Coming up")
orders by (starts_at, id) and keeps dates not yet ended: this index serves both, so a page's ids
come off it in order. The other filters are already indexed (events.team_id, events.status,
teams.slug, event_types.slug; the event is probed by primary key). Adding an index is safe while
the previous version runs; ix_occurrences_starts_at stays until a later release.
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op

import engagement.core.db  # noqa: F401

revision = "0020_list_indexes"
down_revision = "0019_feed_fragments"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_occurrences_list", "occurrences", ["starts_at", "id", "ends_at"])


def downgrade():
    op.drop_index("ix_occurrences_list", table_name="occurrences")
