"""A resident's language is stored with what they give us, and what we send them afterwards uses it (issue 15)."""

from __future__ import annotations

import re

from engagement.core.db import utcnow
from engagement.extensions import db as _db
from engagement.newsletter.models import Subscriber
from engagement.signups import emails
from engagement.signups.models import Signup
from engagement.speedwatch.volunteers.models import Volunteer
from engagement.surveys.models import Response
from tests.signups.conftest import at, make_date, make_event, officer, team, types, venue  # noqa: F401
from tests.support.outbox import outbox
from tests.surveys.conftest import build_survey


def _sign_up(client, row, **data):
    page = client.get(f"/events/{row.id}/sign-up").get_data(as_text=True)
    fields = dict(re.findall(r'name="(csrf_token|request_key|consent_version)" type="hidden" value="([^"]*)"', page))
    values = fields | {"name": "Nadia Hussain", "email": "nadia@example.org", "places": "1"} | data
    return client.post(f"/events/{row.id}/sign-up", data=values)


def test_a_sign_up_in_urdu_is_stored_and_every_later_email_is_in_urdu(client, db, make_date):  # noqa: F811
    row = make_date(title="Ladywood police surgery")
    client.get("/?lang=ur")  # the resident chose Urdu on the home page (cookie)
    assert _sign_up(client, row).status_code == 302
    signup = db.session.query(Signup).one()
    assert signup.language == "ur"
    confirmation = outbox(db, "nadia@example.org")[-1]
    assert confirmation["Content-Language"] == "ur"
    assert "lang=ur" in confirmation.get_body(("plain",)).get_content()  # its links open in Urdu
    # Later, from a staff page or the worker (no resident request): still Urdu.
    emails.reminder(_db.session.get(Signup, signup.id))  # the test body: an app context, no request
    _db.session.commit()
    reminder = outbox(db, "nadia@example.org")[-1]
    assert reminder["Content-Language"] == "ur" and "Ladywood police surgery" in reminder["Subject"]
    assert not reminder["Subject"].startswith("Reminder")  # the fixed words come from the Urdu catalogue


def test_an_english_resident_gets_english_emails_with_unchanged_links(client, db, make_date):  # noqa: F811
    row = make_date()
    assert _sign_up(client, row, email="ada@example.org").status_code == 302
    assert db.session.query(Signup).one().language == "en"
    message = outbox(db, "ada@example.org")[-1]
    assert message["Content-Language"] == "en-GB" and "lang=" not in message.get_body(("plain",)).get_content()


def test_each_kind_of_resident_record_stores_the_page_language(app, db, team):  # noqa: F811
    survey = build_survey(db, team)
    now = utcnow()
    with app.test_request_context("/newsletter?lang=pl"):
        records = [
            Subscriber(email="pl@example.org"),
            Response(survey_id=survey.id, email="pl@example.org"),
            Volunteer(team_id=team.id, name="Jan Kowalski", email="jan@example.org", applied_at=now),
        ]
        db.session.add_all(records)
        db.session.flush()
        assert [r.language for r in records] == ["pl", "pl", "pl"]
    # Created outside a resident's request (imports, the CLI, the worker): no language, so English.
    later = Subscriber(email="cli@example.org")  # the test body has an app context and no request
    db.session.add(later)
    db.session.flush()
    assert later.language is None
    with app.test_request_context("/staff/teams?lang=ur"):  # a staff page is English, and records no language
        staff_added = Subscriber(email="staff@example.org")
        db.session.add(staff_added)
        db.session.flush()
        assert staff_added.language is None
    db.session.rollback()


def test_the_mixed_direction_event_page_isolates_english_names_and_the_postcode(client, db, make_date):  # noqa: F811
    row = make_date(title="لیڈی ووڈ پولیس سرجری")
    page = client.get(f"/events/{row.id}?lang=ur").get_data(as_text=True)
    assert '<html lang="ur" dir="rtl">' in page
    assert '<h1 lang="en-GB" dir="auto">لیڈی ووڈ پولیس سرجری</h1>' in page  # the original, its direction found from its text
    venue_name = row.venue.name
    assert f"<bdi lang=\"en-GB\">{venue_name}</bdi>" in page  # the officer's English name, isolated
    assert f'<bdi dir="ltr">{row.venue.postcode}</bdi>' in page
