"""priorities and people: a team's priorities (police.uk `issue`/`issue-date`) with dated actions,
the team's people who chose to be shown (with a re-encoded photo), and newsletter_issues.priorities
(include the current priorities as a section)

Revision ID: 0015_priorities_people
Revises: 0014_privacy
Create Date: 2026-12-04 04:00:00

Safe while the previous version still runs: three new tables old code never reads, and one new
column with a server default.
"""

from alembic import op
import sqlalchemy as sa
import engagement.core.db


revision = "0015_priorities_people"
down_revision = "0014_privacy"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "team_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("rank", sa.String(length=40), nullable=False),
        sa.Column("bio", sa.Text(), nullable=False),
        sa.Column("shown", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("photo", sa.LargeBinary(), nullable=True),
        sa.Column("photo_at", engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_people_team_id_teams"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_team_people_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_people")),
        sa.UniqueConstraint("team_id", "user_id", name="uq_team_people_team_id_user_id"),
    )
    with op.batch_alter_table("team_people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_people_team_id"), ["team_id"], unique=False)

    op.create_table(
        "priorities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("issue", sa.Text(), nullable=False),
        sa.Column("set_on", sa.Date(), nullable=False),
        sa.Column("how", sa.String(length=12), nullable=False),
        sa.Column("how_detail", sa.String(length=200), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("import_key", sa.String(length=64), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_priorities_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_priorities_survey_id_surveys"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_priorities_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priorities")),
        sa.UniqueConstraint("import_key", name=op.f("uq_priorities_import_key")),
    )
    with op.batch_alter_table("priorities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_priorities_team_id"), ["team_id"], unique=False)

    op.create_table(
        "priority_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("priority_id", sa.Integer(), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_priority_actions_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["priority_id"],
            ["priorities.id"],
            name=op.f("fk_priority_actions_priority_id_priorities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priority_actions")),
    )
    with op.batch_alter_table("priority_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_priority_actions_priority_id"), ["priority_id"], unique=False)

    with op.batch_alter_table("newsletter_issues", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priorities", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("newsletter_issues", schema=None) as batch_op:
        batch_op.drop_column("priorities")

    with op.batch_alter_table("priority_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_priority_actions_priority_id"))

    op.drop_table("priority_actions")
    with op.batch_alter_table("priorities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_priorities_team_id"))

    op.drop_table("priorities")
    with op.batch_alter_table("team_people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_people_team_id"))

    op.drop_table("team_people")
