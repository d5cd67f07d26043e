"""Issue 13 §2: whole numbers in a query string past the database's integer range are a 400, app-wide."""

from __future__ import annotations

import pytest

HUGE = ["9223372036854775808", "2147483648", "-2147483649", "1" + "0" * 400]


def _list_urls(app) -> list[str]:
    """Every GET URL without path arguments (the list pages, feeds and API)."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint not in ("static", "ops.readyz")
    )


@pytest.mark.parametrize("value", HUGE)
def test_huge_page_numbers_are_400_on_every_list(app, client, make_team, value):
    make_team(name="Ladywood", coverage=["B1"])
    failures = []
    for url in _list_urls(app):
        response = client.get(f"{url}?page={value}&limit={value}&team={value}")
        if response.status_code != 400:
            failures.append(f"{url}: {response.status_code}")
    assert failures == []


def test_the_message_names_the_parameter(client):
    response = client.get("/events?page=9223372036854775808")
    assert response.status_code == 400
    assert "page" in response.get_data(as_text=True) and "too large" in response.get_data(as_text=True)


def test_numbers_in_range_still_work(client):
    beyond = client.get("/events?page=2147483647")  # past the end: sent to the last page (events list)
    assert beyond.status_code == 302 and client.get(beyond.headers["Location"]).status_code == 200
    assert client.get("/events?page=-3").status_code == 200  # paging clamps to the first page


def test_overlong_query_values_are_refused(client):
    assert client.get("/?q=" + "a" * 5000).status_code == 400
