"""Issue 14 item 7: the audit log filtered by person, action (in words) and dates, its codes spelled out."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engagement.core import audit, audit_actions
from engagement.core.audit import AuditEntry
from engagement.extensions import db as _db

ROOT = Path(__file__).resolve().parents[2] / "engagement"


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", display_name="Ada Admin", email="ada@example.org")


@pytest.fixture
def entries(db, admin, make_user):
    officer = make_user(role="officer", display_name="Priya Sharma", email="p.sharma@example.org")
    db.session.execute(db.delete(AuditEntry))  # only the entries below (making users records some)
    rows = [
        ("export.signups", officer, datetime(2026, 3, 2, 23, 30, tzinfo=UTC), "Exported 12 row(s) as CSV"),
        ("user.login", officer, datetime(2026, 3, 3, 8, 0, tzinfo=UTC), "Signed in"),
        ("user.login_failed", None, datetime(2026, 3, 3, 9, 0, tzinfo=UTC), "Wrong password"),
        ("team.update", admin, datetime(2026, 3, 4, 10, 0, tzinfo=UTC), "Ladywood"),
        ("user.login", admin, datetime(2026, 7, 1, 22, 30, tzinfo=UTC), "Signed in"),  # 23:30 on 1 July, London
    ]
    for code, actor, at, summary in rows:
        entry = audit.record(code, actor=actor, summary=summary, actor_label=None if actor else "someone@example.org")
        entry.at = at
    db.session.commit()
    return rows


def actions_in(page) -> list[str]:
    return [entry.action for entry in page.items]


def test_filter_by_person_name_or_email_words(app, entries):
    by_name = audit.recent_entries(filters=audit.AuditFilter(person="priya"))
    assert sorted(actions_in(by_name)) == ["export.signups", "user.login"]
    by_email = audit.recent_entries(filters=audit.AuditFilter(person="SOMEONE@"))
    assert actions_in(by_email) == ["user.login_failed"]
    assert audit.recent_entries(filters=audit.AuditFilter(person="%")).total == 0  # a wildcard is a character


def test_a_chosen_action_matches_exactly_and_a_family_matches_all_of_it(app, entries):
    assert actions_in(audit.recent_entries(filters=audit.AuditFilter(action="user.login"))) == ["user.login"] * 2
    family = audit.recent_entries(filters=audit.AuditFilter(action="user."))
    assert sorted(actions_in(family)) == ["user.login", "user.login", "user.login_failed"]


def test_dates_are_london_days_both_ends_included(app, entries):
    march_3 = audit.recent_entries(
        filters=audit.AuditFilter(date_from=datetime(2026, 3, 3).date(), date_to=datetime(2026, 3, 3).date())
    )
    assert sorted(actions_in(march_3)) == ["user.login", "user.login_failed"]  # 23:30 UTC on 2 March is 2 March
    july_1 = audit.recent_entries(filters=audit.AuditFilter(date_from=datetime(2026, 7, 1).date()))
    assert actions_in(july_1) == ["user.login"]
    july_2 = audit.recent_entries(filters=audit.AuditFilter(date_from=datetime(2026, 7, 2).date()))
    assert july_2.total == 0  # 22:30 UTC on 1 July is still 1 July in London (BST)


def test_the_page_filters_in_words_and_keeps_the_filter_on_every_page(client, entries, admin, login_as, db):
    login_as(admin)
    page = client.get("/staff/audit?person=priya&action=export.signups").get_data(as_text=True)
    assert '<option value="export.signups" selected>Exported sign-ups</option>' in page
    assert "Exported 12 row(s) as CSV" in page and "Signed in</td>" not in page
    assert "Priya Sharma" in page and 'data-label="Details"' in page
    for n in range(60):
        audit.record("user.login", actor=admin, summary=f"login {n}")
    db.session.commit()
    first = client.get("/staff/audit?person=ada&action=user.login").get_data(as_text=True)
    next_link = re.search(r'rel="next" href="([^"]+)"', first).group(1)
    assert "page=2" in next_link and "person=ada" in next_link and "action=user.login" in next_link


def test_bad_dates_are_reported_field_by_field_and_keep_the_answers(client, entries, admin, login_as):
    login_as(admin)
    response = client.get("/staff/audit?from=2026-02-30&to=yesterday&person=priya")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert page.count('class="error-message"') == 2
    assert '<a href="#from">' in page and '<a href="#to">' in page
    assert 'value="priya"' in page and 'value="2026-02-30"' in page
    backwards = client.get("/staff/audit?from=2026-03-05&to=2026-03-01").get_data(as_text=True)
    assert "must be the same as or after the from date" in backwards


def test_an_older_link_with_a_prefix_still_filters(client, entries, admin, login_as):
    login_as(admin)
    page = client.get("/staff/audit?action=team").get_data(as_text=True)
    assert "Ladywood" in page and "Wrong password" not in page


def _recorded_codes() -> set[str]:
    """Every literal action code the source records: audit.record(...) and the exports' audit_export(...)."""
    codes = set()
    for path in ROOT.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"record\(\s*\"([a-z_.]+)\"(?:\s+if\s+\w+\s+else\s+\"([a-z_.]+)\")?", text):
            codes.update(code for code in match.groups() if code)
        for match in re.finditer(r"(?:audit_export|_send)\(\s*\"([a-z_.]+)\"", text):
            codes.add(f"export.{match.group(1)}")
    return codes


def test_every_recorded_action_has_words():
    codes = _recorded_codes()
    assert {"user.login", "export.signups", "team.create"} <= codes  # the scan itself works
    missing = sorted(code for code in codes if code not in audit_actions.WORDS)
    assert not missing, f"Add words for these audit actions to engagement/core/audit_actions.py: {missing}"


def test_an_unknown_code_is_still_shown_in_words():
    assert audit_actions.describe("team.merge") == "Teams: merge"
    assert audit_actions.describe("privacy.retention.signups") == (
        "Deleted records past their retention period (signups)"
    )


def test_the_filter_query_is_one_page_at_a_time(app, entries, admin):
    for n in range(120):
        audit.record("user.login", actor=admin, summary=f"login {n}")
    _db.session.commit()
    page = audit.recent_entries(filters=audit.AuditFilter(action="user.login"), page=2)
    assert len(page.items) == 50 and page.pages == 3
    assert _db.session.scalar(_db.select(_db.func.count(AuditEntry.id))) == 125
