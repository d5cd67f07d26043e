#!/usr/bin/env bash
# Nightly backup: one pg_dump (custom format, compressed) of DATABASE_URL into BACKUP_DIR, then delete
# dumps older than BACKUP_KEEP_DAYS. Run by engagement-backup.timer; prints the file it wrote.
#   DATABASE_URL=postgresql+psycopg://... BACKUP_DIR=/var/backups/engagement deploy/backup.sh
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/engagement}"
KEEP_DAYS="${BACKUP_KEEP_DAYS:-35}"
PG_DUMP="${PG_DUMP:-$(ls /usr/lib/postgresql/*/bin/pg_dump 2>/dev/null | sort -V | tail -n 1)}"
PG_DUMP="${PG_DUMP:-pg_dump}"
url="${DATABASE_URL/postgresql+psycopg:/postgresql:}"   # libpq does not know SQLAlchemy's driver suffix
url="${url/postgres:\/\//postgresql://}"
mkdir -p "$BACKUP_DIR"
file="$BACKUP_DIR/engagement-$(date -u +%Y%m%dT%H%M%SZ).dump"
# --no-owner/--no-acl: the dump restores into any database whoever owns it (the restore test's scratch one).
"$PG_DUMP" --format=custom --compress=6 --no-owner --no-acl --file="$file.partial" "$url"
mv "$file.partial" "$file"
find "$BACKUP_DIR" -name 'engagement-*.dump' -mtime +"$KEEP_DAYS" -delete
echo "$file"
