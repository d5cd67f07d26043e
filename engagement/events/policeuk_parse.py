"""Reading a data.police.uk "neighbourhood events" file for import: checked whole, nothing written.

The format is a JSON list of objects (see policeuk.py). A file is at most limits.MAX_FILE_BYTES and
MAX_EVENTS_PER_FILE items, with dates in limits.import_range; anything malformed (wrong types,
deep nesting, numbers with thousands of digits, impossible dates) is refused with a message that
names the item, never a traceback.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit

from flask import current_app

from engagement.core.db import utcnow
from engagement.core.errors import DomainError
from engagement.events.limits import MAX_EVENTS_PER_FILE, MAX_FILE_BYTES, describe_range, import_range, in_range
from engagement.events.validation import collapse_spaces
from engagement.events.wall_clock import LONDON

REQUIRED_KEYS = ("title", "address", "start_date")


class ImportRejected(DomainError):
    """The file cannot be imported; nothing from it is kept. The message names the item."""

    status = 400


@dataclass
class Item:
    index: int
    title: str
    description: str
    address: str
    type_name: str
    start: datetime  # naive UK local
    end: datetime | None  # naive UK local; None: the kind of event's usual length

    @property
    def label(self) -> str:
        return f"item {self.index + 1} (index {self.index}, “{self.title[:60]}”)"


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"Created {len(self.created)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}, "
            f"skipped {len(self.skipped)}."
        ]
        out += [f"  created: {label}" for label in self.created]
        out += [f"  updated: {label}" for label in self.updated]
        out += [f"  skipped: {label}: {reason}" for label, reason in self.skipped]
        return out


def where_item(index: int) -> str:
    return f"item {index + 1} (index {index})"


def load_json(raw: bytes | str) -> list:
    """The file's items; ImportRejected if it is too big, not JSON, not a list or has too many items."""
    if len(raw) > MAX_FILE_BYTES:
        raise ImportRejected(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise ImportRejected("The file is not UTF-8 text, so it cannot be JSON.") from None
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    except RecursionError:
        raise ImportRejected("The file is not a police.uk events file: its lists are nested too deeply.") from None
    except ValueError as exc:  # e.g. a number with thousands of digits
        raise ImportRejected(f"The file is not valid JSON: {str(exc)[:120]}.") from None
    if not isinstance(data, list):
        raise ImportRejected(f"The file must be a JSON list of events ([...]), not a JSON {type(data).__name__}.")
    if len(data) > MAX_EVENTS_PER_FILE:
        raise ImportRejected(
            f"The file has {len(data):,} items; at most {MAX_EVENTS_PER_FILE:,} can be imported at once. Split it."
        )
    return data


def _shown(value) -> str:
    """A value as the message quotes it: JSON, cut short."""
    try:
        return json.dumps(value)[:40]
    except (ValueError, TypeError, RecursionError):
        return type(value).__name__


def _text(obj: dict, key: str, index: int, *, required: bool = False) -> str:
    value = obj.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ImportRejected(f"{where_item(index)}: {key} must be text, not {_shown(value)}.")
    if required and not value.strip():
        raise ImportRejected(f"{where_item(index)}: {key} is empty.")
    return value.strip()


def parse_local(value, key: str, index: int, bounds: tuple[date, date]) -> datetime:
    """'2027-03-02T18:00:00' as naive UK local time within `bounds`. A value with an offset is converted to UK time."""
    text = value.strip() if isinstance(value, str) else ""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.{0,40}", text):
            raise ValueError
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(LONDON).replace(tzinfo=None)
    except (ValueError, OverflowError):
        raise ImportRejected(
            f"{where_item(index)}: {key} {_shown(value)} is not a date and time like 2027-03-02T18:00:00."
        ) from None
    if not in_range(parsed, bounds):
        raise ImportRejected(f"{where_item(index)}: {key} {_shown(value)} is not {describe_range(bounds)}.")
    return parsed.replace(microsecond=0)


def parse_items(data: list, now: datetime | None = None) -> list[Item]:
    bounds = import_range(now or utcnow())
    items = []
    for index, obj in enumerate(data):
        if not isinstance(obj, dict):
            raise ImportRejected(f"{where_item(index)} must be a JSON object ({{...}}), not {_shown(obj)}.")
        missing = [key for key in REQUIRED_KEYS if key not in obj]
        if missing:
            raise ImportRejected(f"{where_item(index)} has no {', '.join(missing)}.")
        start = parse_local(obj["start_date"], "start_date", index, bounds)
        end_value = obj.get("end_date")
        end = None if end_value is None or end_value == "" else parse_local(end_value, "end_date", index, bounds)
        if end is not None and end <= start:
            raise ImportRejected(f"{where_item(index)}: end_date is not after start_date.")
        items.append(
            Item(
                index=index,
                title=collapse_spaces(_text(obj, "title", index, required=True)),
                description=_text(obj, "description", index),
                address=_text(obj, "address", index, required=True),
                type_name=_text(obj, "type", index),
                start=start,
                end=end,
            )
        )
    return items


def item_uid(team, item: Item) -> str:
    """Stable per team, title and start, so a re-import finds the event it made last time."""
    key = f"{team.slug}|{item.title}|{item.start.isoformat()}"
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    return f"policeuk-{hashlib.sha256(key.encode()).hexdigest()[:32]}@{host}"
