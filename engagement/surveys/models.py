"""Surveys, their questions and options, residents' responses and answers, and "You said, we did".

Answers are one row per answer (a multiple-choice question gives one row per ticked
option), with the option, number or text in its own column, so results are plain
GROUP BY queries. A response counts only once it is `complete`: at once for anonymous
surveys, after the email link is followed for identified ones.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.core.db import TimestampMixin, UTCDateTime, utcnow
from engagement.core.i18n import LANGUAGE_MAX, language_for_record
from engagement.extensions import db

# Question kinds, in the order the builder offers them.
SINGLE, MULTIPLE, RATING, YESNO = "single", "multiple", "rating", "yesno"
SHORT_TEXT, LONG_TEXT, NUMBER, POSTCODE = "short_text", "long_text", "number", "postcode"
KINDS = {
    SINGLE: "Single choice: pick one answer from a list",
    MULTIPLE: "Multiple choice: tick all that apply",
    RATING: "Rating scale from 1 to 5, with a label at each end",
    YESNO: "Yes or no",
    SHORT_TEXT: "Short text: a few words",
    LONG_TEXT: "Long text: a paragraph",
    NUMBER: "Number, with limits if you want them",
    POSTCODE: "Postcode (we keep only the first part and the sector, like B16 8)",
}
CHOICE_KINDS = (SINGLE, MULTIPLE)
TEXT_KINDS = (SHORT_TEXT, LONG_TEXT)
SCALE_KINDS = (RATING, YESNO)

ANONYMOUS, IDENTIFIED = "anonymous", "identified"
MODES = (ANONYMOUS, IDENTIFIED)
DRAFT, PUBLISHED = "draft", "published"
PENDING, COMPLETE = "pending", "complete"

# Field limits, shared by forms, services and templates so all say the same thing.
TITLE_MAX = 120
INTRO_MAX = 3000
QUESTION_MAX = 300
HINT_MAX = 500
OPTION_MAX = 200
OPTIONS_MAX = 30
LABEL_MAX = 60
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 2000
OTHER_MAX = 200
QUESTIONS_MAX = 60
NUMBER_LIMIT = 1_000_000_000
OUTCOME_MAX = 5000
RATING_MIN, RATING_MAX = 1, 5


def new_secret() -> str:
    return secrets.token_urlsafe(16)


class Survey(TimestampMixin, db.Model):
    """A survey by a team, for an area (coordinators) or force-wide (neither)."""

    __tablename__ = "surveys"
    __table_args__ = (CheckConstraint("team_id IS NULL OR area IS NULL", name="one_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The short link /s/<code>; printed on posters, so it never changes.
    code: Mapped[str] = mapped_column(String(12), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(TITLE_MAX), nullable=False)
    introduction: Mapped[str] = mapped_column(Text, default="", nullable=False)  # Markdown source, cleaned
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    area: Mapped[str | None] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(12), default=ANONYMOUS, nullable=False)
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, nullable=False)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Event feedback: attached to one event, or to every event of a type within the survey's scope.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    event_type_id: Mapped[int | None] = mapped_column(ForeignKey("event_types.id", ondelete="SET NULL"), index=True)
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The survey offered in other languages: {"ur": {"title": ..., "introduction": ...}} (surveys.translations;
    # its questions and options carry their own). A language is offered once it has a title (migration 0022).
    translations: Mapped[dict | None] = mapped_column(JSON)

    team = relationship("Team")
    event = relationship("Event")
    event_type = relationship("EventType")
    questions = relationship(
        "Question", back_populates="survey", order_by="Question.position", cascade="all, delete-orphan"
    )
    outcome = relationship("SurveyOutcome", back_populates="survey", uselist=False, cascade="all, delete-orphan")

    @property
    def identified(self) -> bool:
        return self.mode == IDENTIFIED

    @property
    def offered_languages(self) -> list[str]:
        """Languages besides the original this survey can be answered in (those with a translated title)."""
        return sorted(code for code, text in (self.translations or {}).items() if text and text.get("title"))

    @property
    def is_feedback(self) -> bool:
        return self.event_id is not None or self.event_type_id is not None

    def state(self, now: datetime | None = None) -> str:
        """draft, scheduled (published, not open yet), open or closed."""
        now = now or utcnow()
        if self.status != PUBLISHED:
            return "draft"
        if self.closes_at is not None and self.closes_at <= now:
            return "closed"
        if self.opens_at is not None and self.opens_at > now:
            return "scheduled"
        return "open"

    def is_open(self, now: datetime | None = None) -> bool:
        return self.state(now) == "open"

    def __repr__(self) -> str:
        return f"<Survey {self.id} {self.title!r}>"


class Question(db.Model):
    __tablename__ = "survey_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    text: Mapped[str] = mapped_column(String(QUESTION_MAX), nullable=False)
    hint: Mapped[str] = mapped_column(String(HINT_MAX), default="", nullable=False)
    required: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    # Starts a new page (the first question always does): residents on phones see one page at a time.
    new_page: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    allow_other: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    min_value: Mapped[int | None] = mapped_column(Integer)
    max_value: Mapped[int | None] = mapped_column(Integer)
    low_label: Mapped[str] = mapped_column(String(LABEL_MAX), default="", nullable=False)
    high_label: Mapped[str] = mapped_column(String(LABEL_MAX), default="", nullable=False)
    # {"ur": {"text": ..., "hint": ..., "low_label": ..., "high_label": ...}} (surveys.translations).
    translations: Mapped[dict | None] = mapped_column(JSON)

    survey = relationship("Survey", back_populates="questions")
    options = relationship(
        "QuestionOption", back_populates="question", order_by="QuestionOption.position", cascade="all, delete-orphan"
    )

    @property
    def field(self) -> str:
        """The form field name and the id of its first input (error summaries link to it)."""
        return f"q{self.id}"

    @property
    def other_field(self) -> str:
        return f"q{self.id}-other"

    def __repr__(self) -> str:
        return f"<Question {self.id} {self.kind} {self.text[:30]!r}>"


class QuestionOption(db.Model):
    __tablename__ = "survey_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    label: Mapped[str] = mapped_column(String(OPTION_MAX), nullable=False)
    # {"ur": {"label": ...}}: the same choice in another language, so answers in every language count together.
    translations: Mapped[dict | None] = mapped_column(JSON)

    question = relationship("Question", back_populates="options")


class Response(db.Model):
    """One person's answers. Identified surveys keep the email, once per survey, to stop repeats."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        UniqueConstraint("survey_id", "email", name="uq_survey_responses_survey_id_email"),
        Index("ix_survey_responses_survey_status", "survey_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), nullable=False)
    status: Mapped[str] = mapped_column(String(12), default=PENDING, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The local (Europe/London) day it started to count, for "responses over time".
    completed_on: Mapped[date | None] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(320))
    # Bound into the email link: a newer submission rotates it, so only the latest link works.
    secret: Mapped[str] = mapped_column(String(32), default=new_secret, nullable=False)
    # For filtering results: the team covering the resident's postcode (else the survey's team).
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    district: Mapped[str | None] = mapped_column(String(4))
    # The resident's language when they gave us this (core.i18n): later emails to them use it (None: English).
    language: Mapped[str | None] = mapped_column(String(LANGUAGE_MAX), default=language_for_record)

    survey = relationship("Survey")
    team = relationship("Team")
    answers = relationship("Answer", back_populates="response", cascade="all, delete-orphan")


class Answer(db.Model):
    __tablename__ = "survey_answers"
    __table_args__ = (Index("ix_survey_answers_question_option", "question_id", "option_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), nullable=False, index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"), nullable=False)
    # Choice questions: the option ticked, or NULL with `text` for "other, please say".
    option_id: Mapped[int | None] = mapped_column(ForeignKey("survey_options.id", ondelete="CASCADE"))
    # Ratings (1-5), yes/no (1/0) and numbers.
    number: Mapped[int | None] = mapped_column(Integer)
    # Free text, "other" text, or a postcode's district ("B16").
    text: Mapped[str | None] = mapped_column(Text)
    # Postcodes only: the sector ("B16 8"), if the resident gave that much.
    sector: Mapped[str | None] = mapped_column(String(6))

    response = relationship("Response", back_populates="answers")


class SurveyOutcome(TimestampMixin, db.Model):
    """ "You said, we did": chosen headline results and what the team will do about them."""

    __tablename__ = "survey_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), unique=True, nullable=False)
    said: Mapped[str] = mapped_column(Text, default="", nullable=False)  # Markdown source, cleaned
    will_do: Mapped[str] = mapped_column(Text, default="", nullable=False)  # Markdown source, cleaned
    headline_question_ids: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    news_post_id: Mapped[int | None] = mapped_column(ForeignKey("news_posts.id", ondelete="SET NULL"))

    survey = relationship("Survey", back_populates="outcome")

    @property
    def is_public(self) -> bool:
        return self.published_at is not None


class FeedbackRun(db.Model):
    """An event date whose feedback emails have been queued: one row per date, so never twice."""

    __tablename__ = "survey_feedback_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("occurrences.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="SET NULL"))
    sent: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
