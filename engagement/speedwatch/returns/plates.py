"""UK number plates: one normal form for storing and matching, and a readable form for showing.

Volunteers type what they see ("ab12 cde", "AB12-CDE"); the letter process and the repeat
check need one spelling, so registrations are stored upper case with no spaces or hyphens
("AB12CDE"). Only the formats issued in Great Britain and Northern Ireland are accepted,
which catches most misreadings at the roadside instead of in a returned letter.
"""

from __future__ import annotations

import re

MESSAGE = "Enter the registration as it appears on the number plate, for example AB12 CDE"
MAX_LENGTH = 7  # the longest UK registration, without spaces

# Kind of plate: pattern over the normal form, with groups giving the readable split.
# Order matters: the first match names the kind (a Northern Ireland plate is also "dateless").
FORMATS = (
    ("current", re.compile(r"([A-Z]{2}[0-9]{2})([A-Z]{3})")),  # AB12 CDE, since 2001
    ("prefix", re.compile(r"([A-Z][0-9]{1,3})([A-Z]{3})")),  # A123 BCD, 1983 to 2001
    ("suffix", re.compile(r"([A-Z]{3})([0-9]{1,3}[A-Z])")),  # ABC 123D, 1963 to 1983
    ("northern_ireland", re.compile(r"((?=[A-Z]{0,2}[IZ])[A-Z]{3})([0-9]{1,4})")),  # AIZ 1234
    ("dateless", re.compile(r"([0-9]{1,4})([A-Z]{1,3})")),  # 1234 AB
    ("dateless", re.compile(r"([A-Z]{1,3})([0-9]{1,4})")),  # AB 1234
)
_REMOVE = re.compile(r"[\s\-]+")


def normalise(text: str | None) -> str:
    """Upper case, without spaces or hyphens: how a registration is stored and compared."""
    return _REMOVE.sub("", text or "").upper()


def _match(normal: str):
    if not normal or len(normal) > MAX_LENGTH:
        return None, None
    for kind, pattern in FORMATS:
        found = pattern.fullmatch(normal)
        if found:
            return kind, found
    return None, None


def plate_kind(text: str | None) -> str | None:
    """ "current", "prefix", "suffix", "northern_ireland" or "dateless"; None if not a UK plate."""
    return _match(normalise(text))[0]


def is_valid(text: str | None) -> bool:
    return plate_kind(text) is not None


def clean(text: str | None) -> str:
    """The normal form of a valid UK registration; ValueError with MESSAGE otherwise."""
    normal = normalise(text)
    if _match(normal)[0] is None:
        raise ValueError(MESSAGE)
    return normal


def display(text: str | None) -> str:
    """As printed on the plate: "AB12 CDE", "A123 BCD", "ABC 123D", "AIZ 1234"; unknown text as given."""
    normal = normalise(text)
    kind, found = _match(normal)
    if kind is None:
        return text or ""
    return f"{found.group(1)} {found.group(2)}"
