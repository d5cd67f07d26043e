"""The resident's journey through the pages: choose teams, give an email, confirm with a POST,
manage, leave (including RFC 8058 one-click), ask for a lost link; rate limits and bad input."""

from __future__ import annotations

import pytest

from engagement.newsletter.models import Subscriber, Subscription
from tests.conftest import csrf_token
from tests.newsletter.conftest import body_text, link
from tests.support.outbox import outbox


def _subscribe(client, email="resident@example.org", teams=("ladywood",), areas=()):
    return client.post("/subscribe/email", data={"csrf_token": csrf_token(client), "email": email,
                                                 "team": list(teams), "area": list(areas)})  # fmt: skip


def test_whole_journey_double_opt_in(client, db, team):
    page = client.get("/subscribe?team=ladywood").get_data(as_text=True)
    assert 'id="team-ladywood" name="team" value="ladywood" checked' in page
    chosen = client.get("/subscribe?step=choose&team=ladywood&area=Coventry")
    assert chosen.status_code == 302 and chosen.headers["Location"] == "/subscribe/email?team=ladywood&area=Coventry"
    form = client.get(chosen.headers["Location"]).get_data(as_text=True)
    assert "Ladywood Neighbourhood Team" in form and "every team in Coventry" in form
    assert "I can unsubscribe at any time" in form

    response = _subscribe(client, "Resident@Example.org", areas=("Coventry",))
    assert response.status_code == 302 and response.headers["Location"] == "/subscribe/check-email"
    assert "Resident@Example.org" in client.get("/subscribe/check-email").get_data(as_text=True)
    subscriber = db.session.scalar(db.select(Subscriber))
    assert subscriber.email == "resident@example.org" and subscriber.confirmed_at is None
    assert [s.confirmed_at for s in subscriber.subscriptions] == [None, None]
    stored = subscriber.subscriptions[0].consent_text
    assert stored.startswith("I want West Midlands Police to email me newsletters from Ladywood Neighbourhood Team, "
                             "every team in Coventry.")  # fmt: skip

    [mail] = outbox(db)
    assert mail["To"] == "resident@example.org" and mail["Subject"] == "Confirm your newsletter subscription"
    assert "The link works for 7 days." in body_text(mail)
    confirm_url = link(mail, "/subscribe/confirm/")
    # Following the link (as a mail scanner would) changes nothing.
    page = client.get(confirm_url).get_data(as_text=True)
    assert "Confirm your subscription" in page and '<button type="submit" class="button">Confirm</button>' in page
    db.session.expire_all()
    assert (
        db.session.scalar(db.select(db.func.count(Subscription.id)).where(Subscription.confirmed_at.is_not(None))) == 0
    )

    done = client.post(confirm_url, data={"csrf_token": csrf_token(client)})
    assert done.status_code == 302 and done.headers["Location"].startswith("/subscribe/confirmed/")
    panel = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "You are subscribed" in panel and "every team in Coventry" in panel
    db.session.expire_all()
    assert all(s.confirmed_at is not None for s in db.session.scalars(db.select(Subscription)))
    welcome = outbox(db)[-1]
    assert welcome["Subject"] == "You are subscribed" and "/manage/" in body_text(welcome)
    # Pressing Confirm again is harmless: no second welcome.
    client.post(confirm_url, data={"csrf_token": csrf_token(client)})
    assert len(outbox(db)) == 2


def test_choosing_nothing_is_an_error(client, team):
    response = client.get("/subscribe?step=choose")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in page and "Select at least one team or area" in page
    assert client.get("/subscribe/email").status_code == 302  # no choice: back to step 1


@pytest.mark.parametrize("email", ["not-an-email", "a@", "resident@example..org", ""])
def test_malformed_email_keeps_the_choice_and_saves_nothing(client, db, team, email):
    response = _subscribe(client, email)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in page
    assert 'name="team" value="ladywood"' in page
    assert db.session.scalar(db.select(db.func.count(Subscriber.id))) == 0 and outbox(db) == []


def test_repeat_subscribe_reveals_nothing_and_emails_the_owner(client, db, team, neighbour, subscribe):
    subscribe("resident@example.org", team=team)
    again = _subscribe(client)
    assert again.status_code == 302 and again.headers["Location"] == "/subscribe/check-email"
    [mail] = outbox(db)
    assert mail["Subject"] == "You already get these newsletters"
    # Adding a team still needs confirming; the existing one is untouched.
    _subscribe(client, teams=("ladywood", "edgbaston"))
    confirm = outbox(db)[-1]
    assert confirm["Subject"] == "Confirm your newsletter subscription"
    assert "Edgbaston Neighbourhood Team" in body_text(confirm) and "Ladywood" not in body_text(confirm)


def test_bad_and_tampered_links(client, db, team):
    _subscribe(client)
    confirm_url = link(outbox(db)[0], "/subscribe/confirm/")
    tampered = confirm_url[:-3] + ("AAA" if not confirm_url.endswith("AAA") else "BBB")
    for url in (tampered, "/subscribe/confirm/nonsense", "/manage/nonsense", "/unsubscribe/nonsense"):
        response = client.get(url)
        assert response.status_code == 400 and "This link does not work" in response.get_data(as_text=True)
    assert client.post("/unsubscribe/nonsense").status_code == 400


def test_expired_confirmation_link(client, db, team, monkeypatch):
    import time

    from itsdangerous.timed import TimestampSigner

    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 8 * 86400)
    _subscribe(client)
    monkeypatch.undo()
    page = client.get(link(outbox(db)[0], "/subscribe/confirm/")).get_data(as_text=True)
    assert "This link has expired. Ask for a new one." in page


def test_confirm_needs_the_forms_csrf_token(client, db, team):
    _subscribe(client)
    confirm_url = link(outbox(db)[0], "/subscribe/confirm/")
    other = client.application.test_client()
    assert other.post(confirm_url).status_code == 400
    db.session.expire_all()
    assert db.session.scalar(db.select(Subscription.confirmed_at)) is None


def test_manage_page_changes_teams_and_empty_means_unsubscribed(client, db, team, neighbour, subscribe):
    subscriber = subscribe("resident@example.org", team=team)
    from engagement.newsletter.subscriptions import manage_token

    url = f"/manage/{manage_token(subscriber)}"
    page = client.get(url).get_data(as_text=True)
    assert 'value="ladywood" checked' in page and 'value="edgbaston">' in page
    saved = client.post(url, data={"csrf_token": csrf_token(client), "team": ["edgbaston"], "area": ["Birmingham"]})
    assert "Your choices are saved" in saved.get_data(as_text=True)
    db.session.expire_all()
    subs = db.session.scalars(db.select(Subscription).order_by(Subscription.id)).all()
    assert [(s.team_id, s.area) for s in subs] == [(neighbour.id, None), (None, "Birmingham")]
    assert all(s.confirmed_at is not None for s in subs)
    gone = client.post(url, data={"csrf_token": csrf_token(client)})
    assert "You have unsubscribed" in gone.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Subscription.id))) == 0
    assert db.session.get(Subscriber, subscriber.id).unsubscribed_at is not None


def test_one_click_unsubscribe_is_a_bare_post(app, db, team, subscribe):
    """RFC 8058: a mail provider POSTs List-Unsubscribe=One-Click with no cookies and no CSRF token."""
    from engagement.newsletter.subscriptions import manage_token

    subscriber = subscribe("resident@example.org", team=team)
    url = f"/unsubscribe/{manage_token(subscriber)}"
    provider = app.test_client(use_cookies=False)
    page = provider.get(url).get_data(as_text=True)
    assert 'class="button button-warning">Unsubscribe</button>' in page
    assert db.session.scalar(db.select(db.func.count(Subscription.id))) == 1  # GET changed nothing
    response = provider.post(url, data="List-Unsubscribe=One-Click",
                             content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert response.status_code == 200 and "You have unsubscribed" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Subscription.id))) == 0
    assert provider.post(url, data="List-Unsubscribe=One-Click").status_code == 200  # repeating is harmless


def test_only_the_unsubscribe_url_is_exempt_from_csrf(app, db, team, subscribe):
    from engagement.newsletter.subscriptions import manage_token

    token = manage_token(subscribe("resident@example.org", team=team))
    bare = app.test_client(use_cookies=False)
    assert bare.post(f"/manage/{token}", data={"team": []}).status_code == 400
    assert bare.post("/subscribe/email", data={"email": "x@example.org", "team": "ladywood"}).status_code == 400
    assert bare.post("/manage", data={"email": "x@example.org"}).status_code == 400
    assert db.session.scalar(db.select(db.func.count(Subscription.id))) == 1


def test_lost_link_never_reveals_who_is_subscribed(client, db, team, subscribe):
    subscribe("resident@example.org", team=team)
    for email in ("resident@example.org", "stranger@example.org"):
        page = client.post("/manage", data={"csrf_token": csrf_token(client), "email": email}).get_data(as_text=True)
        assert f'If <strong><bdi dir="ltr">{email}</bdi></strong> gets our newsletters, we have sent it a link' in page
    [mail] = outbox(db)
    assert mail["To"] == "resident@example.org" and mail["Subject"] == "Manage your newsletter subscription"
    manage_url = link(mail, "/manage/")
    assert "Your newsletters" in client.get(manage_url).get_data(as_text=True)


def test_confirmation_emails_are_rate_limited_per_address(client, db, team):
    statuses = [_subscribe(client).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    page = _subscribe(client).get_data(as_text=True)
    assert "We have sent several emails to this address in a short time" in page  # the form again, with a wait
    assert len(outbox(db)) == 3
    # Another address from the same computer still works (until the per-IP limit).
    assert _subscribe(client, "neighbour@example.org").status_code == 302


def test_many_residents_from_one_connection_can_subscribe(client, db, team):
    """A shared connection (library PC, care home Wi-Fi): the per-IP limit is sized for it (tests/hardening)."""
    statuses = [_subscribe(client, f"person{n}@example.org").status_code for n in range(15)]
    assert statuses == [302] * 15
    assert len(outbox(db)) == 15


def test_team_page_offers_the_newsletter(client, team):
    page = client.get("/teams/ladywood").get_data(as_text=True)
    assert "Get Ladywood news by email" in page and 'href="/subscribe?team=ladywood"' in page
    assert 'href="/teams/ladywood/events.rss"' in page


def test_manage_link_requests_are_rate_limited_per_address(client, db, team, subscribe):
    subscribe("resident@example.org", team=team)
    statuses = [client.post("/manage", data={"csrf_token": csrf_token(client), "email": "Resident@example.org"}).status_code
                for _ in range(4)]  # fmt: skip
    assert statuses == [200, 200, 200, 429]
    assert len(outbox(db)) == 3
    typo = client.post("/manage", data={"csrf_token": csrf_token(client), "email": "not an address"})
    assert typo.status_code == 400 and "Enter an email address in the correct format" in typo.get_data(as_text=True)


def test_confirmation_email_reaches_a_real_smtp_server(client, db, smtp, team):
    """Over 1,000 bytes, so it only gets through with CRLF line ends (aiosmtpd refuses bare LF lines)."""
    from engagement.core.worker import run_once

    _subscribe(client, areas=("Coventry", "Birmingham"))
    assert run_once()["mail"] == 1
    [message] = smtp.parsed()
    assert message["Subject"] == "Confirm your newsletter subscription" and len(smtp.messages[0][2]) > 1000
    assert "/subscribe/confirm/" in message.get_body(("plain",)).get_content()
