"""Issue 13 §6: the rate limits residents meet on sign-up, subscribe and survey forms.

Many residents share one connection (a library PC, a care home's Wi-Fi, an officer's tablet), so
per-IP limits are sized for that (60 an hour, 300 a day), the tight limits count per email address
or phone number, signed-in staff entering residents' details have no per-IP limit (audited), and a
limit hit shows the form again with the answers kept, status 429 and how long to wait. Every test
runs with the in-memory store and again against the real Redis on this machine (a fresh key prefix
per test), the store production uses.
"""

# ruff: noqa: F811 - the events and sign-up fixtures are imported into this module by name, as pytest needs
from __future__ import annotations

import os
import re
import uuid

import pytest
from sqlalchemy import func, select

from engagement.core.audit import AuditEntry
from engagement.core.mail import OutboxMessage
from engagement.extensions import limiter
from engagement.newsletter.models import Subscriber
from engagement.signups.models import Signup
from engagement.surveys.models import Response
from tests.conftest import IsolatedClient, csrf_token, login, make_test_app
from tests.events.conftest import make_event, officer, team, types, venue  # noqa: F401 - fixtures
from tests.signups.conftest import make_date  # noqa: F401 - fixture

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SHARED_PER_HOUR = 60


@pytest.fixture(params=["memory", "redis"])
def browsers(request, app, database_url, tmp_path):
    """A factory of test browsers (all from 127.0.0.1) on an app whose limits use the store named."""
    if request.param == "memory":
        yield app.test_client
        return
    yield from _redis_browsers(database_url, tmp_path)


def _redis_browsers(database_url, tmp_path):
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.exceptions.ConnectionError:
        reason = f"Redis is not running at {REDIS_URL}"
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(reason + " (REQUIRE_REDIS=1)")
        pytest.skip(reason)
    prefix = f"engagement-test-{uuid.uuid4().hex[:12]}"
    # One Limiter object serves every app in the run; building an app points it at that app's store, so
    # put back the store (and the key prefix, which flask-limiter only ever sets once) afterwards.
    saved = limiter._storage, limiter._limiter, limiter._key_prefix
    limiter._key_prefix = ""
    built = make_test_app(database_url, tmp_path, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
    built.test_client_class = IsolatedClient
    try:
        yield built.test_client
        assert server.keys(f"*{prefix}*"), "the limits were not counted in Redis"
    finally:
        for key in server.scan_iter(f"*{prefix}*"):
            server.delete(key)
        limiter._storage, limiter._limiter, limiter._key_prefix = saved


def count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def fields(html: str) -> dict:
    return dict(re.findall(r'name="(csrf_token|request_key|consent_version)" type="hidden" value="([^"]*)"', html))


class Resident:
    """One browser on the shared connection, filling in the sign-up form like a person would."""

    def __init__(self, client, row):
        self.client, self.row = client, row

    def sign_up(self, **data):
        page = self.client.get(f"/events/{self.row.id}/sign-up").get_data(as_text=True)
        values = fields(page) | {"name": "Ada Lovelace", "email": "ada@example.org", "places": "1"} | data
        return self.client.post(f"/events/{self.row.id}/sign-up", data=values)

    def post(self, token, **data):
        """A quick POST without fetching the form first (the CSRF token is per session)."""
        return self.client.post(f"/events/{self.row.id}/sign-up", data={"csrf_token": token, **data})


def _assert_form_kept(response, *typed: str):
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "There is a problem" in page and "Your answers are still here" in page
    assert re.search(r"wait (a minute|\d+ minutes|\d+ hours), then press the button again", page)
    for value in typed:
        assert f'value="{value}"' in page or f"{value}</textarea>" in page, value
    assert 0 < int(response.headers["Retry-After"]) <= 86400


# --- sign-up ---------------------------------------------------------------------------------------


def test_a_busy_shared_computer_signs_up_many_residents(db, browsers, make_date):
    row = make_date(capacity=40)
    pc = browsers()
    statuses = [Resident(pc, row).sign_up(name=f"Resident {n}", email=f"resident{n}@example.org").status_code
                for n in range(25)]  # fmt: skip
    assert statuses == [302] * 25
    assert count(db, Signup) == 25


def test_the_per_ip_limit_still_stops_a_flood_and_keeps_what_was_typed(db, browsers, make_date):
    row = make_date()
    pc = browsers()
    token = csrf_token(pc)
    flood = [Resident(pc, row).post(token, email=f"bot{n}@example.org").status_code for n in range(SHARED_PER_HOUR)]
    assert flood == [400] * SHARED_PER_HOUR  # incomplete forms: counted per IP, nothing stored
    response = Resident(pc, row).sign_up(name="Grace Hopper", email="grace@example.org", phone="0121 496 0000",
                                         access_needs="Step-free access please")  # fmt: skip
    _assert_form_kept(response, "Grace Hopper", "grace@example.org", "0121 496 0000", "Step-free access please")
    assert "Many sign-ups have been sent from this internet connection" in response.get_data(as_text=True)
    assert count(db, Signup) == 0


def test_one_email_address_is_limited_whatever_its_case(db, browsers, make_date):
    row = make_date()
    pc = browsers()
    spellings = ["ada@example.org", "ADA@example.org", "Ada@Example.org", "ada@EXAMPLE.ORG", " ada@example.org "]
    assert [Resident(pc, row).sign_up(email=email).status_code for email in spellings] == [302] * 5
    response = Resident(pc, row).sign_up(email="aDa@example.org", name="Ada Again")
    _assert_form_kept(response, "Ada Again", "aDa@example.org")
    assert "This email address or phone number has been used to sign up several times" in response.get_data(
        as_text=True
    )
    # The next resident on the same computer is not held up by Ada's address.
    assert Resident(pc, row).sign_up(email="charles@example.org", name="Charles Babbage").status_code == 302
    assert count(db, Signup) == 2


def test_one_phone_number_is_limited_however_it_is_written(db, browsers, make_date):
    row = make_date()
    pc = browsers()
    phones = ["0121 496 0000", "01214960000", "+44 121 496 0000", "0121-496-0000", "(0121) 496 0000"]
    statuses = [Resident(pc, row).sign_up(email=f"p{n}@example.org", phone=p).status_code for n, p in enumerate(phones)]
    assert statuses == [302] * 5
    response = Resident(pc, row).sign_up(email="p9@example.org", phone="+44 121 496 0000")
    _assert_form_kept(response, "p9@example.org", "+44 121 496 0000")


def test_fixing_typos_never_counts_against_the_person(db, browsers, make_date):
    row = make_date()
    pc = browsers()
    typos = [Resident(pc, row).sign_up(email="ada@example.org", name="").status_code for _ in range(8)]
    assert typos == [400] * 8
    assert Resident(pc, row).sign_up(email="ada@example.org").status_code == 302


def test_staff_signing_residents_up_have_no_per_ip_limit_and_are_audited(db, browsers, make_date, officer):
    row = make_date(capacity=100)
    tablet = browsers()
    login(tablet, officer)
    token = csrf_token(tablet)
    assert {Resident(tablet, row).post(token).status_code for _ in range(SHARED_PER_HOUR + 5)} == {400}
    page = tablet.get(f"/events/{row.id}/sign-up").get_data(as_text=True)
    assert "You are signed in as Aisha Khan" in page and "recorded as entered by you" in page
    response = Resident(tablet, row).sign_up(name="Walk-up Resident", email="stall@example.org")
    assert response.status_code == 302
    signup = db.session.scalar(select(Signup))
    assert signup.added_by_id == officer.id
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "signup.entered_by_staff")).all()
    assert entry.actor_id == officer.id and entry.target_id == str(signup.id)
    assert "stall@example.org" not in entry.summary and "Walk-up" not in entry.summary  # no personal data in the log
    # The per-person limit still applies to staff: one address cannot be mailed again and again.
    for _ in range(5):
        Resident(tablet, row).sign_up(name="Walk-up Resident", email="stall@example.org")
    assert Resident(tablet, row).sign_up(name="Walk-up Resident", email="stall@example.org").status_code == 429


# --- newsletter --------------------------------------------------------------------------------------


def _subscribe(client, email, token=None):
    return client.post("/subscribe/email", data={"csrf_token": token or csrf_token(client), "email": email,
                                                 "team": ["ladywood"]})  # fmt: skip


def test_newsletter_shared_computer_per_address_and_answers_kept(db, browsers, team):
    pc = browsers()
    token = csrf_token(pc)
    assert [_subscribe(pc, f"neighbour{n}@example.org", token).status_code for n in range(20)] == [302] * 20
    assert [_subscribe(pc, "Resident@example.org", token).status_code for _ in range(3)] == [302] * 3
    response = _subscribe(pc, "resident@EXAMPLE.org", token)
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and 'value="resident@EXAMPLE.org"' in page
    assert "We have sent several emails to this address in a short time. Wait" in page
    assert 'name="team" value="ladywood"' in page  # the choice of teams is kept too
    assert int(response.headers["Retry-After"]) > 0
    assert count(db, Subscriber) == 21


def test_staff_subscribing_a_resident_is_not_limited_per_ip_and_is_audited(db, browsers, team, officer):
    tablet = browsers()
    login(tablet, officer)
    token = csrf_token(tablet)
    statuses = {_subscribe(tablet, "not an address", token).status_code for _ in range(SHARED_PER_HOUR + 2)}
    assert statuses == {400}
    assert _subscribe(tablet, "street.stall@example.org", token).status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "newsletter.entered_by_staff"))
    assert entry.actor_id == officer.id and "Ladywood" in entry.summary


# --- surveys ------------------------------------------------------------------------------------------


def test_survey_confirmation_limit_keeps_every_answer(db, browsers, team):
    from engagement.surveys.questions import QuestionDetails
    from tests.surveys.conftest import build_survey

    survey = build_survey(db, team, title="Who", mode="identified",
                          questions=[QuestionDetails("short_text", "What would make your street safer?")])  # fmt: skip
    question = survey.questions[0]
    answer = "Better lighting on Monument Road"

    def send(browser):
        return browser.post(f"/surveys/{survey.id}", data={"csrf_token": csrf_token(browser), "page": "2",
                                                           "action": "next", question.field: answer,
                                                           "email": "Same@example.org"})  # fmt: skip

    assert [send(browsers()).status_code for _ in range(3)] == [302] * 3
    response = send(browsers())
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "several confirmation emails to this address" in page and "Your answers are still here" in page
    assert 'value="Same@example.org"' in page and f'value="{answer}"' in page
    assert count(db, OutboxMessage) == 3  # three confirmation emails, no fourth


def test_many_residents_answer_an_anonymous_survey_from_one_connection(db, browsers, team):
    from engagement.surveys.questions import QuestionDetails
    from tests.surveys.conftest import build_survey

    survey = build_survey(db, team, title="One question", questions=[QuestionDetails("yesno", "Is it dark?")])
    field = survey.questions[0].field
    codes = []
    for _ in range(25):  # each resident in their own browser (one response per browser)
        browser = browsers()
        codes.append(browser.post(f"/surveys/{survey.id}", data={"csrf_token": csrf_token(browser), "page": "1",
                                                                 "action": "next", field: "yes"}).status_code)  # fmt: skip
    assert codes == [302] * 25 and count(db, Response) == 25


# --- pages that are not forms -------------------------------------------------------------------------


def test_other_limits_say_how_long_to_wait(client, make_user):
    user = make_user(password="a-long-password")
    token = csrf_token(client)
    for _ in range(11):
        response = client.post("/login", data={"csrf_token": token, "email": user.email, "password": "wrong-one-x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Too many attempts" in page and re.search(r"Wait (a minute|\d+ minutes), then try again", page)
