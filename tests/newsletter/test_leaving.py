"""Leaving the newsletter is one step from every email and first on the manage page (issue 14)."""

from __future__ import annotations

from engagement.newsletter.models import Subscriber
from tests.conftest import csrf_token
from tests.newsletter.conftest import body_text, link
from tests.support.outbox import outbox


def test_every_email_to_a_subscriber_has_a_direct_unsubscribe_link_and_headers(client, db, team):
    client.post("/subscribe/email", data={"csrf_token": csrf_token(client), "email": "ada@example.org",
                                          "team": ["ladywood"]})  # fmt: skip
    confirm_url = link(outbox(db)[-1], "/subscribe/confirm/")
    client.post(confirm_url, data={"csrf_token": csrf_token(client)})
    client.post("/manage", data={"csrf_token": csrf_token(client), "email": "ada@example.org"})
    client.post("/subscribe/email", data={"csrf_token": csrf_token(client), "email": "ada@example.org",
                                          "team": ["ladywood"]})  # fmt: skip
    mails = outbox(db)
    assert [m["Subject"] for m in mails] == [
        "Confirm your newsletter subscription",
        "You are subscribed",
        "Manage your newsletter subscription",
        "You already get these newsletters",
    ]
    for mail in mails:
        leave = link(mail, "/unsubscribe")
        assert f"Unsubscribe from everything, in one step: http://localhost{leave}" in body_text(mail), mail["Subject"]
        assert mail["List-Unsubscribe"] == f"<http://localhost{leave}>"
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The welcome's one-click header works as a mail provider would use it: a POST with no CSRF token.
    welcome = mails[1]
    left = client.post(welcome["List-Unsubscribe"].strip("<>"), data={"List-Unsubscribe": "One-Click"})
    assert left.status_code in (200, 302)
    db.session.expire_all()
    assert db.session.scalar(db.select(Subscriber)).subscriptions == []


def test_manage_page_offers_unsubscribe_from_everything_before_the_checkboxes(client, db, team):
    client.post("/subscribe/email", data={"csrf_token": csrf_token(client), "email": "ada@example.org",
                                          "team": ["ladywood"]})  # fmt: skip
    client.post(link(outbox(db)[-1], "/subscribe/confirm/"), data={"csrf_token": csrf_token(client)})
    manage = link(outbox(db)[-1], "/manage/")
    page = client.get(manage).get_data(as_text=True)
    button = page.index("Unsubscribe from everything</button>")
    assert button < page.index('type="checkbox"')
    assert page.index('<form method="post" action="/unsubscribe/') < button
