"""Issue 13 §3: a NUL or other control character anywhere in a request is a 400, never a 500 (PostgreSQL refuses NUL)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.conftest import csrf_token

BAD = ["\x00", "\x07", "a\x1bb", "\x7f", "x\u0085y"]


def _get_urls(app, value: str) -> list[str]:
    """Every GET rule, with each string argument set to `value` and each number to 1, plus a bad query string."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.endpoint == "ops.readyz":
            continue  # /readyz answers 503 by design when the schema is not at the migrations' head
        path = rule.rule
        for argument in rule.arguments:
            converter = type(rule._converters[argument]).__name__
            replacement = "1" if "Integer" in converter else quote(value, safe="")
            # rule text looks like <int(min=1):id> or <slug> or <path:name>
            path = re.sub(r"<(?:[^:>]+:)?" + re.escape(argument) + ">", replacement, path)
        urls.append(path)
    return sorted(set(urls))


def test_nul_in_every_get_url_path_and_query_is_400(app, client, make_team):
    make_team(name="Ladywood", coverage=["B1"])
    failures = []
    for url in _get_urls(app, "\x00"):
        for target in (url, f"{url}?q=%00&team=%00&page=%00&type=%00&area=%00&from=%00&to=%00"):
            response = client.get(target)
            if response.status_code >= 500:
                failures.append(f"{target}: {response.status_code}")
    assert failures == []


@pytest.mark.parametrize("char", BAD)
def test_control_characters_in_query_and_path_are_refused_with_a_message(app, client, char):
    response = client.get("/?q=" + quote(char, safe=""))
    assert response.status_code == 400
    assert "control characters" in response.get_data(as_text=True)
    assert client.get("/teams/" + quote(char, safe="")).status_code == 400
    api = client.get("/api/v1/events?team=" + quote(char, safe=""))
    assert api.status_code == 400 and "control characters" in api.get_json()["error"]


def test_nul_in_a_form_is_refused_and_nothing_is_written(app, client, db, make_team):
    from sqlalchemy import func, select

    from engagement.core.audit import AuditEntry

    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    response = client.post(
        "/login", data={"csrf_token": csrf_token(client), "email": "a\x00@example.org", "password": "x"}
    )
    assert response.status_code == 400
    assert "control characters" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_multiline_form_text_keeps_tab_cr_and_lf(app):
    from engagement.core.inputs import has_control_characters

    assert not has_control_characters("First paragraph.\r\n\r\n\tSecond.", multiline=True)
    assert has_control_characters("First\x00", multiline=True)
    assert has_control_characters("tab\tin a query")
