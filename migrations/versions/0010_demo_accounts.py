"""users.demo: accounts made by `flask demo load`, refused at sign-in and at start-up in production

Revision ID: 0010_demo_accounts
Revises: 0009_worker_task_runs
Create Date: 2026-12-04 03:30:00

Safe while the previous version still runs: a new column with a server default, which old code
neither reads nor writes.
"""

from alembic import op
import sqlalchemy as sa


revision = "0010_demo_accounts"
down_revision = "0009_worker_task_runs"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("demo", sa.Boolean(), nullable=False, server_default=sa.false()))
    # Accounts the demo loader made before this column existed: the documented demo addresses.
    op.execute(
        "UPDATE users SET demo = true WHERE password_hash IS NOT NULL AND email LIKE '%@example.org'"
    )


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("demo")
