"""Readiness: can this process serve real requests right now? Database, schema version, Redis.

A load balancer takes a process out of rotation while /readyz says 503, and puts it back
when it says 200; the reason is short and names no host or credential. The migration
heads are read from migrations/ once per process (they only change with a deploy). A
database *behind* this code is not ready; one *ahead* of it (a revision this code does not
know: the next release migrated before restarting) is, by the safe-migration rule.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import current_app
from sqlalchemy import text

from engagement.extensions import db

REDIS_TIMEOUT = 1.0  # seconds: a readiness probe must answer well inside the balancer's own timeout


@cache
def migration_scripts(directory: str) -> tuple[frozenset[str], frozenset[str]]:
    """(heads, every revision) of the migrations this code ships."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", directory)
    script = ScriptDirectory.from_config(config)
    return frozenset(script.get_heads()), frozenset(rev.revision for rev in script.walk_revisions())


@cache
def _redis_client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)


def check_database() -> str | None:
    """None when the database answers and its schema is at the migrations' head; else the reason."""
    try:
        versions = set(db.session.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except Exception as exc:  # noqa: BLE001 - any failure here means "not ready", with its kind as the reason
        db.session.rollback()
        if _is_missing_table(exc):
            return "database schema not migrated (run flask db upgrade)"
        return f"database unreachable ({type(exc).__name__})"
    finally:
        db.session.rollback()
    directory = current_app.extensions["migrate"].directory
    heads, known = migration_scripts(str(Path(directory).resolve()))
    if versions == set(heads):
        return None
    if versions - known:
        # Migrated by a newer release than this process: deploys migrate first, then restart, and every
        # migration is safe while the previous version runs (README, Production), so keep serving.
        return None
    return "database migrations not at head (run flask db upgrade)"


def _is_missing_table(exc: Exception) -> bool:
    message = str(getattr(exc, "orig", exc)).lower()
    return "alembic_version" in message and ("no such table" in message or "does not exist" in message)


def check_redis() -> str | None:
    """Only when Redis is configured (rate limits): memory:// has nothing to reach."""
    url = current_app.config.get("RATELIMIT_STORAGE_URI", "")
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    try:
        _redis_client(url).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means the shared limits cannot be kept
        return f"redis unreachable ({type(exc).__name__})"
    return None


def problems() -> list[str]:
    return [reason for reason in (check_database(), check_redis()) if reason]
