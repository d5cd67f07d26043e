"""content in several languages: languages spoken at events, translated event text, multilingual surveys

Revision ID: 0022_content_languages
Revises: 0021_languages
Create Date: 2026-12-04 19:00:00

Issue 15, "Content in more than one language":
* events.languages: the languages officers at the event speak, BCP 47 codes separated by spaces
  ("en ur pa"); empty (the server default) means not said, so the previous release keeps inserting.
* events.translations, surveys.translations, survey_questions.translations, survey_options.translations:
  the officer's own words in other languages, as JSON keyed by language code. Nullable: None means
  no translation, and the previous release never reads or writes them.
* newsletter_issues.bodies: an issue's content frozen in each other language its recipients read
  ({"ur": {"html", "text"}}); None (the previous release) means English only, from body_html/body_text.
* text_alert_numbers.language: the language a number asked for alerts in, for its codes and the STOP
  confirmation; None means English.
"""

import sqlalchemy as sa
from alembic import op

import engagement.core.db  # noqa: F401

revision = "0022_content_languages"
down_revision = "0021_languages"
branch_labels = None
depends_on = None

TRANSLATED = ("events", "surveys", "survey_questions", "survey_options")


def upgrade():
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("languages", sa.String(length=120), server_default="", nullable=False))
    for table in TRANSLATED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("translations", sa.JSON(), nullable=True))
    with op.batch_alter_table("newsletter_issues") as batch:
        batch.add_column(sa.Column("bodies", sa.JSON(), nullable=True))
    with op.batch_alter_table("text_alert_numbers") as batch:
        batch.add_column(sa.Column("language", sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table("text_alert_numbers") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("newsletter_issues") as batch:
        batch.drop_column("bodies")
    for table in reversed(TRANSLATED):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("translations")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("languages")
