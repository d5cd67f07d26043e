"""languages: the resident's language on each record, languages spoken at events, translated event and survey text

Revision ID: 0021_languages
Revises: 0020_list_indexes
Create Date: 2026-12-04 19:00:00

The resident's language (issue 15): a nullable column on sign-ups, newsletter subscribers, survey
responses and Speed Watch applications. Nullable, so the previous release keeps inserting rows
without it (None reads as English).
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
import engagement.core.db  # noqa: F401


revision = "0021_languages"
down_revision = "0020_list_indexes"
branch_labels = None
depends_on = None


RESIDENT_TABLES = ("signups", "newsletter_subscribers", "survey_responses", "speedwatch_volunteers")


def upgrade():
    for table in RESIDENT_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("language", sa.String(length=10), nullable=True))


def downgrade():
    for table in reversed(RESIDENT_TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("language")
