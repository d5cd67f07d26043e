"""UK registration rules: the formats accepted, the normal form stored, the readable form shown."""

import pytest

from engagement.speedwatch.returns import plates as registration


@pytest.mark.parametrize(
    ("typed", "normal", "kind", "shown"),
    [
        ("AB12 CDE", "AB12CDE", "current", "AB12 CDE"),
        ("ab12cde", "AB12CDE", "current", "AB12 CDE"),
        (" bd51-smr ", "BD51SMR", "current", "BD51 SMR"),
        ("A123 BCD", "A123BCD", "prefix", "A123 BCD"),
        ("p7 xyz", "P7XYZ", "prefix", "P7 XYZ"),
        ("ABC 123D", "ABC123D", "suffix", "ABC 123D"),
        ("lgh 45x", "LGH45X", "suffix", "LGH 45X"),
        ("1234 AB", "1234AB", "dateless", "1234 AB"),
        ("K 1", "K1", "dateless", "K 1"),
        ("AB 1234", "AB1234", "dateless", "AB 1234"),
        ("AIZ 1234", "AIZ1234", "northern_ireland", "AIZ 1234"),
        ("beZ 12", "BEZ12", "northern_ireland", "BEZ 12"),
    ],
)
def test_accepted_formats(typed, normal, kind, shown):
    assert registration.normalise(typed) == normal
    assert registration.plate_kind(typed) == kind
    assert registration.clean(typed) == normal
    assert registration.display(normal) == shown
    assert registration.is_valid(typed)


@pytest.mark.parametrize(
    "typed",
    ["AB12CD", "12345678", "A B", "", "   ", "AB12 CD3", "AB12 CDEF", "ABCD 1234X", "AB12 C!E", "12AB34", "ABCD", None],
)
def test_rejected(typed):
    assert not registration.is_valid(typed)
    with pytest.raises(ValueError, match="for example AB12 CDE"):
        registration.clean(typed)


def test_message_is_plain_english():
    assert registration.MESSAGE == "Enter the registration as it appears on the number plate, for example AB12 CDE"


def test_display_leaves_unknown_text_alone():
    assert registration.display("not a plate") == "not a plate"
