"""Surveys' part of data-subject requests and retention (registered in engagement.core.personal_data).

Only identified surveys hold contact details: the email address on a response. Erasure: a
response never confirmed is deleted with its answers (it never counted); a counted response
loses its address and its emailed link stops working, and its answers stay, anonymous, so the
results do not change. Retention: the existing answering.purge_expired (unconfirmed responses
after VERIFY_DAYS, addresses EMAIL_KEEP_DAYS after the survey closes).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from engagement.core.personal_data import (
    Provider,
    Record,
    RetentionRule,
    Subject,
    register_provider,
    register_retention_rule,
)
from engagement.extensions import db
from engagement.surveys import answering
from engagement.surveys.models import COMPLETE, PENDING, Answer, Question, QuestionOption, Response, new_secret


def _responses(subject: Subject) -> list[Response]:
    query = (
        select(Response)
        .where(subject.where(Response.email))
        .options(selectinload(Response.survey), selectinload(Response.answers))
        .order_by(Response.created_at, Response.id)
    )
    return list(db.session.scalars(query))


def _answers(responses: list[Response]) -> dict[int, list[dict]]:
    """Each response's answers as question and answer text, with two queries for any number of responses."""
    question_ids = {a.question_id for r in responses for a in r.answers}
    option_ids = {a.option_id for r in responses for a in r.answers if a.option_id}
    questions = dict(db.session.execute(select(Question.id, Question.text).where(Question.id.in_(question_ids))).all())
    options = dict(
        db.session.execute(
            select(QuestionOption.id, QuestionOption.label).where(QuestionOption.id.in_(option_ids))
        ).all()
    )
    out = {}
    for response in responses:
        out[response.id] = [
            {
                "question": questions.get(a.question_id, ""),
                "answer": options.get(a.option_id) if a.option_id else (a.text if a.text is not None else a.number),
            }
            for a in sorted(response.answers, key=lambda a: a.id)
        ]
    return out


def find(subject: Subject, names: frozenset[str]) -> list[Record]:
    responses = _responses(subject)
    answers = _answers(responses)
    return [
        Record(
            kind="Survey response",
            at=r.created_at,
            summary=f"{r.survey.title} ({'counted' if r.status == COMPLETE else 'not confirmed'})",
            on_erase="Email address deleted; the answers stay, anonymous"
            if r.status == COMPLETE
            else "Deleted with its answers (it was never confirmed)",
            data={
                "survey": r.survey.title,
                "email": r.email,
                "status": "counted" if r.status == COMPLETE else "waiting for the emailed link",
                "answered_at": r.created_at,
                "confirmed_at": r.completed_at,
                "language": r.language,
                "answers": answers[r.id],
            },
        )
        for r in responses
    ]


def erase(subject: Subject, records, *, actor=None, now: datetime) -> dict[str, int]:
    responses = _responses(subject)
    pending = [r.id for r in responses if r.status == PENDING]
    if pending:
        db.session.execute(delete(Answer).where(Answer.response_id.in_(pending)))  # SQLite does not cascade
        db.session.execute(
            delete(Response).where(Response.id.in_(pending)), execution_options={"synchronize_session": False}
        )
    for response in responses:
        if response.status != PENDING:
            response.email, response.secret = None, new_secret()
    db.session.flush()
    return {"survey_responses blanked": len(responses) - len(pending), "survey_responses deleted": len(pending)}


PROVIDER = Provider(
    name="surveys",
    label="Survey responses with an email address",
    about=(
        "Some surveys ask for an email address so that each person answers once: the answers count only when the "
        "link we email is followed. We use the address for nothing else. Anonymous surveys keep no contact details."
    ),
    fields={
        "survey": "the survey's title",
        "email": "the address the confirmation link went to",
        "language": "the language they used our site in (emails to them are written in it; empty means English)",
        "status": "counted, or waiting for the emailed link",
        "answered_at, confirmed_at": "when the answers were sent and when the link was followed",
        "answers": "each question and the answer given",
    },
    covers={"survey_responses.email": f"deleted on erasure; {answering.EMAIL_KEEP_DAYS} days after the survey closes"},
    find=find,
    erase=erase,
    order=20,
)

RULE = RetentionRule(
    "survey-contact",
    "Survey responses' email addresses (identified surveys)",
    lambda: answering.EMAIL_KEEP_DAYS,
    "after the survey closes (unconfirmed responses: after 7 days)",
    "the answers, anonymous",
    lambda now: {"responses deleted or made anonymous": answering.purge_expired(now)},
    "fixed (surveys.answering.EMAIL_KEEP_DAYS, VERIFY_DAYS)",
    task="surveys-purge",
    order=20,
)


def register() -> None:
    register_provider(PROVIDER)
    register_retention_rule(RULE)
