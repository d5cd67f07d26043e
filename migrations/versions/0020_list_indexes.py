"""lists that cost one page: indexes for public list filters and order

Revision ID: 0020_list_indexes
Revises: 0019_feed_fragments
Create Date: 2026-12-04 19:00:00

Reserved slot in the chain; fill in upgrade/downgrade (or leave a no-op if no schema change is needed).
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
import engagement.core.db  # noqa: F401


revision = "0020_list_indexes"
down_revision = "0019_feed_fragments"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
