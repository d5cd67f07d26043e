"""Every retention rule with an injected clock: a day before its period ends the record stays, a day after it
is gone, and a second run removes nothing more. The daily pass audits each rule and the staff page shows it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engagement.core import audit
from engagement.core.audit import AuditEntry
from engagement.core.db import utcnow
from engagement.core.mail import SENT, OutboxMessage, queue_email
from engagement.core.personal_data import Suppression, retention_rules
from engagement.extensions import db as _db
from engagement.newsletter.models import Subscriber
from engagement.newsletter.subscriptions import confirm, request_subscription, unsubscribe
from engagement.privacy import retention
from engagement.privacy.models import RequestLink
from engagement.signups.models import Signup
from engagement.signups.services import sign_up
from engagement.speedwatch.returns.models import SessionReturn, Vehicle
from engagement.speedwatch.volunteers.models import DECLINED, Volunteer
from engagement.surveys.models import COMPLETE, IDENTIFIED, Response
from engagement.surveys.services import SurveyDetails, save_survey
from tests.privacy.helpers import make_event
from tests.privacy.test_retention_more import BUILDERS as MORE_BUILDERS


def _rule(name):
    return next(r for r in retention_rules() if r.name == name)


def _count(query) -> int:
    return _db.session.scalar(select(func.count()).select_from(query.subquery()))


# Each builder makes one record and returns (the moment its period starts, a query for it still holding data).
def _signups(team):
    row = make_event(team, days=-200)
    sign_up(row, name="Ann Old", email="ann.old@example.org", now=row.starts_at - timedelta(days=3))
    return row.ends_at, select(Signup).where(Signup.email.is_not(None))


def _signups_waiting(team):
    row = make_event(team, days=-200, capacity=1)
    early = row.starts_at - timedelta(days=3)
    sign_up(row, name="First Person", email="first@example.org", now=early)
    sign_up(row, name="Wait Ing", email="waiting@example.org", now=early)
    return row.ends_at, select(Signup).where(Signup.status == "waiting", Signup.email.is_not(None))


def _newsletter_unconfirmed(team):
    now = utcnow()
    request_subscription("unconfirmed@example.org", [team], [], now=now)
    return now, select(Subscriber).where(Subscriber.email == "unconfirmed@example.org")


def _newsletter_unsubscribed(team):
    now = utcnow()
    subscriber = request_subscription("left@example.org", [team], [], now=now)
    confirm(subscriber, now=now)
    unsubscribe(subscriber, now=now)
    return now, select(Subscriber).where(Subscriber.email == "left@example.org")


def _survey_contact(team):
    now = utcnow()
    survey = save_survey(None, SurveyDetails(title="Old survey", team=team, mode=IDENTIFIED, opens_at=now - timedelta(days=9),
                                             closes_at=now + timedelta(days=1)), actor=None)  # fmt: skip
    _db.session.add(Response(survey_id=survey.id, status=COMPLETE, email="answered@example.org", completed_at=now))
    survey.closes_at = now
    return now, select(Response).where(Response.email.is_not(None))


def _speedwatch_declined(team):
    now = utcnow()
    _db.session.add(Volunteer(team_id=team.id, name="Dee Clined", email="declined@example.org", phone="07700900999",
                              status=DECLINED, applied_at=now - timedelta(days=5), decided_at=now))  # fmt: skip
    return now, select(Volunteer).where(Volunteer.status == DECLINED)


def _speedwatch_returns(team):
    now = utcnow()
    ret = SessionReturn(team_id=team.id, site_name="Monument Road", speed_limit=30, started_at=now - timedelta(hours=1),
                        ended_at=now)  # fmt: skip
    ret.vehicles.append(Vehicle(registration="AB12CDE", speed_mph=41, seen_at=now - timedelta(minutes=30)))
    _db.session.add(ret)
    return now, select(Vehicle)


def _outbox_bodies(team):
    now = utcnow()
    message = queue_email("someone@example.org", "Your place", "Dear Someone")
    message.status, message.sent_at = SENT, now
    return now, select(OutboxMessage).where(func.length(OutboxMessage.raw) > 0)


def _outbox_rows(team):
    now = utcnow()
    message = queue_email("someone@example.org", "Your place", "Dear Someone")
    message.status, message.sent_at, message.created_at = SENT, now, now
    return now, select(OutboxMessage)


def _login_records(team):
    now = utcnow()
    entry = audit.record("user.login_failed", actor_label="typed@example.org", summary="wrong email or password")
    entry.at = now
    return now, select(AuditEntry).where(AuditEntry.action == "user.login_failed")


def _audit_log(team):
    now = utcnow()
    entry = audit.record("team.update", summary="Changed Ladywood")
    entry.at = now
    return now, select(AuditEntry).where(AuditEntry.action == "team.update")


def _privacy_links(team):
    now = utcnow()
    _db.session.add(RequestLink(created_at=now))
    return now, select(RequestLink)


def _text_replies(team):
    from engagement.newsletter.text_models import TextReply

    now = utcnow()
    _db.session.add(TextReply(team_id=team.id, mobile="+447700900123", content="Thanks", received_at=now))
    return now, select(TextReply)


BUILDERS = {
    "signups": _signups,
    "signups-waiting": _signups_waiting,
    "newsletter-unconfirmed": _newsletter_unconfirmed,
    "newsletter-unsubscribed": _newsletter_unsubscribed,
    "survey-contact": _survey_contact,
    "speedwatch-declined": _speedwatch_declined,
    "speedwatch-returns": _speedwatch_returns,
    "outbox-bodies": _outbox_bodies,
    "outbox-rows": _outbox_rows,
    "login-records": _login_records,
    "audit-log": _audit_log,
    "privacy-links": _privacy_links,
    "text-replies": _text_replies,
}


def test_every_registered_rule_is_tested_here(app):
    assert sorted(r.name for r in retention_rules()) == sorted({**BUILDERS, **MORE_BUILDERS})


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_rule_keeps_until_its_day_then_removes_once(app, db, make_team, name):
    rule = _rule(name)
    start, holding = BUILDERS[name](make_team(name="Ladywood", coverage=["B16"]))
    db.session.commit()
    assert _count(holding) == 1

    kept = rule.apply(start + timedelta(days=rule.days() - 1))
    db.session.expire_all()
    assert _count(holding) == 1, f"{name} removed a record a day early: {kept}"

    removed = rule.apply(start + timedelta(days=rule.days() + 1))
    db.session.expire_all()
    assert _count(holding) == 0 and sum(removed.values()) >= 1, removed

    assert sum(rule.apply(start + timedelta(days=rule.days() + 1)).values()) == 0


def test_an_unsubscribed_address_keeps_only_its_suppression_hash(app, db, make_team):
    from engagement.core.personal_data import is_suppressed

    start, _holding = _newsletter_unsubscribed(make_team(name="Ladywood", coverage=["B16"]))
    db.session.commit()
    _rule("newsletter-unsubscribed").apply(start + timedelta(days=31))
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0
    assert is_suppressed("LEFT@example.org") and not is_suppressed("stayed@example.org")
    hashes = db.session.scalars(select(Suppression.subject_hash)).all()
    assert hashes and all("left" not in h for h in hashes)


def test_the_daily_pass_audits_every_rule_and_the_page_shows_the_last_run(
    app, db, make_team, make_user, login_as, client
):
    team = make_team(name="Ladywood", coverage=["B16"])
    _signups(team)
    db.session.commit()
    later = utcnow() + timedelta(days=400)
    assert retention.run_rules(later) >= 1
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("privacy.retention.%"))).all()
    assert sorted(e.details["rule"] for e in entries) == sorted({**BUILDERS, **MORE_BUILDERS})
    signups_run = next(e for e in entries if e.details["rule"] == "signups")
    assert signups_run.details["counts"] == {"sign-ups blanked": 1}
    assert retention.run_rules(later) == 0  # idempotent: the second pass finds nothing more

    login_as(make_user(role="admin"))
    page = client.get("/staff/privacy/retention").get_data(as_text=True)
    assert "Sign-ups: residents" in page and "SIGNUP_RETENTION_DAYS" in page and "Not run yet" not in page


def test_the_task_is_registered_daily(app):
    from engagement.core.worker import TASKS, period_of

    assert TASKS["privacy-retention"] is retention.run_rules
    assert period_of("privacy-retention") == timedelta(days=1)


def test_a_failing_rule_is_audited_and_the_others_still_run(app, db, monkeypatch):
    from engagement.core import personal_data

    broken = personal_data.RetentionRule("broken", "Broken", lambda: 1, "after", "nothing",
                                         lambda now: 1 / 0, "test")  # fmt: skip
    monkeypatch.setitem(personal_data._rules, "broken", broken)
    retention.run_rules()
    failed = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.retention.broken")).one()
    assert failed.details["failed"] is True
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "privacy.retention.audit-log")) == 1
