"""Forms list every problem at once (GOV.UK error summary), not one round per press of the button.

The form's own checks (a required field) used to stop before the service's checks (an email
address's syntax, a venue, vetting) ran, and services stopped at their first problem.
"""

from __future__ import annotations

import re
from datetime import timedelta

from engagement.core.db import utcnow
from engagement.core.errors import DomainError, DomainErrors, FieldChecks
from engagement.events.models import Event
from engagement.signups.models import Signup
from engagement.speedwatch.volunteers import services as volunteers
from engagement.speedwatch.volunteers.models import APPLIED, Volunteer
from tests.events.helpers import form_fields
from tests.signups.conftest import at


def summary(response) -> list[str]:
    """The links of the page's error summary, as (field id, message) pairs."""
    page = response.get_data(as_text=True)
    block = re.search(r'<ul class="error-summary-list">(.*?)</ul>', page, re.DOTALL).group(1)
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', block)


def test_sign_up_with_no_name_and_a_bad_email_lists_both(client, db, team, make_event):
    start = at(10)
    row = make_event(start, start + timedelta(hours=1), now=utcnow(), capacity=5, signup_mode="required",
                     max_places_per_signup=2).occurrences[0]  # fmt: skip
    page = client.get(f"/events/{row.id}/sign-up").get_data(as_text=True)
    hidden = dict(re.findall(r'name="(csrf_token|request_key|consent_version)" type="hidden" value="([^"]*)"', page))
    response = client.post(f"/events/{row.id}/sign-up",
                           data=hidden | {"name": "", "email": "ada@", "places": "9"})  # fmt: skip
    assert response.status_code == 400
    fields = dict(summary(response))
    assert fields["name"] == "Enter your name"
    assert fields["email"].startswith("Enter an email address in the correct format")
    assert fields["places"] == "You can book up to 2 places for this event"
    assert db.session.scalar(db.select(db.func.count(Signup.id))) == 0


def test_schedule_form_lists_title_date_and_venue_together(client, db, login_as, post_form, officer, team, types,
                                                           venue):  # fmt: skip
    login_as(officer)
    data = form_fields(team, types, venue, officer, title="", date="", venue="0", start_time="")
    response = post_form("/staff/events/new", data)
    assert response.status_code == 400
    fields = [field for field, _message in summary(response)]
    assert {"title", "date", "venue"} <= set(fields), fields
    # With a date, the missing start time (a check of the typed times) joins the venue in the same round.
    response = post_form("/staff/events/new", form_fields(team, types, venue, officer, venue="0", start_time=""))
    assert {"start_time", "venue"} <= {field for field, _message in summary(response)}
    assert db.session.scalar(db.select(db.func.count(Event.id))) == 0


def test_volunteer_approval_lists_training_date_and_vetting_together(app, client, db, login_as, officer, team):
    applicant = volunteers.apply(team, name="Pat Jones", email="pat@example.org", phone="07700 900123", consent=True)
    db.session.commit()
    login_as(officer)
    url = f"/staff/speed-watch/volunteers/{applicant.id}/approve"
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    future = (utcnow() + timedelta(days=30)).strftime("%d/%m/%Y")
    response = client.post(url, data={"csrf_token": token, "training_date": "", "vetting_date": future})
    assert response.status_code == 400
    assert dict(summary(response)) == {
        "training_date": "Enter the date of the training, for example 14/3/2027",
        "vetting_done": "Confirm that vetting has been done before approving",
        "vetting_date": "The vetting date cannot be in the future",
    }
    assert db.session.get(Volunteer, applicant.id).status == APPLIED


def test_field_checks_collect_field_errors_and_raise_others_at_once():
    def refuse(message, field=None):
        raise DomainError(message, field=field)

    checks = FieldChecks()
    assert checks(lambda: 3) == 3
    assert checks(refuse, "Enter a name", "name") is None
    checks(refuse, "Enter a date", "date")
    try:
        checks.done()
    except DomainErrors as exc:
        assert [(e.field, e.message) for e in exc.errors] == [("name", "Enter a name"), ("date", "Enter a date")]
    else:
        raise AssertionError("no DomainErrors")
    try:
        checks(refuse, "This event is not open for sign-up.")
    except DomainError as exc:
        assert exc.field is None
    else:
        raise AssertionError("a DomainError without a field must not be collected")


def test_news_and_newsletter_forms_list_every_problem_together(client, db, login_as, post_form, officer, team):
    login_as(officer)
    news = post_form("/staff/news/new", {"scope": f"team:{team.id}", "title": "", "summary": "",
                                         "body": "<b>Hi</b>", "action": "save"})  # fmt: skip
    assert news.status_code == 400
    assert {"title", "summary", "body"} <= {field for field, _message in summary(news)}
    letter = post_form("/staff/newsletters/new", {"scope": f"team:{team.id}", "subject": "",
                                                  "intro": "<script>x</script>", "weeks": "12"})  # fmt: skip
    assert letter.status_code == 400
    assert {"subject", "intro", "weeks"} <= {field for field, _message in summary(letter)}
