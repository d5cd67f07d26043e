#!/usr/bin/env bash
# Prove a backup restores: load a dump into a scratch database, ask the app's /readyz about it
# (reachable, migrations at head), count a few tables, then drop the scratch database.
#   deploy/restore-test.sh [DUMP]      (default: the newest dump in BACKUP_DIR)
# ADMIN_URL is a libpq URL of a server where we may create databases (default: DATABASE_URL's server).
set -euo pipefail
cd "$(dirname "$0")/.."
BACKUP_DIR="${BACKUP_DIR:-/var/backups/engagement}"
dump="${1:-$(ls -1 "$BACKUP_DIR"/engagement-*.dump 2>/dev/null | sort | tail -n 1)}"
[ -f "$dump" ] || { echo "FAIL: no dump found (give a file, or set BACKUP_DIR)"; exit 1; }
bin="$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_restore 2>/dev/null | sort -V | tail -n 1)")"
admin="${ADMIN_URL:-${DATABASE_URL/postgresql+psycopg:/postgresql:}}"
scratch="engagement_restore_test_$(date +%s)_$$"
server="${admin%/*}"
"$bin/psql" -qAt "$admin" -c "CREATE DATABASE \"$scratch\""
trap '"$bin/psql" -qAt "$admin" -c "DROP DATABASE IF EXISTS \"$scratch\" WITH (FORCE)" >/dev/null' EXIT
"$bin/pg_restore" --no-owner --no-acl --exit-on-error --dbname="$server/$scratch" "$dump"
DATABASE_URL="${server/postgresql:/postgresql+psycopg:}/$scratch" APP_ENV=production \
SECRET_KEY="${SECRET_KEY:-restore-test-only-0123456789abcdef0123456789}" RATELIMIT_STORAGE_URI=memory:// \
.venv/bin/python - "$dump" <<'PY'
import sys
from sqlalchemy import text
from engagement import create_app
from engagement.extensions import db

app = create_app({"SKIP_DEMO_ACCOUNT_CHECK": True})  # a restore may hold anything; readiness is the question
reply = app.test_client().get("/readyz")
with app.app_context():
    counts = {t: db.session.execute(text(f"SELECT count(*) FROM {t}")).scalar()  # noqa: S608 - fixed names
              for t in ("teams", "events", "occurrences", "newsletter_subscribers")}
print(f"restore of {sys.argv[1]}: /readyz {reply.status_code} {reply.get_json()}; rows {counts}")
sys.exit(0 if reply.status_code == 200 else 1)
PY
echo "PASS: restore test"
