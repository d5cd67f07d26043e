"""Phone numbers as staff and residents tap them: `tel:` links with the number normalised for the href.

Coordinators are told to ring applicants, often from a phone between jobs; a number typed as
"0121 626 5000", "+44 (0)121-626 5000" or "07700 900123 (evenings)" must dial with one tap
and must not wrap across two lines.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_TRUNK_ZERO = re.compile(r"^\+(\d{1,3})\s*\(0\)")  # "+44 (0)121": the (0) is not dialled after a country code


def tel_href(number: str | None) -> str:
    """The RFC 3966 form of a typed number ("tel:+441216265000"), or "" when there are no digits to dial."""
    text = _TRUNK_ZERO.sub(r"+\1", (number or "").strip())
    digits = "".join(ch for ch in text if ch.isdigit() and ch.isascii())
    if len(digits) < 3:
        return ""
    return f"tel:{'+' if text.startswith('+') else ''}{digits}"


def tel_link(number: str | None) -> Markup:
    """The number as a link that dials it (kept on one line), or the plain text when it cannot be dialled."""
    if not number:
        return Markup("")
    href = tel_href(number)
    if not href:
        return escape(number)
    return Markup('<a class="tel" href="{}">{}</a>').format(href, number)


def register_filters(app) -> None:
    app.jinja_env.filters["tel_href"] = tel_href
    app.jinja_env.filters["tel_link"] = tel_link
