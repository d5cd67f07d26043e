"""`flask db upgrade` builds the schema on empty SQLite and PostgreSQL databases, with no drift
between the models and the migrations (`flask db check`), and downgrades cleanly to base."""

import pytest
from click.testing import Result
from sqlalchemy import create_engine, inspect

from tests.conftest import create_postgres_database, make_test_app


def _flask(app, *args) -> Result:
    result = app.test_cli_runner().invoke(args=["db", *args])
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_check_downgrade(backend, tmp_path):
    if backend == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'fresh.db'}", None
    else:
        url, drop = create_postgres_database("engagement_migrate")
    try:
        app = make_test_app(url, tmp_path)
        with app.app_context():
            _flask(app, "upgrade")
            engine = create_engine(url)
            tables = set(inspect(engine).get_table_names())
            assert {"users", "teams", "team_members", "team_postcodes", "audit_entries", "outbox_messages"} <= tables
            _flask(app, "check")  # exits non-zero if models and migrations differ
            _flask(app, "downgrade", "base")
            assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
            # The same check must fail when the database does not match the models.
            assert app.test_cli_runner().invoke(args=["db", "check"]).exit_code != 0
            engine.dispose()
            from engagement.extensions import db

            db.engine.dispose()
    finally:
        if drop:
            drop()
