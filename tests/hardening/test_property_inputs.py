"""Issue 13: arbitrary text, control characters and huge numbers sent to every public GET URL's query
string and to every public form never give a 5xx, and a refused form writes no row.

Property-based (hypothesis) over the demo data, so the URLs lead to real teams, dates, surveys and
bookings. Rate limits are off here (they are tested in test_rate_limits.py); the audit log is left
out of "no row written" because a refused sign-in is audited on purpose.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.conftest import csrf_token

CONTROL = "".join(chr(c) for c in [*range(0, 32), 127, 0x85, 0x9F])
NASTY = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=CONTROL + "abc<>&'\"%;:/\\", max_size=20),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["", " ", "9" * 30, "-1", "0", "1e309", "NaN", "9999-12-31", "0001-01-01", "2026-02-30",
                     "\x00", "%00", "../../etc/passwd", "' OR 1=1 --", "<script>alert(1)</script>", "\u202e"]),
)  # fmt: skip
PARAM_NAMES = ["q", "page", "per_page", "limit", "team", "type", "area", "from", "to", "from_date", "to_date",
               "postcode", "lang", "all", "status", "month", "cursor", "id", "slug"]  # fmt: skip
SKIP_ENDPOINTS = {"static", "ops.readyz", "ops.metrics"}  # readiness may be 503 by design; metrics is protected


@pytest.fixture
def demo(app, db):
    from engagement.demo.cli import load_demo
    from engagement.extensions import limiter

    load_demo()
    db.session.commit()
    limiter.enabled = False
    yield
    limiter.enabled = app.config["RATELIMIT_ENABLED"]


def _sample_args(db) -> dict[str, object]:
    from engagement.events.models import Occurrence
    from engagement.news.models import NewsPost
    from engagement.newsletter.models import Issue
    from engagement.signups.links import manage_token
    from engagement.signups.models import Signup
    from engagement.surveys.models import Survey
    from engagement.teams.models import Team

    signup = db.session.scalars(select(Signup).limit(1)).first()
    survey = db.session.scalars(select(Survey).limit(1)).first()
    return {
        "slug": db.session.scalars(select(Team.slug).limit(1)).first(),
        "occurrence_id": db.session.scalars(select(Occurrence.id).limit(1)).first(),
        "post_id": db.session.scalars(select(NewsPost.id).limit(1)).first() or 1,
        "issue_id": db.session.scalars(select(Issue.id).limit(1)).first() or 1,
        "survey_id": survey.id if survey else 1,
        "code": survey.code if survey else "x",
        "token": manage_token(signup) if signup else "x",
    }


def _public_get_urls(app, db) -> list[str]:
    args = _sample_args(db)
    urls = []
    for rule in app.url_map.iter_rules():
        if (
            "GET" not in rule.methods
            or rule.endpoint in SKIP_ENDPOINTS
            or rule.rule.startswith(("/staff", "/speed-watch"))
        ):
            continue
        path = rule.rule
        for argument in rule.arguments:
            path = re.sub(r"<(?:[^:>]+:)?" + re.escape(argument) + ">", str(args.get(argument, "x")), path)
        urls.append(path)
    return sorted(set(urls))


def _row_counts(db) -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
        if table.name not in ("audit_entries", "audit_log")
    }


HYPOTHESIS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


def _public_forms(db) -> list[tuple[str, list[str]]]:
    args = _sample_args(db)
    return [
        (f"/events/{args['occurrence_id']}/sign-up", ["name", "email", "phone", "places", "access_needs", "consent",
                                                      "request_key", "consent_version", "website"]),
        ("/subscribe/email", ["email", "teams", "consent"]),
        (f"/surveys/{args['survey_id']}", ["email", "name", "consent", "q1", "answer", "page"]),
        (f"/teams/{args['slug']}/speed-watch/apply", ["name", "email", "phone", "consent", "why"]),
        ("/login", ["email", "password", "remember"]),
        ("/forgot-password", ["email"]),
        ("/manage", ["email"]),
        (f"/bookings/{args['token']}/places", ["places"]),
    ]  # fmt: skip


def test_public_urls_and_forms_never_5xx_and_refusals_write_nothing(app, db, client, demo):
    """One demo load (it takes seconds) serves both properties."""
    urls = _public_get_urls(app, db)
    forms = _public_forms(db)

    @HYPOTHESIS
    @given(data=st.data())
    def get_urls(data):
        url = data.draw(st.sampled_from(urls), label="url")
        params = data.draw(st.dictionaries(st.sampled_from(PARAM_NAMES) | st.text(max_size=8), NASTY, max_size=4))
        response = client.get(url, query_string=params)
        assert response.status_code < 500, (url, params, response.status_code)

    @HYPOTHESIS
    @given(data=st.data())
    def post_forms(data):
        url, fields = data.draw(st.sampled_from(forms), label="form")
        form = data.draw(st.dictionaries(st.sampled_from(fields), NASTY, min_size=1, max_size=len(fields)))
        form["csrf_token"] = csrf_token(client)
        before = _row_counts(db)
        response = client.post(url, data=form)
        db.session.rollback()
        assert response.status_code < 500, (url, form, response.status_code)
        if response.status_code >= 400:
            assert _row_counts(db) == before, (url, form, response.status_code)

    get_urls()
    post_forms()
