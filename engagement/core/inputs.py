"""One guard on everything a request brings in, before any view or SQL sees it.

PostgreSQL refuses NUL in text and integers past its column types, and a view that forgets
either answers 500. So every request is checked here, once: control characters in the path,
the query string or a submitted form field are refused (forms keep tab and line breaks for
multi-line text, CRLF and CR turned into LF here), and any whole-number query value outside
the database's integer range is refused, each with a 400 that says what to fix. Views then never need their own checks.
"""

from __future__ import annotations

import re

from flask import abort, request

INT_MIN, INT_MAX = -2_147_483_648, 2_147_483_647  # PostgreSQL `integer`, the type of every id column
# C0 controls, DEL and C1 controls; forms may also hold tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_FORM_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_WHOLE_NUMBER = re.compile(r"\s*[+-]?\d+\s*")
MAX_QUERY_VALUE = 2000  # characters; longer query values are refused rather than searched for

BAD_TEXT = (
    "The {where} contains control characters (such as a NUL byte) that cannot be saved. Remove them and try again."
)
BAD_NUMBER = "The number given for “{name}” is too large. Use a whole number between 1 and 2147483647."


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    return bool((_FORM_CONTROL if multiline else _CONTROL).search(text))


def check_request() -> None:
    """before_request: 400 for control characters anywhere in the input, or out-of-range numbers in the query."""
    if _CONTROL.search(request.path):
        abort(400, BAD_TEXT.format(where="page address"))
    for name, value in request.args.items(multi=True):
        if _CONTROL.search(name) or _CONTROL.search(value):
            abort(400, BAD_TEXT.format(where="page address"))
        if len(value) > MAX_QUERY_VALUE:
            abort(400, f"The value given for “{name[:40]}” is too long.")
        if _WHOLE_NUMBER.fullmatch(value) and not INT_MIN <= int(value) <= INT_MAX:
            abort(400, BAD_NUMBER.format(name=name[:40]))
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        for name, value in request.form.items(multi=True):
            if _CONTROL.search(name) or _FORM_CONTROL.search(value):
                abort(400, BAD_TEXT.format(where="form"))
        _normalise_newlines()


def _normalise_newlines() -> None:
    """Browsers send a textarea's line breaks as CRLF: every form value reaches views with LF only,
    so length limits count a line break once (as the browser's maxlength does) and no check sees CR."""
    form = request.form
    if any("\r" in value for _name, value in form.items(multi=True)):
        request.form = type(form)(
            (name, value.replace("\r\n", "\n").replace("\r", "\n")) for name, value in form.items(multi=True)
        )


def init_app(app) -> None:
    app.before_request(check_request)
