"""Data-subject requests across every feature: find one person, give them a copy, erase them.

Each feature answers through the provider it registered in engagement.core.personal_data; this
module only runs them in order and keeps the rules that are the same everywhere:
* the search is exact after normalising (email: trimmed, lower case; phone: UK national form);
* erasure is one transaction: every provider erases, then core scrubs mail and audit text; any
  failure is raised as ErasureFailed (a DomainError), so the caller's commit helper rolls it all back;
* the erasure is recorded as a keyed hash of the address (`ErasureRecord`), never the data itself,
  so a repeat request can say "already erased on ...".
Services never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from engagement.accounts.services import normalise_email
from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import DomainError
from engagement.core.personal_data import EMAIL, Provider, Record, Subject, normalise_phone, providers, subject_hash
from engagement.core.timeutil import format_datetime
from engagement.extensions import db
from engagement.privacy.models import STAFF, ErasureRecord

QUERY_MAX = 320


class AlreadyErased(DomainError):
    status = 409


class ErasureFailed(DomainError):
    status = 500


def parse_query(text: str) -> Subject:
    """An email address or a UK phone number, as staff or residents type it."""
    text = (text or "").strip()
    if not text:
        raise DomainError("Enter an email address or a phone number", field="q")
    if len(text) > QUERY_MAX:
        raise DomainError("That is too long for an email address or a phone number", field="q")
    if "@" in text:
        return Subject.email(normalise_email(text))
    if normalise_phone(text) is None:
        raise DomainError(
            "Enter an email address, like name@example.org, or a UK phone number, like 07700 900123", field="q"
        )
    return Subject.phone(text)


def email_subject(text: str) -> Subject:
    """Residents' requests are by email only: the link we send proves they own the address."""
    try:
        return Subject.email(normalise_email(text))
    except DomainError as exc:
        raise DomainError(exc.message, field="email") from exc


@dataclass
class Findings:
    subject: Subject
    groups: list[tuple[Provider, list[Record]]]  # every provider, in order, with what it found

    @property
    def found(self) -> list[tuple[Provider, list[Record]]]:
        return [(p, records) for p, records in self.groups if records]

    @property
    def records(self) -> list[Record]:
        return [r for _p, records in self.groups for r in records]

    @property
    def count(self) -> int:
        return len(self.records)


def search(subject: Subject) -> Findings:
    """Every provider in order; full names found on earlier records help core find mail and audit text."""
    names: set[str] = set()
    groups = []
    for provider in providers():
        records = provider.find(subject, frozenset(names))
        names.update(n for r in records for n in r.names if n)
        groups.append((provider, records))
    return Findings(subject, groups)


def previous_erasure(subject: Subject) -> ErasureRecord | None:
    query = select(ErasureRecord).where(ErasureRecord.subject_hash == subject_hash(subject))
    return db.session.scalars(query.order_by(ErasureRecord.erased_at.desc()).limit(1)).first()


def masked(subject: Subject) -> str:
    """Enough to tell requests apart in the audit log without storing the address: 'p…@example.org'."""
    if subject.kind == EMAIL:
        local, _, domain = subject.value.partition("@")
        return f"{local[:1]}…@{domain}"
    return f"phone ending {subject.value[-3:]}"


def record_export(findings: Findings, *, actor=None, source: str = STAFF) -> None:
    """Audit a download (who, when, which search, how many records) before it streams."""
    audit.record(
        "privacy.export",
        actor=actor,
        actor_label=None if actor is not None else "resident (emailed link)",
        summary=f"Downloaded {findings.count} record(s) held under {masked(findings.subject)}",
        subject_hash=subject_hash(findings.subject),
        search=masked(findings.subject),
        kind=findings.subject.kind,
        records=findings.count,
        features=[p.name for p, _r in findings.found],
        source=source,
    )


def erase(subject: Subject, *, actor=None, source: str = STAFF, now: datetime | None = None) -> ErasureRecord:
    """Erase everything held under the address in the caller's transaction; raises to roll it all back."""
    now = now or utcnow()
    findings = search(subject)
    erasable = [r for r in findings.records if not r.on_erase.startswith("Kept")]
    if not erasable:
        before = previous_erasure(subject)
        if before is not None:
            raise AlreadyErased(f"Already erased on {format_datetime(before.erased_at)}. We hold nothing more.")
        raise DomainError("We hold nothing under this address that could be erased.")
    counts: dict[str, int] = {}
    for provider, _records in findings.groups:
        try:
            changed = provider.erase(subject, findings.records, actor=actor, now=now)
        except DomainError as exc:
            raise ErasureFailed(f"Nothing was erased: {provider.label} refused ({exc.message}).") from exc
        except Exception as exc:  # noqa: BLE001 - whatever broke, nothing may be half-erased
            current_app.logger.exception("erasure failed in provider %s", provider.name)
            raise ErasureFailed(
                f"Nothing was erased: the {provider.label.lower()} part failed ({type(exc).__name__}). "
                "Try again; if it keeps failing, tell the system administrator."
            ) from exc
        counts.update({k: v for k, v in changed.items() if v})
    label = getattr(actor, "email", None) or "the resident (emailed link)"
    record = ErasureRecord(
        subject_hash=subject_hash(subject), kind=subject.kind, erased_at=now, source=source, actor_label=label,
        counts=counts,
    )  # fmt: skip
    db.session.add(record)
    audit.record(
        "privacy.erase",
        actor=actor,
        actor_label=None if actor is not None else "resident (emailed link)",
        summary=f"Erased {len(erasable)} record(s) held under one {subject.kind}",
        subject_hash=record.subject_hash,
        counts=counts,
        source=source,
    )
    db.session.flush()
    return record
