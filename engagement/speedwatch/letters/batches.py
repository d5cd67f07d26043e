"""Producing letters: a batch of the letters whose keeper is known, as one PDF (WeasyPrint) and a
mail-merge CSV, then marked sent.

The PDF is built on request from the letters' rows and the force's wording (letters.templates), so
it is never stored: once the worker erases a batch's keeper details the PDF cannot be built again,
which is the point. Every download of keeper details is audited.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import Conflict, DomainError, PermissionDenied
from engagement.core.exports import Column, audit_export, csv_response
from engagement.core.permissions import can_manage_team
from engagement.core.timeutil import format_date
from engagement.extensions import db
from engagement.speedwatch.letters import templates
from engagement.speedwatch.letters.keepers import LOOKUP_COLUMNS
from engagement.speedwatch.letters.models import PRODUCED, READY, SENT, STEP_LABELS, Letter, LetterBatch

BATCH_MAX = 500  # letters in one PDF: a day's printing, and a bounded render
ADDRESS_LINES = 5


def produce_batch(team_ids: list[int] | None, *, actor, now: datetime | None = None) -> LetterBatch:
    """Gather the letters ready to produce (keeper known) in these teams into a new batch."""
    now = now or utcnow()
    query = select(Letter).where(Letter.status == READY).order_by(Letter.id).limit(BATCH_MAX).with_for_update()
    if team_ids is not None:
        query = query.where(Letter.team_id.in_(team_ids or [-1]))
    letters = db.session.scalars(query).all()
    if not letters:
        raise DomainError("No letters are ready: import the keepers from the DVLA lookup first.")
    batch = LetterBatch(produced_by_id=getattr(actor, "id", None), produced_at=now)
    db.session.add(batch)
    db.session.flush()
    for letter in letters:
        letter.batch_id, letter.status, letter.produced_at = batch.id, PRODUCED, now
    db.session.flush()
    audit.record(
        "speedwatch.letters_produce",
        actor=actor,
        target=batch,
        summary=f"Produced {len(letters)} Speed Watch letter(s)",
        letters=len(letters),
    )
    return batch


def batch_letters(batch: LetterBatch) -> list[Letter]:
    return db.session.scalars(
        select(Letter).where(Letter.batch_id == batch.id).options(joinedload(Letter.team)).order_by(Letter.id)
    ).all()


def check_batch_access(batch: LetterBatch, letters: list[Letter], user) -> None:
    """Staff see a batch only if every letter in it belongs to a team of theirs."""
    if not all(can_manage_team(user, letter.team) for letter in letters):
        raise PermissionDenied("This batch has letters of teams you do not work in.")


def _erased(letters: list[Letter]) -> bool:
    return any(letter.keeper_erased_at is not None for letter in letters)


def rendered(letters: list[Letter], letter_date: datetime) -> list[dict]:
    """Each letter's filled text: paragraphs of lines, with every placeholder replaced."""
    bodies = templates.all_templates()
    out = []
    for letter in letters:
        text = templates.fill(bodies[letter.step], templates.values_for(letter))
        out.append(
            {"letter": letter, "address": letter.keeper_address.split("\n"), "paragraphs": templates.paragraphs(text)}
        )
    return out


def pdf_bytes(batch: LetterBatch, letters: list[Letter]) -> bytes:
    """One PDF, one page (or more) per letter, in letter id order. No external resource is fetched."""
    if _erased(letters):
        raise Conflict(
            "The keepers' names and addresses in this batch have been erased, so its letters cannot be made again."
        )
    html = render_template(
        "speedwatch/letters_pdf.html",
        letters=rendered(letters, batch.produced_at),
        letter_date=format_date(batch.produced_at),
        force_name=current_app.config["FORCE_NAME"],
    )
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()


def _address(letter: Letter, n: int) -> str:
    lines = letter.keeper_address.split("\n")
    return lines[n] if n < len(lines) else ""


MERGE_COLUMNS = [
    Column("letter_id", "Letter ID", lambda r: r.id),
    Column("step", "Letter", lambda r: STEP_LABELS[r.step]),
    Column("keeper", "Keeper name", lambda r: r.keeper_name),
    *[Column(f"address{n + 1}", f"Address line {n + 1}", lambda r, n=n: _address(r, n)) for n in range(ADDRESS_LINES)],
    *[c for c in LOOKUP_COLUMNS if c.key not in ("letter_id", "step")],
    Column("team", "Team", lambda r: r.team.name),
]


def record_merge(batch: LetterBatch, letters: list[Letter], *, actor) -> None:
    """Audit a mail-merge download (the caller commits before merge_response streams it)."""
    if _erased(letters):
        raise Conflict("The keepers' names and addresses in this batch have been erased.")
    audit_export("speedwatch_letters", actor=actor, target=batch, rows=len(letters), fmt="csv", columns=MERGE_COLUMNS)


def merge_response(batch: LetterBatch, letters: list[Letter]):
    return csv_response(f"speed-watch-letters-{batch.id}", MERGE_COLUMNS, letters)


def mark_sent(batch: LetterBatch, *, actor, now: datetime | None = None) -> LetterBatch:
    now = now or utcnow()
    if batch.sent_at is not None:
        raise Conflict("This batch was already marked as sent.")
    batch.sent_at, batch.sent_by_id = now, getattr(actor, "id", None)
    letters = batch_letters(batch)
    for letter in letters:
        letter.status, letter.sent_at = SENT, now
    db.session.flush()
    audit.record(
        "speedwatch.letters_sent",
        actor=actor,
        target=batch,
        summary=f"Marked {len(letters)} Speed Watch letter(s) as sent",
        letters=len(letters),
    )
    return batch


def record_pdf_download(batch: LetterBatch, letters: list[Letter], *, actor) -> None:
    if _erased(letters):
        raise Conflict(
            "The keepers' names and addresses in this batch have been erased, so its letters cannot be made again."
        )
    audit_export("speedwatch_letters", actor=actor, target=batch, rows=len(letters), fmt="pdf")
