"""Page text for assertions about wording, whatever the direction isolation around values.

Why: numbers, postcodes and times in running text are wrapped in `<bdi dir="ltr">` (the `|ltr`
filter) so they read the same inside Urdu or Arabic; a test about the English sentence should not
have to spell that markup out each time."""

from __future__ import annotations

import re

_BDI = re.compile(r"</?bdi(?:\s[^>]*)?>")


def without_bdi(page: str) -> str:
    """`page` with every `<bdi ...>` and `</bdi>` tag removed (their text kept)."""
    return _BDI.sub("", page)
