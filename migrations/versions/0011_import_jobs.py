"""event_import_jobs: uploaded calendar files waiting for, or imported by, the worker (one
transaction per file), with the stage the job page shows and the outcome

Safe while the previous version still runs: a new table only, which old code never reads.

Revision ID: 0011_import_jobs
Revises: 0010_demo_accounts
Create Date: 2026-12-04 04:30:00.000000

"""

from alembic import op
import sqlalchemy as sa
import engagement.core.db


# revision identifiers, used by Alembic.
revision = "0011_import_jobs"
down_revision = "0010_demo_accounts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "event_import_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("event_type_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("stage", sa.String(length=120), nullable=False),
        sa.Column("events", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("started_at", engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_event_import_jobs_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["event_type_id"],
            ["event_types.id"],
            name=op.f("fk_event_import_jobs_event_type_id_event_types"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_event_import_jobs_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_import_jobs")),
    )
    with op.batch_alter_table("event_import_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_import_jobs_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_import_jobs_team_id"), ["team_id"], unique=False)


def downgrade():
    with op.batch_alter_table("event_import_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_import_jobs_team_id"))
        batch_op.drop_index(batch_op.f("ix_event_import_jobs_status"))
    op.drop_table("event_import_jobs")
