"""Texts (and email) through the official Notify client against the loopback Notify API (tests/support/notify.py)."""

from __future__ import annotations

import time
from datetime import timedelta

import jwt
import pytest
import requests

from engagement.core import hooks, sms, sms_tasks
from engagement.core.db import utcnow
from engagement.core.mail import FAILED, PENDING, SENT, queue_email, send_due
from engagement.core.sms import queue_sms
from engagement.core.worker import run_once


def _due_now(db, row):
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def test_text_is_delivered_through_the_client_with_the_outbox_id_as_reference(app, db, notify_api):
    row = queue_sms("07700 900123", "Your place is booked: Sat 10:30am.", purpose="confirmation")
    db.session.commit()
    assert run_once()["mail"] == 1
    db.session.refresh(row)
    assert row.status == SENT and row.notify_id and row.last_error is None
    (sent,) = notify_api.sent("sms")
    assert sent["id"] == row.notify_id and sent["reference"] == str(row.id)
    assert sent["phone_number"] == "+447700900123" and sent["body"] == "Your place is booked: Sat 10:30am."
    assert sent["template"]["id"] == app.config["NOTIFY_SMS_TEMPLATE_ID"]
    assert run_once()["mail"] == 0 and len(notify_api.sent("sms")) == 1


def test_rate_limit_is_retried_with_backoff(app, db, notify_api):
    notify_api.fail_next(1, 429)
    row = queue_sms("07700 900123", "Hello")
    db.session.commit()
    send_due()
    db.session.refresh(row)
    assert row.status == PENDING and row.attempts == 1 and row.last_error.startswith("429 RateLimitError")
    assert row.next_attempt_at > utcnow() + timedelta(seconds=50)
    assert send_due() == 0  # not due yet
    _due_now(db, row)
    send_due()
    db.session.refresh(row)
    assert row.status == SENT and row.attempts == 2
    assert notify_api.references() == {str(row.id): 1}
    lookups = [r for r in notify_api.requests if r["path"] == "/v2/notifications" and r["method"] == "GET"]
    assert lookups == []  # a 429 is a clear "not sent": no need to ask Notify before retrying


def test_server_error_is_retried_after_looking_the_reference_up(app, db, notify_api):
    notify_api.fail_next(1, 500)
    row = queue_sms("07700 900123", "Hello")
    db.session.commit()
    send_due()
    db.session.refresh(row)
    assert row.status == PENDING and "500 Exception: Internal server error" in row.last_error
    _due_now(db, row)
    send_due()
    db.session.refresh(row)
    assert row.status == SENT and notify_api.references() == {str(row.id): 1}
    assert any(r["query"].get("reference") == str(row.id) for r in notify_api.requests)


def test_invalid_number_is_a_permanent_failure_that_blocks_the_number(app, db, notify_api):
    notify_api.refuse("+447700900666", "phone_number Not a UK mobile number")
    row = queue_sms("07700 900666", "Hello")
    db.session.commit()
    send_due()
    db.session.refresh(row)
    assert row.status == FAILED and row.last_error == "400 ValidationError: phone_number Not a UK mobile number"
    assert sms.is_blocked("+447700900666")
    with pytest.raises(sms.MobileBlocked):
        queue_sms("07700 900666", "Again")


def test_bad_request_is_recorded_with_its_message_without_blocking(app, db, notify_api):
    message = "Can't send to this recipient when service is in trial mode - see https://www.notifications.service.gov.uk/trial-mode"
    notify_api.refuse("+447700900777", message, error="BadRequestError")
    row = queue_sms("07700 900777", "Hello")
    db.session.commit()
    send_due()
    db.session.refresh(row)
    assert row.status == FAILED and row.last_error == f"400 BadRequestError: {message}"
    assert not sms.is_blocked("+447700900777")  # about our service's mode, not the number


def test_loopback_checks_the_jwt(app, notify_api):
    url = f"{notify_api.base_url}/v2/notifications/sms"
    body = {"phone_number": "+447700900123", "template_id": notify_api.sms_template, "personalisation": {"body": "x"}}

    def post(token):
        return requests.post(url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=5)

    now = int(time.time())
    wrong_secret = post(
        jwt.encode(
            {"iss": notify_api.service_id, "iat": now}, "not-the-secret-but-long-enough-for-hs256", algorithm="HS256"
        )
    )
    assert wrong_secret.status_code == 403 and wrong_secret.json()["errors"][0]["error"] == "AuthError"
    old = post(jwt.encode({"iss": notify_api.service_id, "iat": now - 31}, notify_api.secret, algorithm="HS256"))
    assert old.status_code == 403 and "30 seconds" in old.json()["errors"][0]["message"]
    other_service = post(jwt.encode({"iss": "someone-else", "iat": now}, notify_api.secret, algorithm="HS256"))
    assert other_service.status_code == 403
    assert requests.post(url, json=body, timeout=5).status_code == 403
    good = post(jwt.encode({"iss": notify_api.service_id, "iat": now}, notify_api.secret, algorithm="HS256"))
    assert good.status_code == 201 and good.json()["content"]["body"] == "x"


def test_wrong_api_key_is_a_temporary_failure_kept_for_when_the_key_is_fixed(app, db, notify_api):
    good_key = app.config["NOTIFY_API_KEY"]
    app.config["NOTIFY_API_KEY"] = f"engagement_test-{notify_api.service_id}-00000000-0000-4000-8000-000000000000"
    row = queue_sms("07700 900123", "Hello")
    db.session.commit()
    send_due()
    db.session.refresh(row)
    assert row.status == PENDING and row.last_error.startswith("403 AuthError")
    assert notify_api.rejected and notify_api.sent("sms") == []
    app.config["NOTIFY_API_KEY"] = good_key
    _due_now(db, row)
    send_due()
    db.session.refresh(row)
    assert row.status == SENT


def test_receipts_are_polled_and_a_permanent_failure_blocks_the_number(app, db, notify_api):
    ok, bad = queue_sms("07700 900001", "One"), queue_sms("07700 900002", "Two")
    db.session.commit()
    send_due()
    db.session.refresh(ok)
    db.session.refresh(bad)
    notify_api.set_status(ok.notify_id, "delivered")
    notify_api.set_status(bad.notify_id, "permanent-failure")
    assert sms_tasks.poll_receipts() == 2
    db.session.refresh(ok)
    db.session.refresh(bad)
    assert ok.delivery_status == "delivered" and bad.delivery_status == "permanent-failure"
    assert sms.is_blocked("+447700900002") and not sms.is_blocked("+447700900001")
    assert sms_tasks.poll_receipts() == 0  # final statuses are not asked about again


def test_delivery_callback_needs_the_bearer_token(app, db, client, notify_api):
    app.config["NOTIFY_CALLBACK_TOKEN"] = "callback-token-0123456789"
    row = queue_sms("07700 900123", "Hello")
    db.session.commit()
    send_due()
    db.session.refresh(row)
    payload = notify_api.receipt(row.notify_id, "temporary-failure")
    assert client.post("/notify/callback/delivery", json=payload).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert client.post("/notify/callback/delivery", json=payload, headers=wrong).status_code == 401
    right = {"Authorization": "Bearer callback-token-0123456789"}
    answer = client.post("/notify/callback/delivery", json=payload, headers=right)
    assert answer.status_code == 200 and answer.json == {"recorded": True}
    db.session.refresh(row)
    assert row.delivery_status == "temporary-failure" and not sms.is_blocked(row.to_addr)
    assert client.post("/notify/callback/delivery", data="not json", headers=right).status_code == 400
    app.config["NOTIFY_CALLBACK_TOKEN"] = ""
    assert client.post("/notify/callback/delivery", json=payload, headers=right).status_code == 404


@pytest.fixture
def replies():
    """A reply handler for the test: consumes STOP, records everything it is offered."""
    seen = []

    def handler(number, content, received_at, notify_id):
        seen.append((number, content, received_at.tzinfo is not None, notify_id))
        return content.strip().upper() == "STOP"

    hooks.register_sms_reply_handler(handler, name="test-replies", order=1)
    yield seen
    hooks._sms_reply_handlers.pop("test-replies")


def test_received_texts_reach_the_handlers_once_oldest_first_across_pages(app, db, notify_api, replies):
    notify_api.page_size = 2
    ids = [notify_api.add_received("07700900123", f"reply {n}") for n in range(5)]
    assert sms_tasks.read_replies() == 5
    assert [content for _, content, _, _ in replies] == [f"reply {n}" for n in range(5)]
    assert {number for number, _, _, _ in replies} == {"+447700900123"} and all(aware for *_, aware, _ in replies)
    assert sms_tasks.read_replies() == 0  # the cursor remembers the newest
    newer = notify_api.add_received("447700900124", "STOP")  # Notify's own spelling: no plus
    assert sms_tasks.read_replies() == 1 and replies[-1] == ("+447700900124", "STOP", True, newer)
    # Notify's callback for a text already read by polling is not handed over twice.
    app.config["NOTIFY_CALLBACK_TOKEN"] = "t" * 20
    callback = {"id": ids[0], "source_number": "447700900123", "destination_number": "07537417417",
                "message": "reply 0", "date_received": "2026-12-04T10:00:00.000000Z"}  # fmt: skip
    answer = app.test_client().post(
        "/notify/callback/received", json=callback, headers={"Authorization": "Bearer " + "t" * 20}
    )
    assert answer.status_code == 200 and len(replies) == 6


def test_email_through_notify_uses_the_email_template(app, db, notify_api):
    app.config["MAIL_TRANSPORT"] = "notify"
    row = queue_email("resident@example.org", "Your place is booked", "See you there.", "<p>See you there.</p>")
    db.session.commit()
    assert send_due() == 1
    db.session.refresh(row)
    (sent,) = notify_api.sent("email")
    assert row.status == SENT and sent["id"] == row.notify_id and sent["reference"] == str(row.id)
    assert sent["email_address"] == "resident@example.org" and sent["subject"] == "Your place is booked"
    assert sent["body"].strip() == "See you there."
