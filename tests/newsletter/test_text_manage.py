"""Changing or stopping text alerts on the web (issue 16): the number proved with a code, then one team or all."""

from __future__ import annotations

import time

from sqlalchemy import select

from engagement.core.db import utcnow
from engagement.newsletter import text_manage as manage
from engagement.newsletter.text_models import AlertSubscription, TextNumber
from tests.conftest import csrf_token

from .test_text_alerts import E164, last_code, offer, texts, verified

SECOND = "+447700900124"


def _prove(client, db) -> str:
    """The first two pages for 07700 900123, as a resident goes through them; returns the CSRF token."""
    token = csrf_token(client)
    answer = client.post("/subscribe/text/manage", data={"csrf_token": token, "mobile": "07700 900123"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/subscribe/text/manage/code")
    answer = client.post("/subscribe/text/manage/code", data={"csrf_token": token, "code": last_code(db)})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/subscribe/text/manage/alerts")
    return token


def test_leave_one_team_then_all_through_the_pages(client, db, team, neighbour):
    verified(db, team)
    verified(db, neighbour)
    before = len(texts(db))
    page = client.get("/subscribe/text/manage")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    token = csrf_token(client)
    bad = client.post("/subscribe/text/manage", data={"csrf_token": token, "mobile": "0121 496 0000"})
    assert bad.status_code == 400 and "That looks like a landline" in bad.get_data(as_text=True)
    assert client.get("/subscribe/text/manage/alerts").status_code == 302  # nothing proved yet
    client.post("/subscribe/text/manage", data={"csrf_token": token, "mobile": "07700 900123"})
    code = last_code(db)
    assert texts(db)[-1].startswith(f"{code} is your code") and len(texts(db)) == before + 1
    wrong = "000000" if code != "000000" else "111111"
    page = client.post("/subscribe/text/manage/code", data={"csrf_token": token, "code": wrong})
    body = page.get_data(as_text=True)
    assert page.status_code == 400 and "That code is not right" in body and "(4 tries left)" in body
    assert 'action="/subscribe/text/manage/code"' in body and 'action="/subscribe/text/manage/new-code"' in body
    answer = client.post("/subscribe/text/manage/code", data={"csrf_token": token, "code": code})
    assert answer.headers["Location"].endswith("/subscribe/text/manage/alerts")
    page = client.get("/subscribe/text/manage/alerts")
    body = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert "Edgbaston Neighbourhood Team" in body and "Ladywood Neighbourhood Team" in body
    assert 'ending <bdi dir="ltr">123</bdi>' in body
    assert "7700 900" not in body  # the number is never shown whole

    answer = client.post("/subscribe/text/manage/alerts", data={"csrf_token": token, "team": team.slug})
    assert answer.status_code == 302
    body = client.get("/subscribe/text/manage/alerts").get_data(as_text=True)
    assert "no more text alerts from Ladywood Neighbourhood Team" in body
    assert "Edgbaston Neighbourhood Team</dt>" in body and "Ladywood Neighbourhood Team</dt>" not in body
    db.session.expire_all()
    assert [s.team_id for s in db.session.scalars(select(AlertSubscription))] == [neighbour.id]

    client.post("/subscribe/text/manage/alerts", data={"csrf_token": token, "everything": "1"})
    body = client.get("/subscribe/text/manage/alerts").get_data(as_text=True)
    assert "You will get no more text alerts from us." in body and "gets no text alerts from us" in body
    db.session.expire_all()
    assert db.session.scalars(select(AlertSubscription)).all() == []
    assert len(texts(db)) == before + 1  # the code only: leaving is confirmed on the page, not by text


def test_a_number_with_no_alerts_is_answered_the_same_way(client, db, team):
    """Any UK mobile gets a code, so the form never tells a stranger which numbers get alerts."""
    token = _prove(client, db)
    body = client.get("/subscribe/text/manage/alerts").get_data(as_text=True)
    assert "gets no text alerts from us" in body
    answer = client.post("/subscribe/text/manage/alerts", data={"csrf_token": token, "team": team.slug})
    assert answer.status_code == 302
    assert "You do not get text alerts from that team." in client.get("/subscribe/text/manage/alerts").get_data(
        as_text=True
    )
    number = db.session.scalars(select(TextNumber)).one()
    assert number.subscriptions == [] and number.verified_at is not None


def test_the_manage_code_confirms_nothing_and_does_not_undo_stop(db, team, neighbour):
    stopped = verified(db, team)
    offer(E164, "STOP", "m-1")
    db.session.commit()
    number = manage.request_manage_code("07700900123")
    assert manage.prove_number(number, last_code(db)).error is None
    assert number.stopped_at is not None and manage.live_subscriptions(number) == []
    assert stopped.id == number.id

    from engagement.newsletter import text_subscribe as subs

    waiting = subs.request_alerts(SECOND, [neighbour])  # asked, never typed the subscribe code
    db.session.commit()
    manage.request_manage_code(SECOND)
    code = last_code_of(db, SECOND)
    assert manage.prove_number(waiting, code).error is None
    assert [s.confirmed_at for s in waiting.subscriptions] == [None]  # still waiting: nothing agreed to


def last_code_of(db, mobile):
    import re

    return re.match(r"(\d{6}) is your code", texts(db, mobile)[-1])[1]


def test_the_alerts_page_closes_after_thirty_minutes(client, db, team):
    verified(db, team)
    token = _prove(client, db)
    with client.session_transaction() as session:
        proof = session["text_manage_proved"]
        session["text_manage_proved"] = proof | {"at": int(time.time()) - manage.MANAGE_MINUTES * 60 - 1}
    answer = client.post("/subscribe/text/manage/alerts", data={"csrf_token": token, "everything": "1"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/subscribe/text/manage")
    assert "closes 30 minutes after the code" in client.get("/subscribe/text/manage").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(AlertSubscription)).one().confirmed_at is not None  # nothing changed


def test_the_manage_code_shares_the_three_a_day_limit(client, db, team):
    number = verified(db, team)  # one code already sent today
    manage.request_manage_code(E164, now=utcnow())
    db.session.commit()
    token = csrf_token(client)
    client.post("/subscribe/text/manage", data={"csrf_token": token, "mobile": E164})
    page = client.post("/subscribe/text/manage", data={"csrf_token": token, "mobile": E164})
    assert page.status_code == 400 and "already sent 3 codes" in page.get_data(as_text=True)
    assert number.id == db.session.scalars(select(TextNumber)).one().id


def test_the_email_manage_page_and_the_confirmation_link_here(client, db, team, subscribe):
    from engagement.newsletter.subscriptions import manage_token

    subscriber = subscribe("resident@example.org", team=team)
    page = client.get(f"/manage/{manage_token(subscriber)}").get_data(as_text=True)
    assert 'href="/subscribe/text/manage"' in page
