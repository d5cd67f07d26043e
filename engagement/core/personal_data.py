"""The data-protection interface every feature speaks: who a person is, what it holds about them, how long.

A feature that stores residents' personal data registers, from its own `privacy.py`:
* a `Provider`: finds the records held under one email address or phone number (plus, for mail
  and audit text, the full names the earlier providers found on those records), describes each
  (for the staff search, the resident's download and the check-answers page before erasure) and
  erases them inside the caller's transaction; it also names every column it covers, so a test
  fails when a model gains a column like `email` or `phone` that no provider knows about;
* `RetentionRule`s: how long each kind of record is kept and the function that enforces it.
The privacy feature (engagement.privacy) runs the searches, exports, erasures and the daily
retention pass over whatever is registered here; features never import it (it sits above them).
Registration is by name, so building several apps in one process registers once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import String, false, func, or_
from sqlalchemy.orm import Mapped, mapped_column

from engagement.core.db import UTCDateTime, utcnow
from engagement.extensions import db

EMAIL, PHONE = "email", "phone"
ERASED_EMAIL_DOMAIN = "erased.invalid"  # RFC 2606: can never be a real address
_PHONE_JUNK = re.compile(r"[\s().\-/]")


def normalise_phone(value: str | None) -> str | None:
    """A UK number in national form ('07700900123'), from '+44 7700 900123', '0044 (0)7700-900123' and so on.

    None when it is not a plausible phone number (fewer than 10 or more than 11 digits)."""
    digits = _PHONE_JUNK.sub("", value or "").replace("(0)", "")
    if digits.startswith("+44"):
        digits = "0" + digits[3:].removeprefix("0")
    elif digits.startswith("0044"):
        digits = "0" + digits[4:].removeprefix("0")
    elif digits.startswith("44") and len(digits) in (12, 13):
        digits = "0" + digits[2:].removeprefix("0")
    if not digits.isdigit() or not digits.startswith("0") or not 10 <= len(digits) <= 11:
        return None
    return digits


def phone_forms(national: str) -> list[str]:
    """Every spelling of one number once spaces and dashes are gone: 07700..., +447700..., 00447700..."""
    rest = national[1:]
    return [national, f"+44{rest}", f"0044{rest}", f"44{rest}", f"+440{rest}"]


def _squeezed(column):
    """The column with spaces, dashes, dots, slashes and brackets removed, in SQL (both backends)."""
    expr = column
    for junk in (" ", "-", "(", ")", ".", "/"):
        expr = func.replace(expr, junk, "")
    return expr


@dataclass(frozen=True)
class Subject:
    """The person a request is about: one email address (lower case) or one UK phone number (national form)."""

    kind: str
    value: str

    @classmethod
    def email(cls, address: str) -> Subject:
        return cls(EMAIL, address.strip().lower())

    @classmethod
    def phone(cls, number: str) -> Subject:
        national = normalise_phone(number)
        if national is None:
            raise ValueError(f"not a UK phone number: {number!r}")
        return cls(PHONE, national)

    @property
    def label(self) -> str:
        return self.value if self.kind == EMAIL else f"phone number {self.value}"

    @property
    def needles(self) -> list[str]:
        """The strings that mean this person inside free text (audit summaries, email bodies)."""
        return [self.value] if self.kind == EMAIL else phone_forms(self.value)

    def where(self, email_column=None, phone_column=None):
        """A SQL condition matching this person on the given columns (exact after normalising both sides)."""
        if self.kind == EMAIL and email_column is not None:
            return func.lower(func.trim(email_column)) == self.value
        if self.kind == PHONE and phone_column is not None:
            return _squeezed(phone_column).in_(phone_forms(self.value))
        return false()


def subject_hash(subject: Subject) -> str:
    """A keyed hash of the normalised address: lets us say "already erased on ..." without keeping it.

    Keyed with PRIVACY_HASH_KEY (derived from SECRET_KEY when unset), so the table alone cannot be
    reversed by hashing a list of guessed addresses."""
    key = (current_app.config.get("PRIVACY_HASH_KEY") or current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{subject.kind}:{subject.value}".encode(), hashlib.sha256).hexdigest()


def erased_email(ident) -> str:
    """A unique stand-in for an erased address, for columns that must stay unique and non-empty."""
    return f"erased-{ident}@{ERASED_EMAIL_DOMAIN}"


@dataclass
class Record:
    """One thing held about the person: shown in the search, exported as `data`, erased as `on_erase` says."""

    kind: str  # "Sign-up", "Waiting-list entry", "Newsletter subscriber"...
    at: datetime | None  # when it was made (or the date it is about)
    summary: str  # one line for the staff page and the resident: "Cuppa with a Copper, Tuesday 3 March 2027"
    on_erase: str  # "Deleted", "Name, email and phone blanked; the place count stays", "Kept: ..."
    data: dict = field(default_factory=dict)  # every personal field, for the download
    names: tuple[str, ...] = ()  # full names seen on the record: erasure also scrubs them from mail and audit text


@dataclass(frozen=True)
class Provider:
    """A feature's part of a data-subject request. `erase` never commits and returns counts per table."""

    name: str  # "signups": also the JSON file's name in the download
    label: str  # "Event sign-ups and waiting lists"
    about: str  # where the data came from and why we hold it, for README.txt and the privacy notice
    fields: dict[str, str]  # field in `Record.data` -> what it means
    covers: dict[str, str]  # "table.column" -> how it is erased and kept
    find: Callable[[Subject, frozenset[str]], list[Record]]  # find(subject, names found so far)
    erase: Callable[..., dict[str, int]]  # erase(subject, records, *, actor, now) -> {"table": rows}
    not_personal: dict[str, str] = field(default_factory=dict)  # "table.column" -> why it is not about residents
    order: int = 100  # erasure runs in this order; core (mail and audit scrubbing) runs last


@dataclass(frozen=True)
class RetentionRule:
    """How long one kind of record is kept, and the function that removes what is older."""

    name: str  # "signups", "outbox-bodies"...
    label: str  # "Sign-ups: residents' names, emails, phones and access needs"
    days: Callable[[], int]  # the period in days, read from the same setting the function uses
    when: str  # "after the event date", "after sending"
    keeps: str  # what stays: "the place counts and attendance"
    apply: Callable[[datetime], dict[str, int]]  # apply(now) -> {"what": count}; idempotent; commits
    setting: str = ""  # where the period is set, for the staff page and README
    task: str | None = None  # an older worker task that also applies it (hourly), if any
    order: int = 100


_providers: dict[str, Provider] = {}
_rules: dict[str, RetentionRule] = {}


def register_provider(provider: Provider) -> None:
    _providers[provider.name] = provider


def register_retention_rule(rule: RetentionRule) -> None:
    _rules[rule.name] = rule


def providers() -> list[Provider]:
    return sorted(_providers.values(), key=lambda p: (p.order, p.name))


def retention_rules() -> list[RetentionRule]:
    return sorted(_rules.values(), key=lambda r: (r.order, r.name))


def unregister_provider(name: str) -> None:
    """Tests that inject a failing provider take it away again."""
    _providers.pop(name, None)


def retention_days(name: str) -> int:
    """A period from the RETENTION_DAYS table in settings (engagement.config)."""
    return int(current_app.config["RETENTION_DAYS"][name])


def text_mentions(column, needles: list[str]):
    """SQL: the text column contains any of the needles, case-insensitively (LIKE wildcards escaped)."""
    terms = []
    for needle in needles:
        escaped = needle.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        terms.append(func.lower(column).like(f"%{escaped}%", escape="\\"))
    return or_(*terms) if terms else false()


class Suppression(db.Model):
    """Addresses that asked never to be contacted again, kept only as the keyed hash (see subject_hash).

    Written when a newsletter subscriber's row is deleted after unsubscribing, and on erasure, so a
    later import cannot sign the person up again; `is_suppressed` is the check."""

    __tablename__ = "privacy_suppressions"

    subject_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(String(40), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


def suppress(subject: Subject, reason: str) -> None:
    from engagement.core.db import insert_missing

    insert_missing(Suppression, {"subject_hash": subject_hash(subject), "reason": reason, "created_at": utcnow()})


def is_suppressed(email: str) -> bool:
    return db.session.get(Suppression, subject_hash(Subject.email(email))) is not None
