"""privacy: two-factor sign-in (user_two_factor, user_recovery_codes), erasure records, residents'
single-use request links and the suppression list of hashed addresses

Safe while the previous version still runs: new tables only, which old code never reads.

Revision ID: 0014_privacy
Revises: 0012_speedwatch_scheme
Create Date: 2026-12-05 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import engagement.core.db

# revision identifiers, used by Alembic.
revision = "0014_privacy"
down_revision = "0012_speedwatch_scheme"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_two_factor",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=True),
        sa.Column("confirmed_at", engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.BigInteger(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reset_at", engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_two_factor_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_two_factor")),
    )
    op.create_table(
        "user_recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_recovery_codes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_recovery_codes")),
    )
    with op.batch_alter_table("user_recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_recovery_codes_user_id"), ["user_id"], unique=False)

    op.create_table(
        "privacy_suppressions",
        sa.Column("subject_hash", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("created_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject_hash", name=op.f("pk_privacy_suppressions")),
    )
    op.create_table(
        "privacy_erasures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("erased_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("actor_label", sa.String(length=255), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_erasures")),
    )
    with op.batch_alter_table("privacy_erasures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_privacy_erasures_subject_hash"), ["subject_hash"], unique=False)
    op.create_table(
        "privacy_request_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_request_links")),
    )
    with op.batch_alter_table("privacy_request_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_privacy_request_links_created_at"), ["created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("privacy_request_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_request_links_created_at"))
    op.drop_table("privacy_request_links")
    with op.batch_alter_table("privacy_erasures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_erasures_subject_hash"))
    op.drop_table("privacy_erasures")
    op.drop_table("privacy_suppressions")
    with op.batch_alter_table("user_recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_recovery_codes_user_id"))
    op.drop_table("user_recovery_codes")
    op.drop_table("user_two_factor")
