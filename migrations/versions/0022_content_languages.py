"""content in several languages: languages spoken at events, translated event text, multilingual surveys

Revision ID: 0022_content_languages
Revises: 0021_languages
Create Date: 2026-12-04 19:00:00

Reserved slot in the chain; fill in upgrade/downgrade (or leave a no-op if no schema change is needed).
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
import engagement.core.db  # noqa: F401


revision = "0022_content_languages"
down_revision = "0021_languages"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
