"""The DVLA keeper lookup, which happens outside this system: the export the back office sends, and the
import of what comes back (each letter's registered keeper name and address).

The import is a CSV, checked whole before anything is saved (every problem is listed by row), and
bounded: at most MAX_BYTES and MAX_ROWS. Keeper details are personal data: the audit log records
counts only, and the worker erases them after the letter is produced (letters.tasks).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

from sqlalchemy import func, select

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import DomainError
from engagement.core.exports import Column, audit_export, csv_response
from engagement.core.inputs import has_control_characters
from engagement.core.permissions import can_manage_team
from engagement.core.timeutil import to_local
from engagement.extensions import db
from engagement.speedwatch.letters.models import DUE, READY, STEP_LABELS, Letter
from engagement.speedwatch.returns import plates

MAX_BYTES = 1_000_000
MAX_ROWS = 2000
MAX_MESSAGES = 20
NAME_MAX, LINE_MAX = 120, 100
REQUIRED = ("Letter ID", "Registration", "Keeper name", "Address line 1", "Postcode")
OPTIONAL = ("Address line 2", "Address line 3", "Town")
POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}")

LOOKUP_COLUMNS = [
    Column("letter_id", "Letter ID", lambda r: r.id),
    Column("registration", "Registration", lambda r: r.registration),
    Column("make", "Make", lambda r: r.make),
    Column("colour", "Colour", lambda r: r.colour),
    Column("date", "Date seen", lambda r: f"{to_local(r.seen_at):%Y-%m-%d}"),
    Column("time", "Time seen", lambda r: f"{to_local(r.seen_at):%H:%M}"),
    Column("site", "Site", lambda r: r.site_name),
    Column("road", "Road", lambda r: r.road),
    Column("speed", "Speed (mph)", lambda r: r.speed_mph),
    Column("limit", "Speed limit (mph)", lambda r: r.speed_limit),
    Column("step", "Letter", lambda r: STEP_LABELS[r.step]),
]


def _scope(query, team_ids):
    return query if team_ids is None else query.where(Letter.team_id.in_(team_ids or [-1]))


def record_lookup(team_ids: list[int] | None, *, actor) -> int:
    """Audit the keeper-lookup export (the caller commits before streaming); returns its row count."""
    count = db.session.scalar(_scope(select(func.count(Letter.id)).where(Letter.status == DUE), team_ids)) or 0
    audit_export(
        "speedwatch_keeper_lookup",
        actor=actor,
        rows=count,
        fmt="csv",
        filters={"teams": sorted(team_ids) if team_ids is not None else "all"},
        columns=LOOKUP_COLUMNS,
    )
    return count


def lookup_response(team_ids: list[int] | None):
    """The letters waiting for a keeper lookup as CSV, streamed (record_lookup first)."""
    rows = db.session.scalars(
        _scope(select(Letter).where(Letter.status == DUE), team_ids)
        .order_by(Letter.id)
        .execution_options(yield_per=500)
    )
    return csv_response(f"keeper-lookup-{utcnow():%Y-%m-%d}", LOOKUP_COLUMNS, rows)


def _read(data: bytes) -> list[dict]:
    if len(data) > MAX_BYTES:
        raise DomainError(f"The file is too large: it must be {MAX_BYTES // 1000} KB or smaller", field="file")
    if not data.strip():
        raise DomainError("Choose the CSV file from the keeper lookup", field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError("The file must be a CSV saved as UTF-8", field="file") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = [h.strip() for h in reader.fieldnames or []]
    missing = [h for h in REQUIRED if h not in headers]
    if missing:
        raise DomainError(
            f"The file has no {', '.join(missing)} column. The columns are: {', '.join(REQUIRED + OPTIONAL)}",
            field="file",
        )
    rows = []
    for row in reader:
        if len(rows) >= MAX_ROWS:
            raise DomainError(f"The file has more than {MAX_ROWS} rows: split it into smaller files", field="file")
        rows.append(
            {(k or "").strip(): " ".join(str(v or "").split()) for k, v in row.items() if not isinstance(v, list)}
        )
    if not rows:
        raise DomainError("The file has no rows under its headings", field="file")
    return rows


def _row_problems(n: int, row: dict, letter: Letter | None, actor) -> list[str]:
    problems = []
    prefix = f"Row {n}: "
    values = " ".join(row.values())
    if has_control_characters(values):
        return [prefix + "contains control characters that cannot be saved"]
    if letter is None or (actor is not None and not can_manage_team(actor, letter.team)):
        return [prefix + f"there is no letter {row.get('Letter ID') or '(blank)'} waiting for a keeper in your teams"]
    if letter.status not in (DUE, READY):
        return [prefix + f"letter {letter.id} has already been produced or replaced"]
    if plates.normalise(row.get("Registration", "")) != letter.registration:
        problems.append(prefix + f"the registration does not match letter {letter.id}")
    if not row.get("Keeper name"):
        problems.append(prefix + "enter the keeper's name")
    elif len(row["Keeper name"]) > NAME_MAX:
        problems.append(prefix + f"the keeper's name must be {NAME_MAX} characters or fewer")
    if not row.get("Address line 1"):
        problems.append(prefix + "enter the first line of the address")
    if any(len(row.get(key, "")) > LINE_MAX for key in ("Address line 1", *OPTIONAL)):
        problems.append(prefix + f"each address line must be {LINE_MAX} characters or fewer")
    if not POSTCODE.fullmatch(row.get("Postcode", "").upper()):
        problems.append(prefix + "enter a real UK postcode, for example B16 8QT")
    return problems


def import_keepers(data: bytes, *, actor, now: datetime | None = None) -> int:
    """Take each letter's keeper from the lookup's CSV; all rows or none. Returns how many letters are ready."""
    now = now or utcnow()
    rows = _read(data)
    ids = {int(r["Letter ID"]) for r in rows if r.get("Letter ID", "").isdigit() and len(r["Letter ID"]) < 10}
    letters = {x.id: x for x in db.session.scalars(select(Letter).where(Letter.id.in_(ids or [-1])))}
    problems, seen = [], set()
    for n, row in enumerate(rows, start=2):  # row 1 is the headings
        raw = row.get("Letter ID", "")
        letter = letters.get(int(raw)) if raw.isdigit() and len(raw) < 10 else None
        if letter is not None and letter.id in seen:
            problems.append(f"Row {n}: letter {letter.id} is in the file twice")
            continue
        seen.add(getattr(letter, "id", None))
        problems += _row_problems(n, row, letter, actor)
    if problems:
        more = len(problems) - MAX_MESSAGES
        shown = problems[:MAX_MESSAGES] + ([f"and {more} more problems"] if more > 0 else [])
        raise DomainError("Nothing was imported. " + "; ".join(shown) + ".", field="file")
    for row in rows:
        letter = letters[int(row["Letter ID"])]
        lines = [row.get(key, "") for key in ("Address line 1", "Address line 2", "Address line 3", "Town")]
        postcode = row["Postcode"].upper()
        if " " not in postcode:
            postcode = f"{postcode[:-3]} {postcode[-3:]}"
        letter.keeper_name = row["Keeper name"]
        letter.keeper_address = "\n".join([line for line in lines if line] + [postcode])
        letter.keeper_added_at, letter.status = now, READY
    db.session.flush()
    audit.record(
        "speedwatch.keepers_import",
        actor=actor,
        summary=f"Imported keeper details for {len(rows)} letter(s)",
        letters=len(rows),
    )
    return len(rows)
