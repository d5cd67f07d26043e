"""Each recipient's copy is stamped from one message built by the email package; it must be the very
message a full build would give (apart from the Date and the random MIME boundary)."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.policy import default

import pytest

from engagement.newsletter.copies import MANAGE_SLOT, UNSUBSCRIBE_SLOT, WIRE, CopyMaker, Envelope, build_message

ENV = Envelope("Ladywood news: “autumn” £5 café", "Ladywood Neighbourhood Team, West Midlands Police",
               "Ladywood Neighbourhood Team newsletter <ladywood.newsletter.example.org>")  # fmt: skip
MANAGE = "https://engage.example.org/manage/eyJzIjoxLCJrIjoiYWJjIn0.awIF7Q.c_BuDW6xoHSURXCZ-UBhZy9AbINg"
LEAVE = "https://engage.example.org/unsubscribe/eyJzIjoxLCJrIjoiYWJjIn0.awIF7Q.c_BuDW6xoHSURXCZ-UBhZy9AbINg"


def _normalise(raw: bytes) -> bytes:
    raw = re.sub(rb"Date: [^\r\n]*", b"Date: X", raw)
    return re.sub(rb"=+\d+==", b"BOUNDARY", raw)


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Hello</p>", "Hello"),
        (f"<p>“Quotes” £5 <a href='{MANAGE_SLOT}'>manage</a></p>\r\n" * 40,
         f"Windows line ends\r\n{MANAGE_SLOT}\r\n{UNSUBSCRIBE_SLOT}\r\n" * 40),
        ("<p>" + "x" * 5000 + "</p>", "one very long line " * 400 + f"\n{UNSUBSCRIBE_SLOT}"),
    ],
)  # fmt: skip
def test_stamped_copy_equals_a_full_build(app, html, text):
    maker = CopyMaker(ENV, html, text)
    stamped = maker.make("resident@example.org", "<nl.1.2.nl-abcd-efgh@example.org>", MANAGE, LEAVE)
    full = build_message(ENV, "resident@example.org", html.replace(MANAGE_SLOT, MANAGE).replace(UNSUBSCRIBE_SLOT, LEAVE),
                         text.replace(MANAGE_SLOT, MANAGE).replace(UNSUBSCRIBE_SLOT, LEAVE),
                         message_id="<nl.1.2.nl-abcd-efgh@example.org>", unsubscribe=LEAVE, cte="base64")  # fmt: skip
    assert _normalise(stamped) == _normalise(full.as_bytes(policy=WIRE))
    assert b"\n" not in stamped.replace(b"\r\n", b"")  # CRLF only
    assert max(len(line) for line in stamped.split(b"\r\n")) <= 998
    assert f"List-Unsubscribe: <{LEAVE}>".encode() in stamped  # never an encoded-word
    parsed = message_from_bytes(stamped, policy=default)
    assert MANAGE_SLOT not in parsed.get_body(("plain",)).get_content()


def test_an_address_that_is_not_plain_ascii_gets_a_full_build(app):
    maker = CopyMaker(ENV, f"<p>{MANAGE_SLOT}</p>", "Hi")
    raw = maker.make("rené@example.org", "<nl.1.3.x@example.org>", MANAGE, LEAVE)
    parsed = message_from_bytes(raw, policy=default)
    assert parsed["To"] == "rené@example.org" and parsed["List-Unsubscribe"] == f"<{LEAVE}>"
    assert MANAGE in parsed.get_body(("html",)).get_content()
