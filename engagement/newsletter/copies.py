"""Building each recipient's copy of an issue, fast enough for 10,000 addresses.

The email package builds one copy per issue with marker values in the four places that
differ between recipients (To, Message-ID, List-Unsubscribe and the two base64 bodies, which
hold the personal manage and unsubscribe links). Each recipient's copy is then that message's
bytes with the markers swapped for their values: the MIME structure, headers and encodings
all come from the email package, and a test checks a stamped copy against one built in full.
Anything that would not be plain ASCII in a header falls back to a full build.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app

from engagement.core.i18n import html_lang
from engagement.core.mail import WIRE
from engagement.core.urls import public_url

# CRLF line ends (smtplib sends bytes as given, and strict servers refuse bare LF), and headers up
# to RFC 5322's 998 characters so a long List-Unsubscribe URL is never turned into an encoded-word.
MANAGE_SLOT, UNSUBSCRIBE_SLOT = "%%MANAGE_URL%%", "%%UNSUBSCRIBE_URL%%"

_TO, _ID, _LEAVE = "recipient@copy-slot.invalid", "<message-id@copy-slot.invalid>", "https://copy-slot.invalid/leave"
_TEXT, _HTML = "text-body-slot", "html-body-slot"
_SAFE_HEADER = re.compile(r"^[\x21-\x7e]+$")  # printable ASCII, no spaces, so no quoting or folding is needed


def sender_domain() -> str:
    return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1].rpartition("@")[2] or "localhost"


@dataclass(frozen=True)
class Envelope:
    """What every copy of an issue shares, as plain values (ORM objects expire at each commit)."""

    subject: str
    display_name: str
    list_id: str


def build_message(env: Envelope, to: str, html: str, text: str, *, subject=None, message_id=None, unsubscribe=None,
                  cte: str | None = None, language: str | None = None) -> EmailMessage:  # fmt: skip
    """One copy built in full: the team's name on the From line, list headers (RFC 2369 and 8058),
    plain text and HTML alternatives, and the language its frame is in (`language`, else the current one)."""
    msg = EmailMessage()
    msg["From"] = Address(display_name=env.display_name,
                          addr_spec=parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1])  # fmt: skip
    msg["To"] = to
    msg["Subject"] = subject or env.subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = message_id or make_msgid(domain=sender_domain())
    msg["List-Id"] = env.list_id
    msg["List-Archive"] = f"<{public_url('newsletter.archive')}>"
    msg["Precedence"] = "bulk"
    if unsubscribe:
        msg["List-Unsubscribe"] = f"<{unsubscribe}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text, cte=cte)
    msg.add_alternative(html, subtype="html", cte=cte)
    msg["Content-Language"] = language or html_lang()  # last: the multipart steps drop Content-* set before
    return msg


def _b64(value: str) -> bytes:
    """A text body as the email package writes it in base64 on the wire: its lines joined with LF and
    ended with one, then encoded in 76-character lines separated by CRLF."""
    encoded = base64.b64encode(b"\n".join(value.encode("utf-8").splitlines()) + b"\n")
    return b"\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


class CopyMaker:
    """Stamps out copies of one issue; built once per send pass."""

    def __init__(self, env: Envelope, html: str, text: str):
        self.env, self.html, self.text = env, html, text
        self.language = html_lang()  # built under the recipients' language (delivery._prepare)
        skeleton = build_message(env, _TO, _HTML, _TEXT, message_id=_ID, unsubscribe=_LEAVE, cte="base64",
                                 language=self.language).as_bytes(policy=WIRE)  # fmt: skip
        slots = {_TO.encode(): "to", _ID.encode(): "id", _LEAVE.encode(): "leave",
                 _b64(_TEXT): "text", _b64(_HTML): "html"}  # fmt: skip
        pattern = re.compile(b"|".join(re.escape(s) for s in slots))
        self.parts: list[bytes | str] = []
        last = 0
        for match in pattern.finditer(skeleton):
            self.parts += [skeleton[last : match.start()], slots[match.group()]]
            last = match.end()
        self.parts.append(skeleton[last:])
        found = sorted(p for p in self.parts if isinstance(p, str))
        if found != ["html", "id", "leave", "text", "to"]:  # each marker exactly once, or no stamping at all
            raise RuntimeError(f"unexpected copy skeleton: {found}")

    def make(self, to: str, message_id: str, manage_url: str, unsubscribe_url: str) -> bytes:
        text = self.text.replace(MANAGE_SLOT, manage_url).replace(UNSUBSCRIBE_SLOT, unsubscribe_url)
        html = self.html.replace(MANAGE_SLOT, manage_url).replace(UNSUBSCRIBE_SLOT, unsubscribe_url)
        if not all(_SAFE_HEADER.match(v) for v in (to, message_id, unsubscribe_url)):
            msg = build_message(
                self.env, to, html, text, message_id=message_id, unsubscribe=unsubscribe_url, language=self.language
            )
            return msg.as_bytes(policy=WIRE)
        values = {"to": to.encode(), "id": message_id.encode(), "leave": unsubscribe_url.encode(),
                  "text": _b64(text), "html": _b64(html)}  # fmt: skip
        return b"".join(values[p] if isinstance(p, str) else p for p in self.parts)
