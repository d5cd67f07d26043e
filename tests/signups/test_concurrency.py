"""Nobody is ever overbooked: 60 residents press "Sign up" at the same moment for 10 places.

Real PostgreSQL, real HTTP requests (one Flask test client per thread, so each request has its
own app context, database session and connection), all released together by a barrier.
"""

from __future__ import annotations

import re
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from engagement.core.mail import OutboxMessage
from engagement.extensions import limiter
from engagement.signups.models import CONFIRMED, WAITING, Signup, SignupSlot

RESIDENTS, PLACES, ROUNDS = 60, 10, 3


def _browsers(app, occurrence_id: int, n: int):
    """n residents' browsers with the form loaded: a session cookie and CSRF token (shared, to
    save 59 page loads) and each its own one-time request key, as each page load would give."""
    first = app.test_client()
    page = first.get(f"/events/{occurrence_id}/sign-up").get_data(as_text=True)
    fields = dict(re.findall(r'name="(csrf_token|consent_version)" type="hidden" value="([^"]*)"', page))
    assert set(fields) == {"csrf_token", "consent_version"}, page[:500]
    cookie = first.get_cookie("session")
    browsers = []
    for _ in range(n):
        client = app.test_client()
        client.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
        browsers.append((client, fields | {"request_key": secrets.token_urlsafe(24)}))
    return browsers


def test_sixty_simultaneous_signups_for_ten_places(app, db, make_date):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the concurrency test needs PostgreSQL (SQLite has one writer at a time)")
    limiter.enabled = False  # every thread comes from 127.0.0.1; the per-IP limit is tested elsewhere
    for round_no in range(ROUNDS):
        row = make_date(days=10 + round_no, capacity=PLACES, title=f"Round {round_no}")
        browsers = _browsers(app, row.id, RESIDENTS)
        barrier = threading.Barrier(RESIDENTS)

        def press(n: int):
            client, fields = browsers[n]
            data = fields | {"name": f"Resident {n}", "email": f"r{round_no}-{n}@example.org", "places": "1"}
            barrier.wait()
            response = client.post(f"/events/{row.id}/sign-up", data=data)
            return response.status_code, response.headers.get("Location", "")

        with ThreadPoolExecutor(max_workers=RESIDENTS) as pool:
            results = list(pool.map(press, range(RESIDENTS)))
        assert all(status == 302 and location.endswith("/sign-up/done") for status, location in results), results

        db.session.expire_all()
        rows = db.session.scalars(select(Signup).where(Signup.occurrence_id == row.id)).all()
        confirmed = [s for s in rows if s.status == CONFIRMED]
        waiting = [s for s in rows if s.status == WAITING]
        assert len(rows) == RESIDENTS
        assert sum(s.places for s in confirmed) == PLACES and len(confirmed) == PLACES
        assert len(waiting) == RESIDENTS - PLACES
        assert sorted(s.queue_no for s in waiting) == list(range(1, RESIDENTS - PLACES + 1))
        assert all(s.queue_no is None for s in confirmed)
        assert db.session.get(SignupSlot, row.id).confirmed == PLACES
        sent = db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.to_addr.like(f"r{round_no}-%"))
        )
        assert sent == RESIDENTS  # one confirmation or waiting-list email each
