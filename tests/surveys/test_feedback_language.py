"""The feedback email is written in the language the resident signed up in (issue 15)."""

from __future__ import annotations

from datetime import timedelta

from engagement.core.db import utcnow
from engagement.core.worker import run_once
from engagement.surveys.feedback import send_due_feedback
from tests.surveys.test_feedback import feedback_survey, past_event


def test_each_attendee_gets_the_feedback_email_in_their_sign_up_language(app, db, smtp, team):
    from engagement.signups.services import sign_up

    event, etype = past_event(db, team)
    survey = feedback_survey(db, team, event_type=etype)
    occurrence = event.occurrences[0]
    before = utcnow() - timedelta(days=1)
    urdu = sign_up(occurrence, name="Fay", email="fay@example.org", now=before, send_email=False)
    urdu.language = "ur"  # as stored when she signed up on an Urdu page
    sign_up(occurrence, name="Gil", email="gil@example.org", now=before, send_email=False)  # no language: English
    db.session.commit()
    assert send_due_feedback() == 2
    run_once()
    got = {m["To"]: m for m in smtp.parsed()}
    fay, gil = got["fay@example.org"], got["gil@example.org"]
    assert fay["Content-Language"] == "ur" and gil["Content-Language"] == "en-GB"
    body = fay.get_body(("plain",)).get_content()
    assert body.startswith("محترم Fay،") and f"/s/{survey.code}?lang=ur" in body
    english = gil.get_body(("plain",)).get_content()
    assert english.startswith("Hello Gil,") and f"/s/{survey.code}\r\n" in english
