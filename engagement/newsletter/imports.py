"""Importing a team's existing mailing list (`flask newsletter import-subscribers`).

Only rows with a recorded consent time are imported, as confirmed, with a consent note that
says where they came from. Someone who unsubscribed after that consent stays unsubscribed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select

from engagement.accounts.services import normalise_email
from engagement.core.db import utcnow
from engagement.core.errors import DomainError
from engagement.core.timeutil import format_date, local_zone
from engagement.extensions import db
from engagement.newsletter.models import Subscriber, Subscription


@dataclass
class ImportReport:
    imported: int = 0
    already: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)


def parse_consent_time(text: str) -> datetime:
    """ISO 8601 date or date-time; without an offset it is local (Europe/London) time."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_zone())
    return value.astimezone(UTC)


def _existing(emails: list[str]) -> dict[str, Subscriber]:
    found = {}
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        found |= {s.email: s for s in db.session.scalars(select(Subscriber).where(Subscriber.email.in_(chunk)))}
    return found


def import_subscribers(team, rows, *, source: str = "CSV file", now: datetime | None = None) -> ImportReport:
    """rows: dicts with 'email' and 'consented_at'. Line numbers count the header as line 1."""
    now = now or utcnow()
    report, clean = ImportReport(), []
    for line, row in enumerate(rows, start=2):
        raw_email, raw_time = (row.get("email") or "").strip(), (row.get("consented_at") or "").strip()
        try:
            email = normalise_email(raw_email)
        except DomainError:
            report.skipped.append((line, f"“{raw_email[:80]}” is not a valid email address"))
            continue
        if not raw_time:
            report.skipped.append((line, f"{email} has no consent time"))
            continue
        try:
            consented = parse_consent_time(raw_time)
        except ValueError:
            report.skipped.append((line, f"“{raw_time[:40]}” is not a date (use 2025-03-01 or 2025-03-01T18:30)"))
            continue
        if consented > now:
            report.skipped.append((line, f"the consent time for {email} is in the future"))
            continue
        clean.append((line, email, consented))
    known = _existing(sorted({email for _, email, _ in clean}))
    seen: set[str] = set()
    for line, email, consented in clean:
        if email in seen:
            report.skipped.append((line, f"{email} appears earlier in the file"))
            continue
        seen.add(email)
        subscriber = known.get(email)
        if subscriber is not None and any(s.team_id == team.id for s in subscriber.subscriptions):
            report.already += 1
            continue
        if subscriber is not None and subscriber.unsubscribed_at and subscriber.unsubscribed_at > consented:
            report.skipped.append((line, f"{email} unsubscribed after that consent was given"))
            continue
        if subscriber is None:
            subscriber = Subscriber(email=email, confirmed_at=consented)
            db.session.add(subscriber)
        subscriber.confirmed_at = min(filter(None, (subscriber.confirmed_at, consented)))
        subscriber.subscriptions.append(Subscription(
            team=team, requested_at=consented, confirmed_at=consented, source="import",
            consent_text=f"Imported by {team.name} Neighbourhood Team from {source}: the resident agreed to "
            f"receive the team's newsletter on {format_date(consented)}.",
        ))  # fmt: skip
        report.imported += 1
    db.session.flush()
    return report
