"""Role x URL matrix: every /staff and /speed-watch route, walked from app.url_map, as every kind of user.

A new staff route's view must carry `@access(level)` (which records its access level),
be listed in EXPECTED_ACCESS and have sample URL arguments below, or this test fails; an
endpoint listed in EXPECTED_ACCESS that no blueprint routes any more fails it too. Speed Watch volunteers'
own pages (/speed-watch/...) are in the same matrix, with access level "volunteer".
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

from engagement.core.mail import queue_email
from tests.conftest import csrf_token

PREFIXES = ("/staff", "/speed-watch")
# Public URLs under those prefixes: secret-token calendar feeds that calendar apps fetch without a sign-in.
PUBLIC_UNDER_PREFIX = {"speedwatch.rota_feed"}

# Which access levels each kind of user passes. "outsider" is an officer of another team;
# "volunteer" is an approved Speed Watch volunteer of the records' team.
ALLOWED = {
    "admin": {"staff", "team", "coordinator", "admin", "privacy", "account"},
    "coordinator": {"staff", "team", "coordinator", "account"},
    "member": {"staff", "team", "account"},
    "outsider": {"staff", "account"},
    "volunteer": {"volunteer", "account"},
    "privacy": {"privacy", "account"},  # a data protection officer: data-subject requests and retention only
}


def _speedwatch_sample_modules():
    """tests/speedwatch/samples_*.py: each Speed Watch part lists its endpoints and builds its sample records."""
    import tests.speedwatch as package

    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("samples_"))
    return [importlib.import_module(f"tests.speedwatch.{name}") for name in names]


# The reviewed decision for every staff endpoint. A new route must be added here.
EXPECTED_ACCESS = {
    "teams.staff_home": "staff",
    "teams.staff_teams": "staff",
    "teams.staff_team": "team",
    "teams.team_new": "admin",
    "teams.team_edit": "admin",
    "events.import_ics_form": "team",
    "events.import_job": "team",
    "accounts.users": "admin",
    "accounts.user_new": "admin",
    "accounts.user_edit": "admin",
    "accounts.user_two_factor_reset": "admin",
    "accounts.two_factor_setup": "account",
    "accounts.two_factor_new_codes": "account",
    "accounts.two_factor_disable": "account",
    "privacy.requests": "privacy",
    "privacy.download": "privacy",
    "privacy.erase_check": "privacy",
    "privacy.erase": "privacy",
    "privacy.retention": "privacy",
    "core.audit_log": "admin",
    "core.outbox": "admin",
    "core.outbox_message": "admin",
    "core.blocked_numbers": "admin",
    "events.staff_events": "staff",
    "events.event_new": "staff",
    "events.staff_event": "team",
    "events.event_edit": "team",
    "events.event_duplicate": "team",
    "events.event_publish": "team",
    "events.event_cancel": "team",
    "events.occurrence_cancel": "team",
    "events.occurrence_move": "team",
    "events.occurrence_following": "team",
    "events.team_calendar": "team",
    "events.event_types": "admin",
    "events.event_type_new": "admin",
    "events.event_type_edit": "admin",
    "events.venues": "staff",
    "events.venue_new": "staff",
    "events.venue_edit": "team",
    "news.staff_posts": "staff",
    "news.post_new": "staff",
    "news.post_edit": "team",
    "news.post_publish": "team",
    "news.post_unpublish": "team",
    "news.post_delete": "team",
    "feeds.sources": "staff",
    "feeds.source_new": "staff",
    "feeds.source": "team",
    "feeds.source_edit": "team",
    "feeds.source_fetch": "team",
    "feeds.source_delete": "team",
    "feeds.entry_to_news": "team",
    "newsletter.staff_issues": "staff",
    "newsletter.issue_new": "staff",
    "newsletter.staff_issue": "team",
    "newsletter.issue_preview": "team",
    "newsletter.issue_test": "team",
    "newsletter.issue_send": "team",
    "newsletter.issue_cancel": "team",
    "newsletter.text_alerts": "staff",
    "newsletter.text_alert_new": "staff",
    "newsletter.text_replies": "staff",
    "newsletter.text_alert": "team",  # one alert's delivery
    "signups.staff_index": "staff",
    "signups.export_many": "staff",
    "signups.attendees": "team",
    "signups.attendance": "team",
    "signups.walk_in": "team",
    "signups.message": "team",
    "signups.export_one": "team",
    "signups.sign_in_sheet": "team",
    "surveys.staff_surveys": "staff",
    "surveys.survey_new": "staff",
    "surveys.staff_survey": "team",
    "surveys.survey_edit": "team",
    "surveys.survey_translation": "team",  # issue 15: the survey in another language
    "surveys.survey_publish": "team",
    "surveys.survey_close": "team",
    "surveys.survey_copy": "team",
    "surveys.survey_delete": "team",
    "surveys.question_new": "team",
    "surveys.question_edit": "team",
    "surveys.question_move": "team",
    "surveys.question_delete": "team",
    "surveys.survey_results": "team",
    "surveys.text_answers": "team",
    "surveys.export_csv": "team",
    "surveys.export_xlsx": "team",
    "surveys.export_summary": "team",
    "surveys.outcome_edit": "team",
    "surveys.outcome_unpublish": "team",
    "surveys.outcome_news": "team",
    "priorities.staff_priorities": "team",
    "priorities.priority_new": "team",
    "priorities.from_survey": "team",
    "priorities.priority_edit": "team",
    "priorities.action_new": "team",
    "priorities.action_delete": "team",
    "priorities.priority_close": "team",
    "priorities.priority_reopen": "team",
    "priorities.priority_delete": "team",
    "priorities.staff_people": "team",
    "priorities.own_entry": "team",
    "priorities.person_new": "team",
    "priorities.person_edit": "team",
    "priorities.staff_photo": "team",
    "priorities.person_hide": "team",
    "priorities.person_remove": "team",
    "printing.newsletter_print": "team",
}
for _module in _speedwatch_sample_modules():
    EXPECTED_ACCESS.update(_module.EXPECTED_ACCESS)


@pytest.fixture
def world(app, db, make_team, make_user):
    team_a = make_team(name="Ladywood", coverage=["B1"])
    team_b = make_team(name="Foleshill", area="Coventry", coverage=["CV6"])
    users = {
        "admin": make_user(role="admin"),
        "coordinator": make_user(role="coordinator"),
        "member": make_user(role="officer", teams=[team_a]),
        "outsider": make_user(role="officer", teams=[team_b]),
        "volunteer": _approved_volunteer(db, team_a),
        "privacy": make_user(role="privacy"),
    }
    message = queue_email("someone@example.org", "Hello", "Body")
    db.session.commit()
    return {"team": team_a, "users": users, "message": message}


def _approved_volunteer(db, team):
    """A Speed Watch volunteer of `team` with a sign-in (same password as the other users)."""
    from datetime import date, timedelta

    from engagement.accounts.services import create_volunteer_account
    from engagement.core.db import utcnow
    from engagement.speedwatch.volunteers.models import APPROVED, Volunteer

    user = create_volunteer_account(email="matrix.volunteer@example.org", display_name="Matrix Volunteer")
    from engagement.accounts.services import set_password

    set_password(user, "correct-horse-battery")
    today = date.today()
    db.session.add(
        Volunteer(
            team_id=team.id,
            user_id=user.id,
            name="Matrix Volunteer",
            email=user.email,
            status=APPROVED,
            applied_at=utcnow(),
            decided_at=utcnow(),
            training_date=today - timedelta(days=30),
            training_expires=today + timedelta(days=300),
            vetting_done=True,
        )
    )
    db.session.commit()
    return user


@pytest.fixture
def url_samples(world):
    """A value for every URL argument a staff route can take; all records belong to team A.

    Feature packages add their own records here when they add staff routes."""
    from tests.events.helpers import sample_records
    from tests.newsletter.helpers import sample_records as news_samples
    from tests.priorities.helpers import sample_records as priority_samples
    from tests.signups.helpers import sample_records as signup_samples
    from tests.surveys.helpers import sample_records as survey_samples

    return {
        "slug": world["team"].slug,
        "user_id": world["users"]["member"].id,
        "message_id": world["message"].id,
        **sample_records(world["team"]),
        **news_samples(world["team"]),
        **signup_samples(world["team"]),
        **survey_samples(world["team"]),
        **priority_samples(world["team"]),
        **{k: v for module in _speedwatch_sample_modules() for k, v in module.sample_records(world["team"]).items()},
    }


def staff_rules(app):
    rules = (
        r for r in app.url_map.iter_rules() if r.rule.startswith(PREFIXES) and r.endpoint not in PUBLIC_UNDER_PREFIX
    )
    return sorted(rules, key=lambda r: r.rule)


def _request(client, rule, url):
    if "GET" in rule.methods:
        return "GET", client.get(url)
    return "POST", client.post(url, data={"csrf_token": csrf_token(client)})


def test_every_staff_view_declares_access_and_has_samples(app, url_samples):
    rules = staff_rules(app)
    assert len(rules) >= 10
    for rule in rules:
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "access", None), f"{rule.rule}: its view function has no @access(...) declaration"
        missing = set(rule.arguments) - set(url_samples)
        assert not missing, f"{rule.rule}: add sample values for {missing} to url_samples"
        assert EXPECTED_ACCESS.get(rule.endpoint) == view.access, (
            f"{rule.endpoint} declares access {view.access!r}; record the intended level in EXPECTED_ACCESS"
        )


def test_every_expected_endpoint_still_exists(app):
    """The other direction: an endpoint dropped from a blueprint's URL table must not pass silently."""
    routed = {r.endpoint for r in staff_rules(app)}
    assert sorted(set(EXPECTED_ACCESS) - routed) == []


def test_role_by_url_matrix(app, world, url_samples):
    from tests.conftest import login

    failures = []
    rules = staff_rules(app)
    with app.test_request_context():
        from flask import url_for

        urls = [(rule, url_for(rule.endpoint, **{a: url_samples[a] for a in rule.arguments})) for rule in rules]

    anonymous = app.test_client()
    for rule, url in urls:
        method, response = _request(anonymous, rule, url)
        if response.status_code != 302 or "/login" not in response.headers.get("Location", ""):
            failures.append(f"anonymous {method} {url}: {response.status_code}, expected redirect to login")

    for who, user in world["users"].items():
        client = app.test_client()
        login(client, user)
        for rule, url in urls:
            access = app.view_functions[rule.endpoint].access
            method, response = _request(client, rule, url)
            if access in ALLOWED[who]:
                ok = response.status_code == 200 if method == "GET" else response.status_code in (200, 302, 400, 422)
                if not ok:
                    failures.append(f"{who} {method} {url} ({access}): {response.status_code}, expected allowed")
            elif response.status_code != 403:
                failures.append(f"{who} {method} {url} ({access}): {response.status_code}, expected 403")
    assert failures == []


def test_missing_records_are_404_not_500(app, world, login_as, client):
    login_as(world["users"]["admin"])
    assert client.get("/staff/teams/atlantis").status_code == 404
    assert client.get("/staff/users/999999").status_code == 404
    assert client.get("/staff/mail/999999").status_code == 404


def test_huge_ids_are_404_not_500(app, world, login_as, client):
    login_as(world["users"]["admin"])
    assert client.get("/staff/users/99999999999999999999").status_code == 404
    assert client.get("/staff/mail/2147483648").status_code == 404
