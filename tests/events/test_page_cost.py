"""A date's page and its sign-up form cost one or two statements; public pages revalidate; no form, no cookie.

Issue 21 item 4. Statements are counted on both engines: the main one and the autocommit read
engine the page cache's key is read through (core.http_cache.read_engine).
"""

from __future__ import annotations

import re
from contextlib import ExitStack

from engagement.core.http_cache import read_engine
from tests.events.conftest import make_event, officer, team, types, venue  # noqa: F401
from tests.signups.conftest import book, make_date  # noqa: F401
from tests.support.queries import count_queries


def statements(db, client, url, **kwargs):
    """(response, statements sent on either engine) for one GET."""
    with ExitStack() as stack:
        seen = [stack.enter_context(count_queries(engine)) for engine in {db.engine, read_engine()}]
        response = client.get(url, **kwargs)
    return response, [s for part in seen for s in part]


def test_a_date_page_costs_two_statements_then_one_and_the_form_one(db, client, make_date, book, officer, login_as):  # noqa: F811 - fixtures
    row = make_date(capacity=2, most=2, title="Cuppa with a Copper")
    book(row, places=2)
    book(row)  # the date is full: this one waits, and the page says so (the batched figures)
    page = f"/events/{row.id}"
    first, cold = statements(db, client, page)
    again, warm = statements(db, client, page)
    assert first.status_code == again.status_code == 200
    assert len(cold) == 2  # the page's facts (its cache key, with the sections' figures), then the date itself
    assert len(warm) == 1  # the facts only: the body is the cached one
    assert first.get_data() == again.get_data()
    text = again.get_data(as_text=True)
    assert "This event is full." in text and "1 person is on the waiting list." in text

    form, sent = statements(db, client, f"/events/{row.id}/sign-up")
    assert form.status_code == 200 and "Join the waiting list" in form.get_data(as_text=True)
    assert len(sent) == 1  # the date with its places and waiting list in the same statement

    login_as(officer)  # staff see their links: built for them, in one statement, never from the cache
    staff, sent = statements(db, client, page)
    assert "Sign-ups and attendance (staff)" in staff.get_data(as_text=True)
    page_statements = [s for s in sent if "FROM occurrences" in s]  # the rest is loading the signed-in user
    assert len(page_statements) == 1 and "ETag" not in staff.headers and staff.headers["Cache-Control"] == "no-store"


def test_an_unchanged_date_page_answers_304_and_a_booking_changes_it(db, client, make_date, book):  # noqa: F811 - fixtures
    row = make_date(capacity=5, title="Police surgery")
    page = f"/events/{row.id}"
    first = client.get(page)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache" and "Last-Modified" in first.headers
    assert {"Cookie", "Accept-Language"} <= set(first.vary)
    assert "5 places left" in first.get_data(as_text=True)
    not_modified = client.get(page, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not not_modified.get_data()

    book(row, places=2)  # sign-ups change no events counter: the figure is part of the page's key
    changed = client.get(page, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "3 places left" in changed.get_data(as_text=True)

    row.event.title = "Police surgery (moved upstairs)"  # an edit bumps the events version
    db.session.commit()
    assert "moved upstairs" in client.get(page).get_data(as_text=True)


def test_a_page_with_a_flashed_message_is_never_kept_for_the_next_visitor(app, db, client, make_date):  # noqa: F811 - fixtures
    row = make_date(title="Surgery")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Your sign-up is cancelled.")]
    flashed = client.get(f"/events/{row.id}")
    assert "Your sign-up is cancelled." in flashed.get_data(as_text=True) and "ETag" not in flashed.headers
    other = app.test_client()
    assert "Your sign-up is cancelled." not in other.get(f"/events/{row.id}").get_data(as_text=True)


def test_pages_without_a_form_set_no_cookie_and_carry_no_token(db, client, make_date):  # noqa: F811 - fixtures
    row = make_date(title="Surgery")
    for url in ("/", f"/events/{row.id}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.headers.getlist("Set-Cookie"), url
        assert 'name="csrf-token"' not in response.get_data(as_text=True), url
    home = client.get("/", headers={"If-None-Match": client.get("/").headers["ETag"]})
    assert home.status_code == 304
    form = client.get(f"/events/{row.id}/sign-up")  # a POST form: its token, in the session cookie
    assert any(c.startswith("session=") for c in form.headers.getlist("Set-Cookie"))
    token = re.search(r'name="csrf-token" content="([^"]+)"', form.get_data(as_text=True)).group(1)
    assert f'value="{token}"' in form.get_data(as_text=True)
    assert "ETag" not in form.headers  # a page with a token is never cached or shared


def test_a_section_gets_its_figures_from_the_page_statement_and_can_keep_the_page_live(db, client, make_date):  # noqa: F811 - fixtures
    """The hooks contract: a section's columns ride in the page's statement; a truthy "uncached" (a Speed
    Watch shift's staffing) means the page is built for every request and never cached."""
    from sqlalchemy import literal

    from engagement.core import hooks

    row = make_date(title="Surgery")
    seen = []

    def section(occurrence, viewer=None, data=None):
        seen.append(data)
        return "<p>Live section</p>"

    hooks.register_occurrence_section("test-live", section, columns=lambda: {"uncached": literal(True)})
    try:
        first, sent = statements(db, client, f"/events/{row.id}")
        again = client.get(f"/events/{row.id}")
    finally:
        hooks._occurrence_sections.pop("test-live")
        hooks._occurrence_columns.pop("test-live")
    assert "Live section" in first.get_data(as_text=True) and "ETag" not in again.headers
    assert seen == [{"uncached": True}, {"uncached": True}]
    assert len(sent) == 2  # the facts (which said "live"), then the date with every section's figures
