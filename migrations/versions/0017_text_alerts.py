"""text alerts: subscriptions by mobile, verification codes, replies, sign-ups by mobile

Revision ID: 0017_text_alerts
Revises: 0016_outbox_channels
Create Date: 2026-12-04 19:00:00

Safe while the previous version runs: two nullable/defaulted columns on signups, and new tables
the old code never reads.
"""

import sqlalchemy as sa
from alembic import op

import engagement.core.db

revision = "0017_text_alerts"
down_revision = "0016_outbox_channels"
branch_labels = None
depends_on = None

LIVE = sa.text("status != 'cancelled'")


def upgrade():
    with op.batch_alter_table("signups") as batch:
        batch.add_column(sa.Column("mobile", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("channel", sa.String(length=8), server_default="email", nullable=False))
    op.create_index(
        "uq_signups_occurrence_mobile_live",
        "signups",
        ["occurrence_id", "mobile"],
        unique=True,
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )
    op.create_table(
        "text_alert_numbers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mobile", sa.String(length=16), nullable=False),
        sa.Column("created_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("verified_at", engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("stopped_at", engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_text_alert_numbers")),
        sa.UniqueConstraint("mobile", name=op.f("uq_text_alert_numbers_mobile")),
    )
    op.create_table(
        "text_alert_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("consent_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["number_id"],
            ["text_alert_numbers.id"],
            name=op.f("fk_text_alert_subscriptions_number_id_text_alert_numbers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_text_alert_subscriptions_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_text_alert_subscriptions")),
        sa.UniqueConstraint("number_id", "team_id", name="uq_text_alert_subscriptions_number_id_team_id"),
    )
    op.create_index(
        op.f("ix_text_alert_subscriptions_number_id"), "text_alert_subscriptions", ["number_id"], unique=False
    )
    op.create_index(
        "ix_text_alert_subscriptions_team_confirmed", "text_alert_subscriptions", ["team_id", "confirmed_at"]
    )
    op.create_table(
        "text_alert_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("used_at", engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["number_id"],
            ["text_alert_numbers.id"],
            name=op.f("fk_text_alert_codes_number_id_text_alert_numbers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_text_alert_codes")),
    )
    op.create_index("ix_text_alert_codes_number_created", "text_alert_codes", ["number_id", "created_at"])
    op.create_table(
        "text_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("fragments", sa.Integer(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_text_alerts_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_text_alerts_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_text_alerts")),
    )
    op.create_index(op.f("ix_text_alerts_team_id"), "text_alerts", ["team_id"], unique=False)
    op.create_table(
        "text_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("mobile", sa.String(length=16), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("received_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("notify_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_text_replies_team_id_teams"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_text_replies")),
        sa.UniqueConstraint("notify_id", name=op.f("uq_text_replies_notify_id")),
    )
    op.create_index("ix_text_replies_team_received", "text_replies", ["team_id", "received_at"])


def downgrade():
    op.drop_index("ix_text_replies_team_received", table_name="text_replies")
    op.drop_table("text_replies")
    op.drop_index(op.f("ix_text_alerts_team_id"), table_name="text_alerts")
    op.drop_table("text_alerts")
    op.drop_index("ix_text_alert_codes_number_created", table_name="text_alert_codes")
    op.drop_table("text_alert_codes")
    op.drop_index("ix_text_alert_subscriptions_team_confirmed", table_name="text_alert_subscriptions")
    op.drop_index(op.f("ix_text_alert_subscriptions_number_id"), table_name="text_alert_subscriptions")
    op.drop_table("text_alert_subscriptions")
    op.drop_table("text_alert_numbers")
    op.drop_index("uq_signups_occurrence_mobile_live", table_name="signups")
    with op.batch_alter_table("signups") as batch:
        batch.drop_column("channel")
        batch.drop_column("mobile")
