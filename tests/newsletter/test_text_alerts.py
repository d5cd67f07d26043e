"""Text alerts (issue 16): subscribing with a code, the code's limits, STOP, replies, and officers' alerts."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from engagement.core import hooks
from engagement.core.db import utcnow
from engagement.core.mail import OutboxMessage
from engagement.core.personal_data import Subject
from engagement.core.sms import fragments
from engagement.newsletter import text_alerts, text_privacy
from engagement.newsletter import text_subscribe as subs
from engagement.newsletter.text_models import AlertSubscription, TextCode, TextNumber, TextReply
from tests.conftest import csrf_token

E164 = "+447700900123"


def texts(db, to: str = E164) -> list[str]:
    query = select(OutboxMessage).where(OutboxMessage.channel == "sms", OutboxMessage.to_addr == to)
    return [r.raw.decode() for r in db.session.scalars(query.order_by(OutboxMessage.id))]


def last_code(db) -> str:
    return re.match(r"(\d{6}) is your code", texts(db)[-1])[1]


def offer(number: str, content: str, notify_id: str) -> None:
    """What the worker does with each received text: the handlers in order until one consumes it."""
    for handler in hooks.sms_reply_handlers():
        if handler(number, content, utcnow(), notify_id):
            return


def verified(db, team, mobile=E164) -> TextNumber:
    number = subs.request_alerts(mobile, [team])
    assert subs.check_code(number, last_code_for(db, mobile)).error is None
    db.session.commit()
    return number


def last_code_for(db, mobile: str) -> str:
    return re.match(r"(\d{6}) is your code", texts(db, mobile)[-1])[1]


def test_subscribe_with_a_mobile_and_the_code_through_the_pages(client, db, team):
    answer = client.get(f"/subscribe?step=choose&team={team.slug}&channel=text")
    assert answer.status_code == 302 and "/subscribe/text?team=" in answer.headers["Location"]
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "What is your mobile number?" in page and "Ladywood Neighbourhood Team" in page
    token = csrf_token(client)
    bad = client.post("/subscribe/text", data={"csrf_token": token, "team": team.slug, "mobile": "0121 496 0000"})
    assert bad.status_code == 400 and "That looks like a landline" in bad.get_data(as_text=True)
    answer = client.post("/subscribe/text", data={"csrf_token": token, "team": team.slug, "mobile": "07700 900123"})
    assert answer.headers["Location"].endswith("/subscribe/text/code")
    code = last_code(db)
    stored = db.session.scalars(select(TextCode)).one()
    assert code not in stored.code_hash and len(stored.code_hash) == 64  # only a keyed hash is kept
    wrong = "000000" if code != "000000" else "111111"
    page = client.post("/subscribe/text/code", data={"csrf_token": token, "code": wrong})
    assert page.status_code == 400 and "That code is not right" in page.get_data(as_text=True)
    page = client.post("/subscribe/text/code", data={"csrf_token": token, "code": code[:3] + " " + code[3:]})
    assert page.status_code == 200 and "Text alerts are set up" in page.get_data(as_text=True)
    db.session.expire_all()
    sub = db.session.scalars(select(AlertSubscription)).one()
    assert sub.confirmed_at is not None and "reply" in sub.consent_text.lower()
    assert db.session.scalars(select(TextCode)).one().tries == 2  # the wrong try was kept


def test_code_limits_five_tries_fifteen_minutes_three_a_day(db, team):
    number = subs.request_alerts("07700 900123", [team])
    code = last_code(db)
    wrong = "000000" if code != "000000" else "111111"
    answers = [subs.check_code(number, wrong).error for _ in range(5)]
    assert answers[0].endswith("(4 tries left).") and "has had 5 tries" in answers[4]
    assert subs.check_code(number, code).error == "This code can no longer be used. Ask for a new code."
    subs.send_code(number)
    later = utcnow() + timedelta(minutes=16)
    assert "expired" in subs.check_code(number, last_code(db), now=later).error
    subs.send_code(number)
    db.session.commit()
    try:
        subs.send_code(number)
        raise AssertionError("a 4th code in a day was sent")
    except subs.CodeRefused as exc:
        assert "already sent 3 codes" in exc.message
    assert subs.check_code(number, last_code(db)).names == ("Ladywood Neighbourhood Team",)
    assert subs.send_code(number, now=utcnow() + timedelta(days=1, minutes=1)) is not None  # a day later: fine


def test_stop_in_any_case_and_spacing_ends_every_team_once(db, team, neighbour):
    number = subs.request_alerts("07700 900123", [team, neighbour])
    subs.check_code(number, last_code(db))
    db.session.commit()
    assert [subs.is_stop(w) for w in ("stop", " S T O P ", "Stop.", "stopp", "please stop")] == [
        True, True, True, False, False,
    ]  # fmt: skip
    before = len(texts(db))
    offer(E164, " s T o P ", "n-1")
    db.session.commit()
    assert db.session.scalars(select(AlertSubscription)).all() == []
    assert len(texts(db)) == before + 1 and texts(db)[-1].startswith("You will get no more text alerts")
    offer(E164, "STOP", "n-2")
    db.session.commit()
    assert len(texts(db)) == before + 1  # confirmed once
    assert db.session.scalars(select(TextReply)).all() == []  # STOP is not kept as a reply


def test_replies_are_kept_for_the_team_masked_and_once(client, db, team, officer, outsider, login_as):
    verified(db, team)
    alert = text_alerts.send_alert(team, text_alerts.APPEAL, "Have you seen a red van on Monument Road?",
                                   actor=officer)  # fmt: skip
    db.session.commit()
    offer(E164, "Yes, outside no. 12 at 9pm", "r-1")
    offer(E164, "Yes, outside no. 12 at 9pm", "r-1")  # the same text handed over again
    db.session.commit()
    (reply,) = db.session.scalars(select(TextReply)).all()
    assert reply.team_id == team.id == alert.team_id
    login_as(officer)
    page = client.get("/staff/text-alerts/replies").get_data(as_text=True)
    assert "Yes, outside no. 12 at 9pm" in page and "•••••••• 123" in page and "7700 900" not in page
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login_as(outsider)
    assert "outside no. 12" not in client.get("/staff/text-alerts/replies").get_data(as_text=True)


def test_compose_checks_fragments_caps_and_sends_to_verified_numbers(client, db, team, officer, login_as):
    verified(db, team)
    verified(db, team, "+447700900124")
    stopped = verified(db, team, "+447700900125")
    stopped.stopped_at = utcnow()
    subs.request_alerts("+447700900126", [team])  # never typed the code
    db.session.commit()
    login_as(officer)
    token = csrf_token(client)
    form = {"csrf_token": token, "team": str(team.id), "kind": "appeal", "step": "check",
            "body": "Police are at Ladywood Middleway after a burglary. Call 101 if you saw anything."}  # fmt: skip
    page = client.post("/staff/text-alerts/new", data=form).get_data(as_text=True)
    full = text_alerts.full_text(team, form["body"])
    assert "Check and send the alert" in page and text_alerts.FOOTER in page
    assert f"{fragments(full).count} text message part" in page and "<dd>2</dd>" in page  # two verified numbers
    alert_rows = select(OutboxMessage).where(OutboxMessage.purpose.startswith("alert-appeal:"))
    assert db.session.scalars(alert_rows).all() == []
    long = form | {"body": "Urgent: " + "ی" * 200}  # Urdu letters: Unicode, 67 per part
    page = client.post("/staff/text-alerts/new", data=long)
    assert page.status_code == 400 and "the most is 3. Make it shorter." in page.get_data(as_text=True)
    answer = client.post("/staff/text-alerts/new", data=form | {"step": "send"})
    assert answer.status_code == 302
    sent = db.session.scalars(alert_rows).all()
    assert sorted(r.to_addr for r in sent) == ["+447700900123", "+447700900124"]
    assert all(r.raw.decode() == full and r.team_id == team.id for r in sent)
    assert full.startswith("Ladywood police: Police are at") and full.endswith("Reply STOP to end alerts.")
    overview = client.get("/staff/text-alerts").get_data(as_text=True)
    assert "Police are at Ladywood Middleway" in overview and "Numbers getting alerts" in overview


def test_privacy_finds_and_erases_numbers_and_replies(db, team):
    verified(db, team)
    offer(E164, "Thanks", "p-1")
    db.session.commit()
    kinds = sorted(r.kind for r in text_privacy.find(Subject.phone("07700 900123"), frozenset()))
    assert kinds == ["Reply to a text", "Text alerts number", "Text alerts subscription"]
    assert text_privacy.erase(Subject.phone("+44 7700 900123"), [], now=utcnow()) == {
        "text_alert_numbers": 1, "text_replies": 1,
    }  # fmt: skip
    db.session.commit()
    assert db.session.scalars(select(AlertSubscription)).all() == []
    assert text_privacy.find(Subject.phone("07700900123"), frozenset()) == []


def test_stop_read_from_notify_by_the_worker_ends_alerts(db, team, notify_api):
    from engagement.core.sms_tasks import read_replies

    verified(db, team)
    notify_api.add_received("07700900123", "Stop")
    notify_api.add_received("07700900123", "Who is this?")
    read_replies()
    db.session.expire_all()
    assert db.session.scalars(select(AlertSubscription)).all() == []
    assert [r.content for r in db.session.scalars(select(TextReply))] == ["Who is this?"]
    assert texts(db)[-1].startswith("You will get no more text alerts")


def test_retention_removes_old_replies_unconfirmed_numbers_and_spent_codes(db, team):
    verified(db, team)
    subs.request_alerts("+447700900124", [team])  # never confirmed
    offer(E164, "Thanks", "old-1")
    db.session.commit()
    now = utcnow() + timedelta(days=91)
    assert text_privacy.purge(now) == {"replies deleted": 1, "codes deleted": 2, "numbers deleted": 1}
    assert [n.mobile for n in db.session.scalars(select(TextNumber))] == [E164]  # the confirmed one stays
