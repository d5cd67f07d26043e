"""incremental feeds: stored VEVENT bytes per event revision and per-scope versions

Revision ID: 0019_feed_fragments
Revises: 0018_first_use
Create Date: 2026-12-04 19:00:00

Safe while the previous version still runs: a new table old code never reads, and a column with a
server default that old code never writes (its inserts get 0).
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import engagement.core.db  # noqa: F401

revision = "0019_feed_fragments"
down_revision = "0018_first_use"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feed_version", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "feed_fragments",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("variant", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("valid_until", engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_feed_fragments_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", "variant", name=op.f("pk_feed_fragments")),
    )


def downgrade():
    op.drop_table("feed_fragments")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("feed_version")
