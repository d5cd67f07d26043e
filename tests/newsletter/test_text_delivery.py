"""Officers see each text alert's delivery (issue 16), from its outbox rows and Notify's receipts (loopback Notify)."""

from __future__ import annotations

from sqlalchemy import select

from engagement.core import sms_tasks
from engagement.core.mail import OutboxMessage, send_due
from engagement.newsletter import text_alerts, text_delivery
from tests.conftest import csrf_token

from .test_text_alerts import verified

NUMBERS = ["+447700900201", "+447700900202", "+447700900203", "+447700900204", "+447700900205"]


def _rows(db, alert) -> dict[str, OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.purpose == text_delivery.alert_purpose(alert))
    return {row.to_addr: row for row in db.session.scalars(query)}


def test_delivery_counts_follow_the_receipts_and_failures_are_masked(client, db, team, officer, outsider,
                                                                    login_as, notify_api):  # fmt: skip
    for mobile in NUMBERS:
        verified(db, team, mobile)
    notify_api.refuse("+447700900205", "phone_number Not a UK mobile number")  # Notify refuses it outright
    alert = text_alerts.send_alert(team, text_alerts.APPEAL, "Have you seen a red van on Monument Road?",
                                   actor=officer)  # fmt: skip
    db.session.commit()
    assert text_delivery.deliveries([alert])[alert.id].sending == 5  # queued, not sent yet
    send_due()
    rows = _rows(db, alert)
    assert len(rows) == 5 and all(r.team_id == team.id for r in rows.values())
    notify_api.set_status(rows["+447700900201"].notify_id, "delivered")
    notify_api.set_status(rows["+447700900202"].notify_id, "delivered")
    notify_api.set_status(rows["+447700900203"].notify_id, "permanent-failure")
    notify_api.set_status(rows["+447700900204"].notify_id, "temporary-failure")
    sms_tasks.poll_receipts()
    other = text_alerts.send_alert(team, text_alerts.APPEAL, "A second alert", actor=officer)
    db.session.commit()
    db.session.expire_all()

    found = text_delivery.deliveries([alert, other])
    mine = found[alert.id]
    assert (mine.delivered, mine.sending, mine.permanent, mine.temporary, mine.no_receipt) == (2, 0, 2, 1, 0)
    assert mine.texts == alert.recipients == 5 and mine.parts_sent == 4 * alert.fragments
    # The two numbers that failed for good get no second alert; nothing is counted twice.
    assert (found[other.id].texts, found[other.id].sending, other.recipients) == (3, 3, 3)

    login_as(officer)
    page = client.get(f"/staff/text-alerts/{alert.id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Have you seen a red van" in body
    assert (
        '<th scope="row">Delivered</th><td>2</td>' in body
        and '<th scope="row">Permanent failure</th><td>2</td>' in body
    )
    assert '<th scope="row">Temporary failure</th><td>1</td>' in body
    assert "•••••••• 203" in body and "•••••••• 205" in body and "•••••••• 204" not in body
    assert "400 ValidationError: phone_number Not a UK mobile number" in body
    assert "Notify: the number does not exist or cannot get texts" in body
    assert "7700 900" not in body and "7700900" not in body  # numbers only ever masked
    overview = client.get("/staff/text-alerts").get_data(as_text=True)
    assert "2 delivered, <strong>2 failed for good</strong>, 1 temporary failure" in overview
    assert f'href="/staff/text-alerts/{alert.id}"' in overview

    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login_as(outsider)
    assert client.get(f"/staff/text-alerts/{alert.id}").status_code == 403


def test_texts_written_to_files_show_as_no_receipt(client, db, team, officer, login_as):
    verified(db, team)
    alert = text_alerts.send_alert(team, text_alerts.NEW_EVENT, "Cuppa with a Copper on Saturday", actor=officer)
    db.session.commit()
    send_due()  # no NOTIFY_API_KEY: the text is written to a file
    db.session.expire_all()
    got = text_delivery.deliveries([alert])[alert.id]
    assert (got.delivered, got.sending, got.no_receipt, got.parts_sent) == (0, 0, 1, alert.fragments)
    login_as(officer)
    assert "1 no receipt" in client.get("/staff/text-alerts").get_data(as_text=True)
