"""worker_task_runs: one row per scheduled worker task and period, so each period runs once
however many workers run (claimed with INSERT ... ON CONFLICT DO NOTHING)

Safe while the previous version still runs: a new table only, which old code never reads.

Revision ID: 0009_worker_task_runs
Revises: 0008_speedwatch
Create Date: 2026-11-24 10:00:00.000000

"""

from alembic import op
import sqlalchemy as sa
import engagement.core.db


# revision identifiers, used by Alembic.
revision = "0009_worker_task_runs"
down_revision = "0008_speedwatch"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "worker_task_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(length=80), nullable=False),
        sa.Column("period_start", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("started_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("worker", sa.String(length=120), nullable=False),
        sa.Column("handled", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker_task_runs")),
    )
    with op.batch_alter_table("worker_task_runs", schema=None) as batch_op:
        batch_op.create_index("uq_worker_task_runs_task_period", ["task", "period_start"], unique=True)


def downgrade():
    with op.batch_alter_table("worker_task_runs", schema=None) as batch_op:
        batch_op.drop_index("uq_worker_task_runs_task_period")
    op.drop_table("worker_task_runs")
