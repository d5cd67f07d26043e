"""Residents' lists (issue 14 items 15 and 18, issue 21): what residents can attend by default, the last
page for a page number past the end, and on PostgreSQL a page's ids walking the list index in order."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text

from engagement.core.db import utcnow
from engagement.core.pages import page_of_ids
from engagement.events import queries
from engagement.events.models import Event, EventType
from engagement.newsletter.upcoming import upcoming

START = datetime(2030, 3, 5, 18, 0)


@pytest.fixture
def surgery_and_shift(make_event):
    surgery = make_event(START, title="Tea and a chat")
    shift = make_event(START + timedelta(hours=1), title="Speed check on Icknield Street",
                       type_slug="community-speed-watch", signup_mode="volunteers")  # fmt: skip
    return surgery, shift


def test_shifts_residents_cannot_join_stay_out_of_residents_lists(client, team, surgery_and_shift):
    body = client.get("/events").get_data(as_text=True)
    assert "Tea and a chat" in body and "Speed check on Icknield Street" not in body
    assert "1 upcoming event." in body
    team_page = client.get(f"/teams/{team.slug}").get_data(as_text=True)
    assert "Tea and a chat" in team_page and "Speed check on Icknield Street" not in team_page
    coming_up = [row.event.title for row in upcoming([team.id])]
    assert coming_up == ["Tea and a chat"]  # the newsletter's "Coming up" and the team events feed


def test_a_filter_shows_the_shifts(client, surgery_and_shift):
    asked = client.get("/events?show=shifts").get_data(as_text=True)
    assert "Tea and a chat" in asked and "Speed check on Icknield Street" in asked
    assert 'name="show" type="checkbox" value="shifts"' in asked and "checked" in asked
    by_type = client.get("/events?type=community-speed-watch").get_data(as_text=True)
    assert "Speed check on Icknield Street" in by_type and "Tea and a chat" not in by_type


def test_the_api_keeps_every_public_date(client, surgery_and_shift):
    items = client.get("/api/v1/events?from=2030-03-01").get_json()["items"]
    assert [(i["title"], i["signup_mode"]) for i in items] == [
        ("Tea and a chat", "optional"),
        ("Speed check on Icknield Street", "volunteers"),
    ]


def test_a_page_past_the_end_goes_to_the_last_page_with_the_filters(client, team, make_event):
    for n in range(45):  # three pages of 20
        make_event(START + timedelta(hours=n), title=f"Surgery {n:02d}")
    reply = client.get(f"/events?page=999&team={team.slug}")
    assert reply.status_code == 302
    assert reply.headers["Location"].endswith(f"/events?team={team.slug}&page=3")
    last = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert "45 upcoming events, page 3 of 3." in last and "Surgery 44" in last and "Surgery 39" not in last
    assert client.get("/events?page=3").status_code == 200
    empty = client.get("/events?page=5&type=public-meeting")  # nothing at all: the first page says so
    assert empty.status_code == 302 and empty.headers["Location"].endswith("/events?type=public-meeting")


def test_a_list_longer_than_the_count_looks_says_more_than(db, make_event):
    for n in range(8):
        make_event(START + timedelta(hours=n), title=f"Surgery {n}")
    first = page_of_ids(queries.public_ids(utcnow()), page=1, per_page=2, count_ahead=3)
    assert first.total is None and first.pages is None and first.has_next and first.more_than == 3
    deep = page_of_ids(queries.public_ids(utcnow()), page=3, per_page=2, count_ahead=4)
    assert deep.total == 8 and deep.pages == 4 and deep.has_next  # counted up to offset + 4: all of them
    past = page_of_ids(queries.public_ids(utcnow()), page=9, per_page=2, count_ahead=3)
    assert past.beyond_end and past.last_page == 4


def _plan_nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _plan_nodes(child)


def test_the_page_walks_the_list_index_on_postgresql(app, db):
    """Whatever the statistics (fresh tables have none), the ids come off ix_occurrences_list in order:
    no sort of every upcoming date, on /events and on a filtered list."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the plan is PostgreSQL's; SQLite walks the same index (EXPLAIN QUERY PLAN differs)")
    from tests.support.scale_data import load

    load(db, events=300, dates_per_event=10)  # 3,000 dates
    statements = {
        "all": queries.public_ids(utcnow()),
        "type": queries.public_ids(
            utcnow(), events=(Event.event_type_id.in_(select(EventType.id).where(EventType.slug == "police-surgery")),)
        ),  # fmt: skip
    }
    for stats in ("fresh", "analyzed"):
        if stats == "analyzed":
            db.session.execute(text("ANALYZE occurrences; ANALYZE events; ANALYZE teams"))
        for name, query in statements.items():
            sql = query.limit(21).compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
            raw = db.session.execute(text(f"EXPLAIN (FORMAT JSON) {sql}")).scalar()
            plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]
            nodes = list(_plan_nodes(plan["Plan"]))
            used = {node.get("Index Name") for node in nodes}
            assert "ix_occurrences_list" in used, (stats, name, plan)
            assert not any(node["Node Type"] in ("Sort", "Incremental Sort") for node in nodes), (stats, name, plan)
    db.session.rollback()
