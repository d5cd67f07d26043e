"""text messages: the outbox channel (email or sms) and Notify outcomes

Revision ID: 0016_outbox_channels
Revises: 0015_priorities_people
Create Date: 2026-12-04 19:00:00

Safe while the previous version still runs: new outbox columns are nullable or server-defaulted
(old rows, and rows the old code writes, are "email"), and three new tables old code never reads.
"""

from alembic import op
import sqlalchemy as sa
import engagement.core.db


revision = "0016_outbox_channels"
down_revision = "0015_priorities_people"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=8), server_default="email", nullable=False))
        batch_op.add_column(sa.Column("fragments", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("purpose", sa.String(length=40), server_default="", nullable=False))
        batch_op.add_column(sa.Column("notify_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("delivery_status", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("checked_at", engagement.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_messages_team_id"), ["team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_messages_notify_id"), ["notify_id"], unique=False)

    op.create_table(
        "sms_blocked_numbers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("blocked_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_blocked_numbers")),
        sa.UniqueConstraint("number", name=op.f("uq_sms_blocked_numbers_number")),
    )
    op.create_table(
        "notify_cursors",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("notify_id", sa.String(length=36), nullable=False),
        sa.Column("seen_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_notify_cursors")),
    )
    op.create_table(
        "notify_received_texts",
        sa.Column("notify_id", sa.String(length=36), nullable=False),
        sa.Column("received_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("notify_id", name=op.f("pk_notify_received_texts")),
    )
    with op.batch_alter_table("notify_received_texts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notify_received_texts_received_at"), ["received_at"], unique=False)


def downgrade():
    with op.batch_alter_table("notify_received_texts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notify_received_texts_received_at"))
    op.drop_table("notify_received_texts")
    op.drop_table("notify_cursors")
    op.drop_table("sms_blocked_numbers")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_messages_notify_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_messages_team_id"))
        for column in ("checked_at", "delivery_status", "notify_id", "purpose", "team_id", "fragments", "channel"):
            batch_op.drop_column(column)
