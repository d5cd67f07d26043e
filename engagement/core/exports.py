"""Spreadsheet exports of personal data: CSV and XLSX, streamed, neutralised and audited.

* Cells that a spreadsheet would run as a formula (starting with = + - @, tab or
  carriage return) get a leading apostrophe, in both formats.
* CSV is UTF-8 with a BOM so Excel shows names with accents correctly.
* Rows are streamed from an iterator (use `.yield_per()` on the query), so 100,000
  rows never sit in memory at once; XLSX uses openpyxl's write-only mode.
* `audit_export` records who exported what, with which filter and how many rows:
  call it in the request's transaction before streaming.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from flask import Response, stream_with_context
from openpyxl import Workbook

from engagement.core import audit
from engagement.core.timeutil import to_local

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SAFE_FILENAME = re.compile(r"[^\w.-]+")  # \w is Unicode: "Café" keeps its é


@dataclass(frozen=True)
class Column:
    """A column: its heading and how to get the cell's value from a row object."""

    key: str
    heading: str
    value: Callable[[object], object]


def neutralise(value) -> object:
    """Text a spreadsheet would treat as a formula gets a leading apostrophe; other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def cell(value) -> object:
    """A value as a cell: local time for datetimes, text for everything else but numbers."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return to_local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return value
    return neutralise(str(value))


def choose_columns(available: Sequence[Column], keys: Iterable[str] | None) -> list[Column]:
    """The requested columns in the order offered; unknown keys are ignored, none means all."""
    wanted = set(keys or [])
    chosen = [c for c in available if c.key in wanted] if wanted else list(available)
    return chosen or list(available)


def csv_lines(columns: Sequence[Column], rows: Iterable) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    writer.writerow([neutralise(c.heading) for c in columns])
    yield "\ufeff" + flush()
    for n, row in enumerate(rows, start=1):
        writer.writerow([cell(c.value(row)) for c in columns])
        if n % 500 == 0:
            yield flush()
    yield flush()


def safe_filename(name: str) -> str:
    """Letters (in any alphabet), digits, dots and dashes: "sign-ups-Cuppa-at-Café-2027-03-04"."""
    return _SAFE_FILENAME.sub("-", name).strip("-") or "export"


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """The header for a download (RFC 6266): an ASCII `filename` for old clients and, when the name
    has other letters ("Café"), `filename*` with the name in UTF-8, which browsers prefer."""
    try:
        filename.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
        return f"{disposition}; filename=\"{simple}\"; filename*=UTF-8''{quote(filename, safe='!#$&+^`|~')}"
    return f'{disposition}; filename="{filename}"'


def csv_response(filename: str, columns: Sequence[Column], rows: Iterable) -> Response:
    response = Response(stream_with_context(csv_lines(columns, rows)), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = content_disposition(f"{safe_filename(filename)}.csv")
    response.headers["Cache-Control"] = "no-store"
    return response


def xlsx_bytes(columns: Sequence[Column], rows: Iterable, title: str = "Export") -> bytes:
    """Write-only workbook: rows go to a temporary file as they come, not into memory."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "Export")
    sheet.append([neutralise(c.heading) for c in columns])
    for row in rows:
        sheet.append([cell(c.value(row)) for c in columns])
    with tempfile.TemporaryFile() as handle:
        book.save(handle)
        handle.seek(0)
        return handle.read()


def xlsx_response(filename: str, columns: Sequence[Column], rows: Iterable, title: str = "Export") -> Response:
    response = Response(xlsx_bytes(columns, rows, title), content_type=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = content_disposition(f"{safe_filename(filename)}.xlsx")
    response.headers["Cache-Control"] = "no-store"
    return response


def audit_export(what: str, *, actor, target=None, rows: int, fmt: str, filters: dict | None = None, columns=()):
    """Every export of personal data is recorded: who, when, what filter and how many rows."""
    return audit.record(
        f"export.{what}",
        actor=actor,
        target=target,
        summary=f"Exported {rows} row(s) as {fmt.upper()}",
        rows=rows,
        format=fmt,
        filters=filters or {},
        columns=[c.key for c in columns],
    )
