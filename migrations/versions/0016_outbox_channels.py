"""text messages: the outbox channel (email or sms) and Notify outcomes

Revision ID: 0016_outbox_channels
Revises: 0015_priorities_people
Create Date: 2026-12-04 19:00:00

Reserved slot in the chain; fill in upgrade/downgrade (or leave a no-op if no schema change is needed).
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
import engagement.core.db  # noqa: F401


revision = "0016_outbox_channels"
down_revision = "0015_priorities_people"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
