"""A resident who signed up in Urdu gets every email in Urdu, over the real loopback SMTP server (issue 15).

Asserts on the greeting and "You're booked." as ur/messages.po translates them (the Content-Language header,
strict UTF-8 decoding of the text part, the RTL HTML part and the attached calendar files parsed with icalendar)."""

from __future__ import annotations

import re

from icalendar import Calendar

from engagement.core.worker import run_once
from engagement.events.services import cancel_event
from engagement.signups.models import Signup
from tests.signups.test_mail_worker import ics_parts, received

GREETING = "محترم Nadia Hussain،"  # msgid "Hello %(name)s,"
BOOKED = "آپ کی بکنگ ہو گئی ہے۔"  # msgid "You're booked."


def _sign_up_in_urdu(client, row):
    client.get("/?lang=ur")  # the resident chose Urdu (cookie)
    page = client.get(f"/events/{row.id}/sign-up").get_data(as_text=True)
    fields = dict(re.findall(r'name="(csrf_token|request_key|consent_version)" type="hidden" value="([^"]*)"', page))
    data = fields | {"name": "Nadia Hussain", "email": "nadia@example.org", "places": "1"}
    assert client.post(f"/events/{row.id}/sign-up", data=data).status_code == 302


def _plain(message) -> str:
    part = message.get_body(("plain",))
    assert part.get_content_charset() == "utf-8"
    return part.get_payload(decode=True).decode("utf-8")  # strict: fails on anything but valid UTF-8


def test_an_urdu_sign_up_gets_the_confirmation_and_the_cancellation_in_urdu(app, db, smtp, client, make_date, officer):
    row = make_date(title="Ladywood police surgery")
    _sign_up_in_urdu(client, row)
    assert db.session.query(Signup).one().language == "ur"
    run_once()
    (confirmation,) = received(smtp, "nadia@example.org")
    assert confirmation["Content-Language"] == "ur"
    text = _plain(confirmation)
    assert text.splitlines()[0] == GREETING and BOOKED in text and "lang=ur" in text
    html = confirmation.get_body(("html",)).get_payload(decode=True).decode("utf-8")
    assert '<html lang="ur" dir="rtl">' in html and BOOKED in html
    method, cal = ics_parts(confirmation)["event.ics"]
    assert method == "PUBLISH" and str(cal.walk("VEVENT")[0]["SUMMARY"]) == "Ladywood police surgery"

    cancel_event(row.event, actor=officer, reason="Officers are needed at an incident")  # from a staff page
    db.session.commit()
    run_once()
    cancellation = received(smtp, "nadia@example.org")[-1]
    assert cancellation["Content-Language"] == "ur"
    text = _plain(cancellation)
    assert text.splitlines()[0] == GREETING and "Officers are needed at an incident" in text  # as the officer wrote
    method, cal = ics_parts(cancellation)["cancelled.ics"]
    assert method == "CANCEL" and isinstance(cal, Calendar) and cal.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
