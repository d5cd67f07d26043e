"""Message everyone booked on a date: write, check who gets it, send one email each, audited (issue 14)."""

from __future__ import annotations

import re

from sqlalchemy import select

from engagement.core.audit import AuditEntry
from engagement.signups import services
from tests.conftest import csrf_token, email_text, login
from tests.support.outbox import outbox, outbox_rows


def _form(client, url) -> dict:
    page = client.get(url).get_data(as_text=True)
    return {"csrf_token": csrf_token(client),
            "request_key": re.search(r'name="request_key" type="hidden" value="([^"]+)"', page).group(1)}  # fmt: skip


def test_officer_messages_everyone_booked_and_waiting_after_checking_who_gets_it(app, client, db, officer,
                                                                                 make_date, book):  # fmt: skip
    row = make_date(capacity=2, most=2)
    booked = [
        book(row, name="Ann Booked", email="ann@example.org"),
        book(row, name="Bob Booked", email="bob@example.org"),
    ]
    waiting = book(row, name="Cat Waiting", email="cat@example.org")
    cancelled = book(row, name="Dan Gone", email="dan@example.org")
    services.cancel_signup(cancelled)
    db.session.commit()
    before = len(outbox_rows(db))
    login(client, officer)
    url = f"/staff/occurrences/{row.id}/message"
    assert f'href="{url}"' in client.get(f"/staff/occurrences/{row.id}/signups").get_data(as_text=True)
    fields = _form(client, url)

    empty = client.post(url, data=fields | {"audience": "booked", "message": ""})
    assert empty.status_code == 400 and 'href="#message">Enter the message' in empty.get_data(as_text=True)

    text = "The room has changed to the hall upstairs.\r\n\r\nUse the side door."
    check = client.post(url, data=fields | {"audience": "booked_and_waiting", "message": text})
    page = check.get_data(as_text=True)
    assert check.status_code == 200 and "3 people will get this message by email." in page
    assert len(outbox_rows(db)) == before  # nothing is sent until the officer confirms

    sent = client.post(url, data=fields | {"audience": "booked_and_waiting", "message": text, "confirmed": "yes"})
    assert sent.status_code == 302 and sent.headers["Location"] == f"/staff/occurrences/{row.id}/signups"
    again = client.post(url, data=fields | {"audience": "booked_and_waiting", "message": text, "confirmed": "yes"})
    assert again.status_code == 302  # the Send button pressed twice sends once
    messages = [m for m in outbox(db) if m["Subject"].startswith("Message about")]
    assert sorted(m["To"] for m in messages) == ["ann@example.org", "bob@example.org", "cat@example.org"]
    for message in messages:
        assert message["Cc"] is None and message["Bcc"] is None  # one message each: no one sees another address
        body = email_text(message.as_bytes())
        assert "The room has changed to the hall upstairs.\n\nUse the side door." in body
    ann = next(m for m in messages if m["To"] == "ann@example.org")
    assert "/bookings/" in email_text(ann.as_bytes()) and "Ann Booked" in email_text(ann.as_bytes())
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "signup.message")).all()
    assert entry.actor_id == officer.id and entry.target_id == str(row.id)
    assert entry.details["recipients"] == 3 and entry.details["message"].startswith("The room has changed")
    assert "ann@example.org" not in entry.summary + str(entry.details)
    assert {s.id for s in services.message_recipients(row, services.BOOKED).signups} == {b.id for b in booked}
    assert waiting.id in {s.id for s in services.message_recipients(row, services.BOOKED_AND_WAITING).signups}


def test_only_the_team_can_message_a_date(app, client, db, outsider, make_date, book):
    row = make_date()
    book(row)
    login(client, outsider)
    assert client.get(f"/staff/occurrences/{row.id}/message").status_code == 403
