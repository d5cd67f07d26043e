"""first-use fixes: venue directions and booking corrections

Revision ID: 0018_first_use
Revises: 0017_text_alerts
Create Date: 2026-12-04 19:00:00

Reserved slot in the chain; fill in upgrade/downgrade (or leave a no-op if no schema change is needed).
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import engagement.core.db  # noqa: F401

revision = "0018_first_use"
down_revision = "0017_text_alerts"
branch_labels = None
depends_on = None


def upgrade():
    # H1 (issue 14 item 16): how to reach a venue by public transport, beside the Directions link.
    with op.batch_alter_table("venues") as batch:
        batch.add_column(sa.Column("public_transport", sa.Text(), server_default="", nullable=False))


def downgrade():
    # H1: venue directions
    with op.batch_alter_table("venues") as batch:
        batch.drop_column("public_transport")
