"""One resident, Priya Testperson, present in every feature that holds personal data, made through the services
where they are stable and as plain rows where another feature's set-up is being reworked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from engagement.accounts.services import create_volunteer_account, set_password
from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.mail import SENT, queue_email
from engagement.events.details import EventDetails, When
from engagement.events.models import EventType
from engagement.events.services import create_event, ensure_default_types
from engagement.extensions import db
from engagement.newsletter.subscriptions import confirm, request_subscription
from engagement.signups.services import sign_up
from engagement.speedwatch.requests.models import SiteRequest
from engagement.speedwatch.shifts.models import ShiftSignup
from engagement.speedwatch.volunteers.models import APPROVED, Volunteer
from engagement.surveys.models import COMPLETE, IDENTIFIED, Answer, Response
from engagement.surveys.questions import QuestionDetails, add_question
from engagement.surveys.services import SurveyDetails, publish_survey, save_survey

EMAIL = "priya.testperson@example.org"
PHONE = "07700 900123"
NAME = "Priya Testperson"
PHONE_FORMS = ("07700900123", "07700 900123", "+447700900123", "+44 7700 900123", "7700 900123", "7700900123")


@dataclass
class Person:
    email: str
    phone: str
    name: str
    ids: dict


def make_event(team, *, days: int, capacity: int = 10, title: str = "Cuppa with a Copper"):
    """A published bookable one-off date `days` from today (negative: in the past)."""
    ensure_default_types()
    etype = db.session.scalar(db.select(EventType).where(EventType.slug == "cuppa-with-a-copper"))
    start = datetime.combine(date.today() + timedelta(days=days), time(10, 0))
    event = create_event(
        actor=None,
        details=EventDetails(
            team=team,
            event_type=etype,
            title=title,
            online_url="https://example.org/meet",
            capacity=capacity,
            signup_mode="required",
        ),  # fmt: skip
        when=When(start, start + timedelta(hours=1)),
        publish=True,
        now=utcnow() - timedelta(days=max(0, -days) + 30),  # a past date was scheduled before it happened
    )
    db.session.flush()
    return event.occurrences[0]


def make_person(team, officer=None) -> Person:
    now = utcnow()
    ids = {}
    # Sign-ups: a booking to come (with phone and access needs), a past attended one, a waiting-list entry.
    coming = make_event(team, days=10)
    ids["coming_signup"] = sign_up(coming, name=NAME, email=EMAIL, phone=PHONE, access_needs="Step-free access").id
    past = make_event(team, days=-20, title="Police surgery")
    early = past.starts_at - timedelta(days=5)
    attended = sign_up(past, name=NAME, email=EMAIL, phone=PHONE, now=early)
    attended.attended = True
    full = make_event(team, days=12, capacity=1, title="Small cuppa")
    sign_up(full, name="Someone Else", email="someone.else@example.org")
    ids["waiting_signup"] = sign_up(full, name=NAME, email=EMAIL).id
    # Newsletter: a confirmed subscription.
    confirm(request_subscription(EMAIL, [team], []))
    # Surveys: an identified survey answered and counted.
    survey = save_survey(None, SurveyDetails(title="Your neighbourhood", team=team, mode=IDENTIFIED,
                                             opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=7)),
                         actor=None)  # fmt: skip
    question = add_question(survey, QuestionDetails("long_text", "What worries you?", required=False), actor=None)
    publish_survey(survey, actor=None)
    response = Response(survey_id=survey.id, status=COMPLETE, email=EMAIL, completed_at=now, completed_on=date.today())
    db.session.add(response)
    db.session.flush()
    db.session.add(Answer(response_id=response.id, question_id=question.id, text="Speeding on Monument Road"))
    ids["response"] = response.id
    # Speed Watch: an approved volunteer with a sign-in, who took a past shift.
    user = create_volunteer_account(email=EMAIL, display_name=NAME)
    set_password(user, "correct-horse-battery")
    volunteer = Volunteer(team_id=team.id, user_id=user.id, name=NAME, email=EMAIL, phone=PHONE, status=APPROVED,
                          applied_at=now - timedelta(days=60), decided_at=now - timedelta(days=50),
                          training_date=date.today() - timedelta(days=40),
                          training_expires=date.today() + timedelta(days=300), vetting_done=True,
                          notes="Prefers Saturday mornings")  # fmt: skip
    db.session.add(volunteer)
    db.session.flush()
    db.session.add(ShiftSignup(occurrence_id=past.id, volunteer_id=volunteer.id, role="recorder"))
    ids["volunteer"], ids["user"] = volunteer.id, user.id
    db.session.add(SiteRequest(team_id=team.id, proposed_by_id=user.id, proposer_name=NAME, proposer_email=EMAIL,
                               road="Monument Road", stretch="by the school", speed_limit=30,
                               reason="Cars race past the school gates"))  # fmt: skip
    audit.record("speedwatch.volunteer_apply", target=volunteer, actor_label="public application form",
                 summary=f"{NAME} applied to join {team.name} Speed Watch", team=team.slug)  # fmt: skip
    audit.record("user.login_failed", actor_label=EMAIL, summary="wrong email or password")
    # Mail: one sent to them, and the team's email that names them.
    sent = queue_email(EMAIL, "Welcome to Speed Watch", f"Dear {NAME},\nWelcome.")
    sent.status, sent.sent_at = SENT, now
    queue_email("ladywood.team@example.org", "New Speed Watch application", f"A new application: {NAME}.")
    db.session.commit()
    return Person(EMAIL, PHONE, NAME, ids)
