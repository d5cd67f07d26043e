"""Sending an issue through the worker to a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import re
from datetime import timedelta

from engagement.core.db import utcnow
from engagement.core.worker import run_once
from engagement.news.services import PostDetails, save_post
from engagement.newsletter import delivery
from engagement.newsletter.issues import cancel_schedule, schedule, send_test, update_issue
from engagement.newsletter.models import (
    DELIVERED,
    FAILED,
    PENDING,
    SCHEDULED,
    SENDING,
    SENT,
    SKIPPED,
    Delivery,
    Issue,
)
from engagement.newsletter.subscriptions import unsubscribe
from tests.newsletter.conftest import body_text
from tests.support.outbox import outbox


def _send(issue, actor, **kwargs):
    from engagement.extensions import db

    schedule(issue, actor=actor, **kwargs)
    db.session.commit()


def test_only_confirmed_subscribers_in_scope_get_it(db, smtp, team, neighbour, other_team, officer, subscribe,
                                                    make_issue):  # fmt: skip
    subscribe("team@example.org", team=team)
    subscribe("area@example.org", area="Birmingham")
    subscribe("both@example.org", team=team)
    subscribe("both@example.org", area="Birmingham")
    subscribe("pending@example.org", team=team, confirmed=False)
    subscribe("neighbour@example.org", team=neighbour)
    subscribe("coventry@example.org", area="Coventry")
    left = subscribe("left@example.org", team=team)
    unsubscribe(left)
    db.session.commit()
    issue = make_issue()
    _send(issue, officer)
    assert smtp.messages == []  # scheduling sends nothing by itself
    done = run_once()
    assert done["newsletter-start"] == 1 and done["newsletter-send"] == 3
    assert sorted(rcpt[0] for _, rcpt, _ in smtp.messages) == ["area@example.org", "both@example.org",
                                                               "team@example.org"]  # fmt: skip
    db.session.refresh(issue)
    assert issue.status == SENT and issue.recipients == 3 and issue.finished_at is not None
    assert re.fullmatch(r"NL-[A-Z2-9]{4}-[A-Z2-9]{4}", issue.reference)


def test_message_has_list_headers_alternatives_stable_id_and_reference(db, smtp, team, officer, subscribe,
                                                                       make_issue, make_post):  # fmt: skip
    subscriber = subscribe("resident@example.org", team=team)
    post = make_post()
    issue = make_issue()
    update_issue(issue, actor=officer, subject=issue.subject, intro=issue.intro, weeks=2, post_ids=[post.id])
    _send(issue, officer)
    run_once()
    [message] = smtp.parsed()
    row = db.session.scalar(db.select(Delivery))
    assert (
        message["Message-ID"]
        == row.message_id
        == f"<nl.{issue.id}.{subscriber.id}.{issue.reference.lower()}@example.org>"
    )
    assert message["From"] == '"Ladywood Neighbourhood Team, West Midlands Police" <no-reply@example.org>'
    assert message["Subject"] == "Ladywood news, November"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<http://localhost/unsubscribe/[\w.-]+>", message["List-Unsubscribe"])
    assert message["List-Id"] == "Ladywood Neighbourhood Team newsletter <ladywood.newsletter.example.org>"
    text = body_text(message)
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert issue.reference in part and "Bike marking on Saturday" in part
        assert "http://localhost/verify" in part and "http://localhost/manage/" in part
    assert "<strong>team</strong>" in html and "%%" not in html + text
    assert row.status == DELIVERED and row.attempts == 1 and row.sent_at is not None


def test_list_unsubscribe_header_unsubscribes_with_one_post(app, db, smtp, team, officer, subscribe, make_issue):
    subscribe("resident@example.org", team=team)
    _send(make_issue(), officer)
    run_once()
    url = smtp.parsed()[0]["List-Unsubscribe"].strip("<>").removeprefix("http://localhost")
    response = app.test_client(use_cookies=False).post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    from engagement.newsletter.models import Subscription

    assert db.session.scalar(db.select(db.func.count(Subscription.id))) == 0


def test_temporary_failure_retries_with_the_same_message_id(db, smtp, team, officer, subscribe, make_issue):
    subscribe("busy@example.org", team=team)
    smtp.refuse["busy@example.org"] = "451 4.3.0 Try again later"
    issue = make_issue()
    _send(issue, officer)
    run_once()
    row = db.session.scalar(db.select(Delivery))
    assert (row.status, row.attempts) == (PENDING, 1) and "451" in row.last_error
    assert row.next_attempt_at > utcnow() + timedelta(seconds=50)
    assert run_once()["newsletter-send"] == 0  # not due yet
    del smtp.refuse["busy@example.org"]
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    run_once()
    db.session.refresh(row)
    assert (row.status, row.attempts, row.last_error) == (DELIVERED, 2, None)
    [message] = smtp.parsed()
    assert message["Message-ID"] == row.message_id
    db.session.refresh(issue)
    assert issue.status == SENT


def test_permanent_failure_is_recorded_and_the_rest_still_go(db, smtp, team, officer, subscribe, make_issue):
    for n in range(3):
        subscribe(f"r{n}@example.org", team=team)
    subscribe("gone@example.org", team=team)
    smtp.refuse["gone@example.org"] = "550 5.1.1 No such user"
    issue = make_issue()
    _send(issue, officer)
    before = smtp.sessions
    run_once()
    assert smtp.sessions - before == 1  # one connection for the whole batch
    statuses = dict(db.session.execute(db.select(Delivery.status, db.func.count()).group_by(Delivery.status)).all())
    assert statuses == {DELIVERED: 3, FAILED: 1}
    failed = db.session.scalar(db.select(Delivery).where(Delivery.status == FAILED))
    assert failed.last_error.startswith("550") and "No such user" in failed.last_error
    db.session.refresh(issue)
    assert issue.status == SENT


def test_someone_who_leaves_mid_send_is_skipped(db, smtp, team, officer, subscribe, make_issue):
    stays = subscribe("stays@example.org", team=team)
    leaves = subscribe("leaves@example.org", team=team)
    issue = make_issue()
    _send(issue, officer)
    delivery.start_due()
    unsubscribe(leaves)
    db.session.commit()
    run_once()
    rows = {r.subscriber_id: r.status for r in db.session.scalars(db.select(Delivery))}
    assert rows == {stays.id: DELIVERED, leaves.id: SKIPPED}
    assert [rcpt for _, rcpt, _ in smtp.messages] == [["stays@example.org"]]


def test_scheduled_issue_waits_for_its_time_and_can_be_cancelled(db, smtp, team, officer, subscribe, make_issue):
    subscribe("resident@example.org", team=team)
    issue = make_issue()
    _send(issue, officer, send_at=utcnow() + timedelta(hours=2))
    assert run_once()["newsletter-start"] == 0 and issue.status == SCHEDULED
    cancel_schedule(issue, actor=officer)
    db.session.commit()
    assert issue.status == "draft" and issue.send_at is None
    _send(issue, officer, send_at=utcnow() + timedelta(hours=2))
    issue.send_at = utcnow() - timedelta(seconds=1)  # time passes
    db.session.commit()
    assert run_once()["newsletter-start"] == 1
    assert len(smtp.messages) == 1


def test_content_is_frozen_when_sending_starts(client, db, smtp, team, officer, subscribe, make_issue, make_post):
    subscribe("resident@example.org", team=team)
    post = make_post("Original headline")
    issue = make_issue()
    update_issue(issue, actor=officer, subject=issue.subject, intro="", weeks=0, post_ids=[post.id])
    _send(issue, officer)
    run_once()
    save_post(post, PostDetails("Changed headline", post.summary, post.body, team), actor=officer)
    db.session.commit()
    page = client.get(f"/newsletters/{issue.id}").get_data(as_text=True)
    assert "Original headline" in page and "Changed headline" not in page


def test_empty_issue_cannot_be_sent_and_sent_issue_cannot_change(db, smtp, team, officer, subscribe, make_issue):
    import pytest

    from engagement.core.errors import DomainError

    empty = make_issue(intro="")
    with pytest.raises(DomainError, match="This newsletter is empty"):
        schedule(empty, actor=officer)
    issue = make_issue()
    _send(issue, officer)
    run_once()
    with pytest.raises(DomainError, match="has been sent, so it cannot be changed"):
        update_issue(issue, actor=officer, subject="New", intro="", weeks=1)


def test_issue_with_no_subscribers_is_sent_at_once(db, smtp, team, officer, make_issue):
    issue = make_issue()
    _send(issue, officer)
    run_once()
    db.session.refresh(issue)
    assert (issue.status, issue.recipients, smtp.messages) == (SENT, 0, [])


def test_test_copy_goes_through_the_outbox_marked_as_a_test(db, smtp, team, officer, subscribe, make_issue):
    subscribe("resident@example.org", team=team)
    issue = make_issue()
    send_test(issue, actor=officer)
    db.session.commit()
    [mail] = outbox(db)
    assert mail["To"] == "aisha@example.org" and mail["Subject"] == "[Test] Ladywood news, November"
    assert body_text(mail).startswith("THIS IS A TEST COPY.")
    assert mail["List-Unsubscribe"] is None
    run_once()
    assert [rcpt for _, rcpt, _ in smtp.messages] == [["aisha@example.org"]]
    db.session.refresh(issue)
    assert issue.status == "draft"


def test_without_mail_server_copies_become_eml_files(app, db, team, officer, subscribe, make_issue):
    from pathlib import Path

    subscribe("resident@example.org", team=team)
    issue = make_issue()
    _send(issue, officer)
    run_once()
    row = db.session.scalar(db.select(Delivery))
    path = Path(app.config["MAIL_DIR"]) / f"newsletter-{issue.id}-{row.id}.eml"
    assert row.status == DELIVERED and b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in path.read_bytes()


def test_area_issue_by_coordinator_reaches_every_team_in_the_area(db, smtp, team, neighbour, other_team,
                                                                 coordinator, subscribe, make_issue):  # fmt: skip
    subscribe("ladywood@example.org", team=team)
    subscribe("edgbaston@example.org", team=neighbour)
    subscribe("foleshill@example.org", team=other_team)
    issue = make_issue("Birmingham winter safety", actor=coordinator, area="Birmingham")
    _send(issue, coordinator)
    run_once()
    assert sorted(r[0] for _, r, _ in smtp.messages) == ["edgbaston@example.org", "ladywood@example.org"]
    assert smtp.parsed()[0]["From"].startswith('"Neighbourhood teams in Birmingham, West Midlands Police"')


def test_officer_cannot_write_an_area_issue(db, officer):
    import pytest

    from engagement.core.errors import PermissionDenied
    from engagement.newsletter.issues import create_issue

    with pytest.raises(PermissionDenied):
        create_issue(actor=officer, area="Birmingham", subject="S", intro="I")


def test_sending_status_until_all_done(db, smtp, team, officer, subscribe, make_issue):
    subscribe("busy@example.org", team=team)
    smtp.refuse["busy@example.org"] = "421 4.7.0 Slow down"
    issue = make_issue()
    _send(issue, officer)
    run_once()
    db.session.refresh(issue)
    assert issue.status == SENDING
    assert db.session.get(Issue, issue.id).recipients == 1


def test_imported_entries_flow_into_the_newsletter(db, smtp, team, officer, subscribe, make_issue):
    from engagement.feeds.models import FeedEntry
    from engagement.feeds.services import add_source

    subscribe("resident@example.org", team=team)
    source = add_source(actor=officer, team=team, title="Birmingham City Council", url="https://example.org/c.rss")
    db.session.flush()
    entry = FeedEntry(source_id=source.id, key="c" * 64, guid="council-1", title="Bin collections change",
                      link="https://example.org/bins", summary_html="<p>New days from Monday.</p>",
                      summary_text="New days from Monday.")  # fmt: skip
    db.session.add(entry)
    db.session.commit()
    issue = make_issue()
    update_issue(issue, actor=officer, subject=issue.subject, intro=issue.intro, weeks=0, entry_ids=[entry.id])
    _send(issue, officer)
    run_once()
    text = body_text(smtp.parsed()[0])
    assert "FROM OUR PARTNERS" in text and "Bin collections change (Birmingham City Council)" in text
    assert "New days from Monday." in text and "https://example.org/bins" in text
