"""The download for a data-subject access request (UK GDPR Art. 15): one ZIP, streamed.

Inside: README.txt in plain English (who holds the data, what each file and field means, where
it came from, how long it is kept, how to complain) and one JSON file per feature that holds
something. Times are UK local time with their offset. The ZIP is written into a small buffer
that is emptied after each file, so the response starts at once and memory stays small.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from datetime import date, datetime

from flask import current_app

from engagement.core.personal_data import retention_rules
from engagement.core.timeutil import format_date, to_local
from engagement.privacy.subjects import Findings


class _Buffer:
    """A write-only file for zipfile (it needs no seeking: it writes data descriptors instead)."""

    def __init__(self):
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def _plain(value):
    if isinstance(value, datetime):
        return to_local(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"cannot export {type(value).__name__}")


def feature_json(records) -> str:
    rows = [{"record": r.kind, "when": r.at, "summary": r.summary, "details": r.data} for r in records]
    return json.dumps(rows, default=_plain, ensure_ascii=False, indent=2)


def readme(findings: Findings, *, today: date) -> str:
    cfg = current_app.config
    lines = [
        f"Your personal data held by {cfg['PRIVACY_CONTROLLER']} on {cfg['SITE_NAME']}",
        "",
        f"This download was made on {format_date(today)} for {findings.subject.label}.",
        f"It holds {findings.count} record(s). Each .json file below is one part of the site; open it with any "
        "text editor. Times are UK time.",
        "",
    ]
    for provider, records in findings.found:
        lines += [f"{provider.name}.json: {provider.label} ({len(records)} record(s))", "", _wrap(provider.about)]
        lines += ["", "What the fields mean:"]
        lines += [f"  - {name}: {meaning}" for name, meaning in provider.fields.items()]
        lines += ["  - record, when, summary: what kind of record it is, when it was made, and a one-line summary", ""]
    if not findings.found:
        lines += ["We hold nothing under this address or number.", ""]
    lines += ["How long we keep it", ""]
    lines += [f"  - {rule.label}: {rule.days()} days {rule.when}" for rule in retention_rules()]
    lines += [
        "",
        "Your rights",
        "",
        _wrap(
            "You can ask us to correct anything that is wrong, or to delete your data, from the same page you used to "
            f"get this download, or by writing to our data protection officer at {cfg['PRIVACY_DPO_EMAIL']}. "
            "If you are unhappy with how we have used your data, you can complain to the Information "
            "Commissioner's Office: https://ico.org.uk/make-a-complaint/ or 0303 123 1113."
        ),
        "",
    ]
    return "\n".join(lines)


def _wrap(text: str, width: int = 96) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


def stream_zip(findings: Findings, *, today: date) -> Iterator[bytes]:
    """The ZIP's bytes, one file at a time (README first)."""
    buffer = _Buffer()
    with zipfile.ZipFile(buffer, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme(findings, today=today))
        yield buffer.take()
        for provider, records in findings.found:
            archive.writestr(f"{provider.name}.json", feature_json(records))
            yield buffer.take()
    yield buffer.take()


def filename(today: date) -> str:
    return f"personal-data-{today.isoformat()}.zip"
