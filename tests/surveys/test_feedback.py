"""Event feedback: the link on the event page after the event, and one email per attendee, once, over real SMTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engagement.core import hooks
from engagement.core.db import utcnow
from engagement.core.timeutil import to_local
from engagement.core.worker import run_once
from engagement.events.details import EventDetails, When
from engagement.events.models import EventType
from engagement.events.services import create_event, ensure_default_types
from engagement.surveys.feedback import ATTENDEES_TOPIC, feedback_survey_for, send_due_feedback
from engagement.surveys.models import FeedbackRun
from engagement.surveys.questions import QuestionDetails, add_question
from engagement.surveys.services import SurveyDetails, publish_survey, save_survey

ONLINE = "https://example.org/meet"


@pytest.fixture
def attendees():
    """Stands in for the sign-ups feature's provider: the people signed up for each date."""
    signed_up: dict[int, list[tuple[str, str]]] = {}
    before = hooks.provider(ATTENDEES_TOPIC)
    hooks.register_provider(ATTENDEES_TOPIC, lambda occurrence: signed_up.get(occurrence.id, []))
    yield signed_up
    if before is None:
        hooks._providers.pop(ATTENDEES_TOPIC, None)
    else:
        hooks.register_provider(ATTENDEES_TOPIC, before)


def past_event(db, team, type_slug="cuppa-with-a-copper", ended_ago=timedelta(hours=1)):
    ensure_default_types()
    etype = db.session.scalar(db.select(EventType).where(EventType.slug == type_slug))
    end = to_local(utcnow() - ended_ago).replace(tzinfo=None, second=0, microsecond=0)
    event = create_event(
        actor=None,
        details=EventDetails(team=team, event_type=etype, title="Cuppa at the Library", online_url=ONLINE),
        when=When(end - timedelta(hours=1), end),
        publish=True,
        now=utcnow() - timedelta(days=2),
    )
    db.session.commit()
    return event, etype


def feedback_survey(db, team, **attach):
    survey = save_survey(None, SurveyDetails(title="How was your cuppa?", team=team, closes_at=utcnow() + timedelta(days=30),
                                             **attach), actor=None)  # fmt: skip
    add_question(survey, QuestionDetails("rating", "How useful was it?", low_label="Not useful", high_label="Very"),
                 actor=None)  # fmt: skip
    publish_survey(survey, actor=None)
    db.session.commit()
    return survey


def test_feedback_email_goes_once_to_each_attendee_through_the_worker(app, db, smtp, attendees, team):
    event, etype = past_event(db, team)
    survey = feedback_survey(db, team, event_type=etype)
    occurrence = event.occurrences[0]
    attendees[occurrence.id] = [("ann@example.org", "Ann"), ("BOB@example.org", "Bob"), ("bob@example.org", "Bob")]
    app.config.update(SERVER_NAME=None, BASE_URL="https://engage.example.org")  # as `flask worker` runs
    first = run_once()
    assert first["surveys-feedback"] == 2  # the same address twice is one email
    second = run_once()  # the outbox task ran before the feedback task, so delivery is on the next pass
    assert second["surveys-feedback"] == 0 and second["mail"] == 2
    third = run_once()
    assert third["surveys-feedback"] == 0 and third["mail"] == 0
    assert sorted(smtp.recipients()) == ["BOB@example.org", "ann@example.org"]
    message = smtp.parsed()[0]
    assert message["Subject"] == "How was it? Cuppa at the Library"
    body = message.get_body(("plain",)).get_content()
    assert f"https://engage.example.org/s/{survey.code}" in body and "We will send you this only once." in body
    run = db.session.scalars(db.select(FeedbackRun)).one()
    assert (run.occurrence_id, run.survey_id, run.sent) == (occurrence.id, survey.id, 2)


def test_event_own_survey_wins_and_other_teams_types_do_not_apply(app, db, team, other_team, attendees):
    event, etype = past_event(db, team)
    other = feedback_survey(db, other_team, event_type=etype)  # another team's cuppa survey: not for this event
    assert feedback_survey_for(event.occurrences[0]) is None
    by_type = feedback_survey(db, team, event_type=etype)
    assert feedback_survey_for(event.occurrences[0]).id == by_type.id
    own = feedback_survey(db, team, event=event)
    assert feedback_survey_for(event.occurrences[0]).id == own.id
    assert other.id not in (by_type.id, own.id)
    # Too recent (within half an hour of the end) is not sent yet.
    recent, _ = past_event(db, team, ended_ago=timedelta(minutes=5))
    attendees[recent.occurrences[0].id] = [("cat@example.org", "Cat")]
    send_due_feedback()
    assert (
        db.session.scalar(db.select(FeedbackRun.id).where(FeedbackRun.occurrence_id == recent.occurrences[0].id))
        is None
    )


def test_event_page_shows_the_feedback_link_after_the_event(app, db, client, team):
    event, etype = past_event(db, team)
    survey = feedback_survey(db, team, event_type=etype)
    html = client.get(f"/events/{event.occurrences[0].id}").get_data(as_text=True)
    assert f'href="/surveys/{survey.id}">answer a short feedback survey' in html
    future = create_event(actor=None, details=EventDetails(team=team, event_type=etype, title="Next cuppa", online_url=ONLINE),
                          when=When(to_local(utcnow() + timedelta(days=3)).replace(tzinfo=None, second=0,
                                                                                   microsecond=0)), publish=True)  # fmt: skip
    db.session.commit()
    assert "feedback survey" not in client.get(f"/events/{future.occurrences[0].id}").get_data(as_text=True)
    # With no attendee provider (sign-ups not wired in) nothing is sent, and no date is marked as done.
    before = hooks._providers.pop(ATTENDEES_TOPIC, None)
    try:
        assert send_due_feedback() == 0
        assert db.session.scalar(db.select(db.func.count(FeedbackRun.id))) == 0
    finally:
        if before is not None:
            hooks.register_provider(ATTENDEES_TOPIC, before)


def test_with_real_sign_ups_only_people_whose_consent_covered_it_are_emailed(app, db, smtp, team):
    from engagement.signups.services import sign_up

    assert hooks.provider(ATTENDEES_TOPIC) is not None  # sign-ups registers it at start-up
    event, etype = past_event(db, team)
    survey = feedback_survey(db, team, event_type=etype)
    occurrence = event.occurrences[0]
    before = utcnow() - timedelta(days=1)  # they signed up the day before
    sign_up(occurrence, name="Dee", email="dee@example.org", now=before, send_email=False)  # current wording
    sign_up(occurrence, name="Eli", email="eli@example.org", consent_version="2026-11", now=before, send_email=False)
    db.session.commit()
    assert send_due_feedback() == 1
    run_once()
    assert [rcpts for _, rcpts, _ in smtp.messages] == [["dee@example.org"]]
    body = smtp.parsed()[0].get_body(("plain",)).get_content()
    assert body.startswith("Hello Dee,") and f"/s/{survey.code}" in body
    assert send_due_feedback() == 0
