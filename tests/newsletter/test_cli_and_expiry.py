"""The three CLI commands (import, compose, send) and the 7-day expiry of unconfirmed requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engagement.core.db import utcnow
from engagement.core.worker import run_once
from engagement.newsletter.models import SCHEDULED, Delivery, Issue, IssueItem, Subscriber, Subscription
from engagement.newsletter.subscriptions import expire, request_subscription, unsubscribe


def _csv(tmp_path, text: str):
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_reports_and_skips_bad_rows_and_never_duplicates(app, db, tmp_path, team, neighbour, subscribe):
    subscribe("existing@example.org", team=team)
    subscribe("other-team@example.org", team=neighbour)
    left = subscribe("left@example.org", team=neighbour)
    unsubscribe(left, now=datetime(2025, 6, 1, tzinfo=UTC))
    db.session.commit()
    path = _csv(tmp_path, "\n".join([
        "email,consented_at",
        "New@Example.org,2025-03-01T18:30:00Z",       # 2: imported
        "existing@example.org,2025-03-01",            # 3: already subscribed to this team
        "other-team@example.org,2025-03-02 09:00",    # 4: imported (adds this team)
        "not-an-email,2025-03-01",                    # 5: bad email
        "noconsent@example.org,",                     # 6: no consent time
        "baddate@example.org,last Tuesday",           # 7: not a date
        "future@example.org,2999-01-01",              # 8: consent in the future
        "new@example.org,2025-03-05",                 # 9: twice in the file
        "left@example.org,2025-01-01",                # 10: unsubscribed after that consent
    ]))  # fmt: skip
    result = app.test_cli_runner().invoke(args=["newsletter", "import-subscribers", "--team", "ladywood", path])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Ladywood: 2 imported, 1 already subscribed, 6 skipped."
    assert result.stderr.splitlines() == [
        "line 5: skipped: “not-an-email” is not a valid email address",
        "line 6: skipped: noconsent@example.org has no consent time",
        "line 7: skipped: “last Tuesday” is not a date (use 2025-03-01 or 2025-03-01T18:30)",
        "line 8: skipped: the consent time for future@example.org is in the future",
        "line 9: skipped: new@example.org appears earlier in the file",
        "line 10: skipped: left@example.org unsubscribed after that consent was given",
    ]
    new = db.session.scalar(db.select(Subscriber).where(Subscriber.email == "new@example.org"))
    [sub] = new.subscriptions
    assert sub.confirmed_at == datetime(2025, 3, 1, 18, 30, tzinfo=UTC) and sub.source == "import"
    assert sub.consent_text.startswith("Imported by Ladywood Neighbourhood Team from ")
    assert "1 March 2025" in sub.consent_text
    other = db.session.scalar(db.select(Subscriber).where(Subscriber.email == "other-team@example.org"))
    assert sorted(s.team_id for s in other.subscriptions) == sorted([team.id, neighbour.id])
    # A naive time is UK local time: 09:00 BST... in March it is GMT, so 09:00 UTC.
    assert [s.confirmed_at for s in other.subscriptions if s.team_id == team.id] == [
        datetime(2025, 3, 2, 9, 0, tzinfo=UTC)]  # fmt: skip
    again = app.test_cli_runner().invoke(args=["newsletter", "import-subscribers", "--team", "ladywood", path])
    assert again.stdout.strip() == "Ladywood: 0 imported, 3 already subscribed, 6 skipped."
    assert db.session.scalar(db.select(db.func.count(Subscriber.id))) == 4


def test_import_refuses_a_file_without_the_columns(app, tmp_path, team):
    result = app.test_cli_runner().invoke(args=["newsletter", "import-subscribers", "--team", "ladywood",
                                                _csv(tmp_path, "address,date\nx@example.org,2025-01-01\n")])  # fmt: skip
    assert result.exit_code != 0 and "needs the columns email and consented_at" in result.output
    unknown = app.test_cli_runner().invoke(args=["newsletter", "import-subscribers", "--team", "atlantis",
                                                 _csv(tmp_path, "email,consented_at\n")])  # fmt: skip
    assert unknown.exit_code != 0 and "No team with slug 'atlantis'" in unknown.output


def test_compose_then_send_from_the_cli(app, db, tmp_path, smtp, team, subscribe, make_post):
    subscribe("resident@example.org", team=team)
    post = make_post("Speed Watch results")
    intro = tmp_path / "intro.md"
    intro.write_text("Thanks to our **volunteers**.", encoding="utf-8")
    runner = app.test_cli_runner()
    composed = runner.invoke(args=["newsletter", "compose", "--team", "ladywood", "--subject", "Weekly digest",
                                   "--intro", str(intro), "--weeks", "3"])  # fmt: skip
    assert composed.exit_code == 0, composed.output
    issue = db.session.get(Issue, int(composed.stdout.strip()))  # stdout is the id alone, for scripts
    assert (issue.subject, issue.intro, issue.weeks, issue.status) == (
        "Weekly digest",
        "Thanks to our **volunteers**.",
        3,
        "draft",
    )
    assert [item.news_post_id for item in issue.items] == [post.id]
    sent = runner.invoke(args=["newsletter", "send", str(issue.id)])
    assert sent.exit_code == 0 and f"Newsletter {issue.id} queued for 1 subscribers" in sent.output
    db.session.refresh(issue)
    assert issue.status == SCHEDULED
    again = runner.invoke(args=["newsletter", "send", str(issue.id)])
    assert again.exit_code != 0 and "scheduled" in again.output
    assert runner.invoke(args=["newsletter", "send", "99999"]).exit_code != 0
    run_once()
    assert [rcpt for _, rcpt, _ in smtp.messages] == [["resident@example.org"]]


def _compose(app, db):
    result = app.test_cli_runner().invoke(args=["newsletter", "compose", "--team", "ladywood", "--subject", "S"])
    assert result.exit_code == 0, result.output
    issue = db.session.get(Issue, int(result.stdout.strip()))
    return [item.news_post_id for item in issue.items], result.stderr


def test_compose_picks_news_since_the_last_newsletter_or_30_days_whichever_is_longer(app, db, team, make_post,
                                                                                      make_issue):  # fmt: skip
    ancient = make_post("Ancient news")
    ancient.published_at = utcnow() - timedelta(days=45)
    old = make_post("Old news")
    old.published_at = utcnow() - timedelta(days=10)
    carried = make_post("Carried last time")
    carried.published_at = utcnow() - timedelta(days=7)
    earlier = make_issue("Last time")
    earlier.status, earlier.started_at = "sent", utcnow() - timedelta(days=5)
    earlier.items = [IssueItem(news_post=carried, position=0)]
    db.session.commit()
    fresh = make_post("Fresh news")
    # Last issue 5 days ago: the 30 days reach further back, and what the last issue carried is not repeated.
    chosen, said = _compose(app, db)
    assert chosen == [fresh.id, old.id]
    assert said.startswith("Newsletter ") and "2 news posts from the last 30 days (since " in said
    assert "leaving out any the last newsletter" in said
    # Last issue 60 days ago: news since then, older than 30 days included.
    earlier.started_at = utcnow() - timedelta(days=60)
    db.session.commit()
    chosen, said = _compose(app, db)
    assert chosen == [fresh.id, old.id, ancient.id] and "3 news posts since the last newsletter (" in said
    # A team's first newsletter: the last 30 days.
    db.session.delete(earlier)
    db.session.commit()
    chosen, said = _compose(app, db)
    assert chosen == [fresh.id, carried.id, old.id] and "3 news posts from the last 30 days" in said


def test_unconfirmed_requests_expire_after_7_days(app, db, team, subscribe):
    now = utcnow()
    request_subscription("old@example.org", [team], [], now=now - timedelta(days=8))
    request_subscription("recent@example.org", [team], [], now=now - timedelta(days=6))
    kept = subscribe("confirmed@example.org", team=team)
    stale = db.session.scalar(db.select(Subscriber).where(Subscriber.email == "old@example.org"))
    stale.created_at = now - timedelta(days=8)
    db.session.commit()
    assert expire(now) == 2  # the subscription and then the address
    emails = set(db.session.scalars(db.select(Subscriber.email)))
    assert emails == {"recent@example.org", "confirmed@example.org"}
    assert db.session.scalar(db.select(db.func.count(Subscription.id))) == 2
    assert kept.id in set(db.session.scalars(db.select(Subscriber.id)))


def test_unsubscribed_addresses_are_deleted_after_30_days(db, team, officer, subscribe, make_issue, smtp):
    from engagement.newsletter.issues import schedule

    gone = subscribe("gone@example.org", team=team)
    schedule(make_issue(), actor=officer)
    db.session.commit()
    run_once()
    unsubscribe(gone, now=utcnow() - timedelta(days=31))
    gone.created_at = utcnow() - timedelta(days=60)
    db.session.commit()
    assert expire() == 1
    assert db.session.scalar(db.select(db.func.count(Subscriber.id))) == 0
    assert db.session.scalar(db.select(db.func.count(Delivery.id))) == 0
