"""Checking answers, question type by question type, and the one-response rules in both modes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict

from engagement.core.db import utcnow
from engagement.core.errors import DomainError
from engagement.core.mail import OutboxMessage
from engagement.surveys import answering
from engagement.surveys.answering import AlreadyAnswered, NotOpen, check_answer
from engagement.surveys.models import COMPLETE, PENDING, Answer, Response
from tests.conftest import email_text
from tests.surveys.conftest import QUESTIONS, build_survey, option, q


@dataclass
class Plain:
    """A stand-in with a question's attributes: checking answers needs no database or mapper, so the
    question-type tests run once rather than once per backend."""

    id: int
    kind: str
    text: str
    required: bool
    allow_other: bool
    min_value: int | None
    max_value: int | None
    options: list = field(default_factory=list)

    @property
    def field(self) -> str:
        return f"q{self.id}"

    @property
    def other_field(self) -> str:
        return f"q{self.id}-other"


@pytest.fixture
def unsaved():
    questions = []
    for n, d in enumerate(QUESTIONS, start=1):
        question = Plain(n, d.kind, d.text, d.required, d.allow_other, d.min_value, d.max_value)
        question.options = [SimpleNamespace(id=n * 100 + i, label=label) for i, label in enumerate(d.options, 1)]
        questions.append(question)
    return SimpleNamespace(questions=questions)


def check(question, **fields):
    form = MultiDict(
        [(k.replace("_", "-"), v) for k, vs in fields.items() for v in (vs if isinstance(vs, list) else [vs])]
    )
    return check_answer(question, form)


def test_single_choice(unsaved):
    survey = unsaved
    question = q(survey, "single")
    name = question.field
    clean, errors = check(question, **{name: str(option(question, "Rarely").id)})
    assert errors == {} and clean.option_ids == [option(question, "Rarely").id] and clean.other is None
    assert check(question)[1] == {name: "Select an answer to “How often do you see officers where you live?”"}
    # A tampered value, an option of another question, and two answers are all refused.
    other_question = q(survey, "multiple")
    for value in ("999999", "abc", str(other_question.options[0].id)):
        assert check(question, **{name: value})[1] == {
            name: "Select one of the answers listed for “How often do you see officers where you live?”"
        }
    two = [str(question.options[0].id), str(question.options[1].id)]
    assert name in check(question, **{name: two})[1]
    # "Other" needs its text, within the limit.
    assert check(question, **{name: "other"})[1] == {question.other_field: "Say what your other answer is"}
    clean, errors = check(question, **{name: "other", f"{name}_other": "  Only at football matches "})
    assert errors == {} and clean.option_ids == [] and clean.other == "Only at football matches"
    assert check(question, **{name: "other", f"{name}_other": "x" * 201})[1] == {
        question.other_field: "Your other answer must be 200 characters or fewer"
    }


def test_multiple_choice(unsaved):
    survey = unsaved
    question = q(survey, "multiple")
    name = question.field
    speeding, burglary = option(question, "Speeding").id, option(question, "Burglary").id
    clean, errors = check(question, **{name: [str(speeding), str(burglary), str(speeding)]})
    assert errors == {} and clean.option_ids == [speeding, burglary]
    assert check(question)[1] == {name: "Select at least one answer to “Which problems worry you?”"}
    assert check(question, **{name: [str(speeding), "12345678"]})[1] == {
        name: "Select one of the answers listed for “Which problems worry you?”"
    }
    clean, errors = check(question, **{name: [str(burglary), "other"], f"{name}_other": "Fly-tipping"})
    assert errors == {} and clean.option_ids == [burglary] and clean.other == "Fly-tipping"


def test_rating_and_yes_no(unsaved):
    survey = unsaved
    rating, yesno = q(survey, "rating"), q(survey, "yesno")
    assert check(rating, **{rating.field: "4"})[0].number == 4
    for bad in ("0", "6", "3.5", "five"):
        assert check(rating, **{rating.field: bad})[1] == {rating.field: "Select a number from 1 to 5"}
    assert check(rating)[1] == {rating.field: "Select an answer to “How safe do you feel after dark?”"}
    assert check(yesno, **{yesno.field: "yes"})[0].number == 1
    assert check(yesno, **{yesno.field: "no"})[0].number == 0
    assert check(yesno, **{yesno.field: "maybe"})[1] == {yesno.field: "Select yes or no"}
    clean, errors = check(yesno)  # optional: no answer is fine
    assert errors == {} and clean.empty


def test_text_answers_keep_what_was_typed_and_enforce_limits(unsaved):
    survey = unsaved
    short, long = q(survey, "short_text"), q(survey, "long_text")
    clean, errors = check(short, **{short.field: "  More   patrols\non   Monument Road  "})
    assert errors == {} and clean.text == "More patrols on Monument Road"
    assert check(short, **{short.field: "x" * 201})[1] == {
        short.field: "Your answer must be 200 characters or fewer. You have written 201."
    }
    script = "<script>alert('x')</script>\n\nSecond paragraph\x00"
    clean, errors = check(long, **{long.field: script})
    assert errors == {} and clean.text == "<script>alert('x')</script>\n\nSecond paragraph"  # kept, escaped on output
    assert check(long, **{long.field: "y" * 2001})[1] == {
        long.field: "Your answer must be 2,000 characters or fewer. You have written 2,001."
    }
    assert check(long, **{long.field: "y" * 2000})[1] == {}


def test_numbers_and_their_limits(unsaved):
    survey = unsaved
    number = q(survey, "number")
    assert check(number, **{number.field: "12"})[0].number == 12
    assert check(number, **{number.field: " 1,0 0"})[0].number == 100
    assert check(number, **{number.field: "0"})[0].number == 0
    for bad in ("twelve", "1.5", "1e3", "9" * 40, "--1"):
        assert check(number, **{number.field: bad})[1] == {
            number.field: "Enter a whole number for “How many years have you lived here?”, like 12"
        }
    assert check(number, **{number.field: "121"})[1] == {number.field: "Enter a number between 0 and 120"}
    assert check(number, **{number.field: "-1"})[1] == {number.field: "Enter a number between 0 and 120"}


def test_postcodes_keep_only_district_and_sector(unsaved):
    survey = unsaved
    postcode = q(survey, "postcode")
    clean, errors = check(postcode, **{postcode.field: "b16 8qt"})
    assert errors == {} and (clean.text, clean.sector) == ("B16", "B16 8")
    clean, _ = check(postcode, **{postcode.field: "B1"})
    assert (clean.text, clean.sector) == ("B1", None)
    for bad in ("B16 8Q", "not a postcode", "<b>", "1234"):
        assert check(postcode, **{postcode.field: bad})[1] == {postcode.field: "Enter a real postcode, like B16 8QT"}


def full_form(survey, **extra):
    """A complete, valid set of answers to the fixture survey."""
    single, multiple, rating = q(survey, "single"), q(survey, "multiple"), q(survey, "rating")
    form = MultiDict(
        [
            (single.field, str(option(single, "Every month").id)),
            (multiple.field, str(option(multiple, "Speeding").id)),
            (multiple.field, "other"),
            (multiple.other_field, "Parking on pavements"),
            (rating.field, "2"),
            (q(survey, "postcode").field, "B16 8QT"),
            (q(survey, "long_text").field, "<b>Bold</b> & brave"),
        ]
    )
    for key, value in extra.items():
        form[key] = value
    return form


def test_anonymous_response_is_stored_whole_and_counts_at_once(app, db, survey, team):
    response = answering.submit_anonymous(survey, full_form(survey), answered_cookie_value=None)
    db.session.commit()
    assert response.status == COMPLETE and response.email is None
    assert response.team_id == team.id and response.district == "B16"
    rows = db.session.scalars(db.select(Answer).where(Answer.response_id == response.id).order_by(Answer.id)).all()
    summary = [(r.question_id, r.option_id, r.number, r.text, r.sector) for r in rows]
    multiple = q(survey, "multiple")
    assert (multiple.id, None, None, "Parking on pavements", None) in summary
    assert (q(survey, "postcode").id, None, None, "B16", "B16 8") in summary
    assert (q(survey, "long_text").id, None, None, "<b>Bold</b> & brave", None) in summary
    assert len(rows) == 6  # single, two for multiple, rating, postcode, long text


def test_a_bad_answer_anywhere_saves_nothing(app, db, survey):
    form = full_form(survey, **{q(survey, "number").field: "500"})
    with pytest.raises(DomainError) as caught:
        answering.submit_anonymous(survey, form, answered_cookie_value=None)
    db.session.rollback()
    assert caught.value.field == q(survey, "number").field
    assert db.session.scalar(db.select(db.func.count(Response.id))) == 0
    assert db.session.scalar(db.select(db.func.count(Answer.id))) == 0


def test_one_response_per_browser(app, db, survey):
    answering.submit_anonymous(survey, full_form(survey), answered_cookie_value=None)
    cookie = answering.answered_cookie(None, survey.id)
    assert answering.answered_ids(cookie) == [survey.id]
    with pytest.raises(AlreadyAnswered):
        answering.submit_anonymous(survey, full_form(survey), answered_cookie_value=cookie)
    # A forged or garbled cookie counts as nothing, not as an error.
    assert answering.answered_ids("forged.cookie") == [] and answering.answered_ids("") == []
    # The cookie remembers several surveys, newest last, and only the last 50.
    many = None
    for n in range(1, 60):
        many = answering.answered_cookie(many, n)
    assert answering.answered_ids(many) == list(range(10, 60))


def test_closed_and_not_yet_open_surveys_refuse_answers(app, db, team):
    later = build_survey(db, team, title="Later", opens=timedelta(days=2), closes=timedelta(days=9))
    with pytest.raises(NotOpen, match="This survey opens on"):
        answering.submit_anonymous(later, full_form(later), answered_cookie_value=None)
    closed = build_survey(db, team, title="Earlier", opens=timedelta(days=-9), closes=timedelta(days=10))
    closed.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(NotOpen, match="This survey closed on"):
        answering.submit_anonymous(closed, full_form(closed), answered_cookie_value=None)
    draft = build_survey(db, team, title="Draft", publish=False)
    with pytest.raises(NotOpen, match="not open"):
        answering.submit_anonymous(draft, full_form(draft), answered_cookie_value=None)


def test_identified_response_counts_only_after_the_emailed_link(app, db, team):
    survey = build_survey(db, team, mode="identified", title="Identified survey")
    response = answering.submit_identified(survey, full_form(survey), "Resident@Example.org")
    db.session.commit()
    assert response.status == PENDING and response.email == "resident@example.org"
    message = db.session.scalars(db.select(OutboxMessage)).one()
    assert message.to_addr == "resident@example.org" and message.subject == "Confirm your answers: Identified survey"
    link = next(line for line in email_text(message.raw).splitlines() if "/surveys/confirm/" in line)
    token = link.rsplit("/", 1)[1]
    assert answering.response_for_token(token).id == response.id
    answering.confirm_response(answering.response_for_token(token))
    db.session.commit()
    assert response.status == COMPLETE and response.completed_on is not None


def test_identified_one_response_per_email(app, db, team):
    survey = build_survey(db, team, mode="identified", title="Identified survey")
    first = answering.submit_identified(survey, full_form(survey), "resident@example.org")
    db.session.commit()
    first_token = answering.make_token(answering.VERIFY_PURPOSE, {"r": first.id, "k": first.secret})
    # Sending again before confirming replaces the answers, and only the newest link works.
    again = answering.submit_identified(survey, full_form(survey, **{q(survey, "rating").field: "5"}),
                                        "RESIDENT@example.org")  # fmt: skip
    db.session.commit()
    assert again.id == first.id
    assert db.session.scalar(db.select(db.func.count(Response.id))) == 1
    rating = db.session.scalar(db.select(Answer.number).where(Answer.question_id == q(survey, "rating").id))
    assert rating == 5
    with pytest.raises(DomainError, match="no longer valid"):
        answering.response_for_token(first_token)
    answering.confirm_response(again)
    db.session.commit()
    # After confirming, a third try changes nothing and tells the owner by email.
    assert answering.submit_identified(survey, full_form(survey), "resident@example.org") is None
    db.session.commit()
    subjects = db.session.scalars(db.select(OutboxMessage.subject).order_by(OutboxMessage.id)).all()
    assert subjects[-1] == "You have already answered: Identified survey"
    assert db.session.scalar(db.select(db.func.count(Response.id))) == 1


def test_unconfirmed_responses_expire_and_addresses_are_forgotten_after_closing(app, db, team):
    survey = build_survey(db, team, mode="identified", title="Identified survey")
    response = answering.submit_identified(survey, full_form(survey), "late@example.org")
    kept = answering.submit_identified(survey, full_form(survey), "recent@example.org")
    answering.confirm_response(kept)
    response.created_at = utcnow() - timedelta(days=8)
    db.session.commit()
    assert answering.purge_expired() == 1
    assert db.session.scalars(db.select(Response.email)).all() == ["recent@example.org"]
    assert db.session.scalar(db.select(db.func.count(Answer.id))) == 6
    # 30 days after closing, the address goes and the answers stay.
    survey.closes_at = utcnow() - timedelta(days=31)
    db.session.commit()
    assert answering.purge_expired() == 1
    assert db.session.execute(db.select(Response.email, Response.status)).all() == [(None, COMPLETE)]
    assert db.session.scalar(db.select(db.func.count(Answer.id))) == 6
