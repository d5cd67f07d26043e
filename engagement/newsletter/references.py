"""Reference codes printed in every newsletter's footer, and stable guids for feed items.

A reference ('NL-7KQ3-M9TP') lets a resident check on /verify that an email really came from
us; a guid never changes for the same thing, so feed readers never show an item twice.
"""

from __future__ import annotations

import re
import secrets
import uuid

# Letters and digits that cannot be mistaken for each other when read aloud or typed (no 0/O, 1/I/L).
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_NOT_CODE = re.compile(r"[^A-Z0-9]")


def new_reference() -> str:
    """'NL-7KQ3-M9TP': short enough to read out on the phone, 31^8 possibilities."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"NL-{chars[:4]}-{chars[4:]}"


def normalise_reference(text: str) -> str | None:
    """Accept 'nl 7kq3 m9tp', '7KQ3M9TP' or 'NL-7KQ3-M9TP'; None if it cannot be a code."""
    compact = _NOT_CODE.sub("", (text or "").upper())
    if compact.startswith("NL") and len(compact) == 10:
        compact = compact[2:]
    if len(compact) != 8 or any(ch not in ALPHABET for ch in compact):
        return None
    return f"NL-{compact[:4]}-{compact[4:]}"


def stable_guid(kind: str, ident: int) -> str:
    """A feed guid for a row without a stored one: the same id always gives the same URN."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'engagement:{kind}:{ident}')}"
