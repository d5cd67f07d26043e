"""incremental feeds: stored VEVENT bytes per event revision and per-scope versions

Revision ID: 0019_feed_fragments
Revises: 0018_first_use
Create Date: 2026-12-04 19:00:00

Reserved slot in the chain; fill in upgrade/downgrade (or leave a no-op if no schema change is needed).
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
import engagement.core.db  # noqa: F401


revision = "0019_feed_fragments"
down_revision = "0018_first_use"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
