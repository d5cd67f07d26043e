"""Residents' own requests: the emailed single-use link, seeing, downloading and deleting their data."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from engagement.core.audit import AuditEntry
from engagement.core.db import utcnow
from engagement.privacy.models import ErasureRecord, RequestLink
from engagement.signups.models import Signup
from tests.conftest import csrf_token, email_text
from tests.privacy.helpers import EMAIL, make_person
from tests.support.outbox import outbox, outbox_rows


@pytest.fixture
def person(db, make_team):
    return make_person(make_team(name="Ladywood", coverage=["B16"]))


def _ask(client, address):
    return client.post("/privacy/request", data={"csrf_token": csrf_token(client), "email": address})


def _link(db, address) -> str:
    (message,) = outbox_rows(db, address, "personal data")
    return re.search(r"http://localhost(/privacy/request/\S+)", email_text(message.raw)).group(1)


def _open(client, path):
    assert client.get(path).status_code == 200
    return client.post(path, data={"csrf_token": csrf_token(client)})


def test_the_page_says_the_same_whether_or_not_we_hold_anything(app, db, person, client):
    known, unknown = _ask(client, EMAIL), _ask(client, "nobody.here@example.org")
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: re.sub(r'content="[^"]+"|value="[^"]+"', "", r.get_data(as_text=True))  # noqa: E731 - CSRF differs
    assert strip(known) == strip(unknown)
    assert "Check your email" in strip(known)
    assert len(outbox(db, EMAIL)) >= 1 and len(outbox(db, "nobody.here@example.org")) == 1


def test_a_bad_address_is_shown_with_the_answer_kept(app, client):
    page = _ask(client, "not-an-address")
    assert page.status_code == 400
    body = html.unescape(page.get_data(as_text=True))
    assert "There is a problem" in body and 'value="not-an-address"' in body


def test_link_shows_downloads_and_deletes_and_works_once(app, db, person, client):
    _ask(client, EMAIL)
    path = _link(db, EMAIL)
    assert "scanner" not in path
    # A mail scanner's GET does not use the link up; the button does.
    assert client.get(path).status_code == 200
    opened = client.post(path, data={"csrf_token": csrf_token(client)})
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/privacy/request/your-data")
    page = client.get("/privacy/request/your-data").get_data(as_text=True)
    assert "Event sign-ups and waiting lists" in page and "Community Speed Watch" in page

    again = client.post(path, data={"csrf_token": csrf_token(client)})
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)

    download = client.post("/privacy/request/your-data/download", data={"csrf_token": csrf_token(client)})
    assert download.status_code == 200 and download.mimetype == "application/zip"
    signups = json.loads(zipfile.ZipFile(io.BytesIO(download.get_data())).read("signups.json"))
    assert {r["details"].get("email") for r in signups} == {EMAIL}
    exported = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.export")).one()
    assert exported.details["source"] == "self-service" and exported.actor_id is None

    check = client.get("/privacy/request/your-data/delete")
    assert check.status_code == 200 and "Check before you delete your data" in check.get_data(as_text=True)
    refused = client.post("/privacy/request/your-data/delete", data={"csrf_token": csrf_token(client), "confirm": ""})
    assert refused.status_code == 400
    done = client.post(
        "/privacy/request/your-data/delete", data={"csrf_token": csrf_token(client), "confirm": "Delete"}
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/privacy/request/deleted")
    db.session.expire_all()
    assert db.session.get(Signup, person.ids["coming_signup"]).email is None
    record = db.session.scalars(select(ErasureRecord)).one()
    assert record.source == "self-service" and record.actor_label == "the resident (emailed link)"
    # The grant ended with the erasure.
    assert client.get("/privacy/request/your-data").status_code == 400


def test_an_expired_link_says_so(app, db, person, client):
    _ask(client, EMAIL)
    path = _link(db, EMAIL)
    app.config["PRIVACY_LINK_HOURS"] = -1  # as if 24 hours had passed
    try:
        page = client.get(path)
    finally:
        app.config["PRIVACY_LINK_HOURS"] = 24
    assert page.status_code == 400 and "expired" in page.get_data(as_text=True)
    assert client.get("/privacy/request/garbage-token").status_code == 400


def test_the_your_data_page_needs_a_followed_link(app, client):
    page = client.get("/privacy/request/your-data")
    assert page.status_code == 400 and "Ask for a new link" in page.get_data(as_text=True)
    assert (
        client.post("/privacy/request/your-data/download", data={"csrf_token": csrf_token(client)}).status_code == 400
    )


def test_old_links_are_forgotten_by_the_retention_rule(app, db):
    from engagement.privacy.selfservice import _forget_links

    now = utcnow()
    db.session.add_all(
        [RequestLink(created_at=now - timedelta(days=3)), RequestLink(created_at=now - timedelta(days=1))]
    )
    db.session.commit()
    assert _forget_links(now) == {"links deleted": 1}
    assert _forget_links(now) == {"links deleted": 0}
