"""Questions of a survey: adding, changing, moving and deleting them, and grouping them into pages.

Once anyone has answered, only changes that cannot alter earlier answers are allowed
(see LOCKED_MESSAGE); services.is_locked says when that applies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engagement.core import audit
from engagement.core.errors import DomainError, PermissionDenied
from engagement.extensions import db
from engagement.surveys.models import (
    CHOICE_KINDS,
    HINT_MAX,
    KINDS,
    LABEL_MAX,
    NUMBER,
    NUMBER_LIMIT,
    OPTION_MAX,
    OPTIONS_MAX,
    QUESTION_MAX,
    QUESTIONS_MAX,
    RATING,
    Question,
    QuestionOption,
    Survey,
)
from engagement.surveys.services import LOCKED_MESSAGE, Locked, is_locked, may_manage, plain


@dataclass
class QuestionDetails:
    kind: str
    text: str
    hint: str = ""
    required: bool = True
    new_page: bool = True
    options: list[str] = field(default_factory=list)
    allow_other: bool = False
    min_value: int | None = None
    max_value: int | None = None
    low_label: str = ""
    high_label: str = ""


def parse_options(text: str) -> list[str]:
    """One option per line; blank lines ignored."""
    return [line.strip() for line in (text or "").replace("\r\n", "\n").split("\n") if line.strip()]


def _check_question(details: QuestionDetails) -> QuestionDetails:
    if details.kind not in KINDS:
        raise DomainError("Choose a type of question", field="kind")
    clean = QuestionDetails(
        kind=details.kind,
        text=plain(details.text, "question", "text", QUESTION_MAX),
        hint=plain(details.hint, "hint", "hint", HINT_MAX, required=False),
        required=bool(details.required),
        new_page=bool(details.new_page),
    )
    if details.kind in CHOICE_KINDS:
        options = [plain(o, "answer", "options", OPTION_MAX) for o in details.options]
        if len(options) < 2:
            raise DomainError("Give at least two answers to choose from, one on each line", field="options")
        if len(options) > OPTIONS_MAX:
            raise DomainError(f"Give {OPTIONS_MAX} answers or fewer", field="options")
        if len({o.casefold() for o in options}) != len(options):
            raise DomainError("Each answer must be different", field="options")
        clean.options, clean.allow_other = options, bool(details.allow_other)
    if details.kind == RATING:
        clean.low_label = plain(details.low_label, "label for 1", "low_label", LABEL_MAX)
        clean.high_label = plain(details.high_label, "label for 5", "high_label", LABEL_MAX)
    if details.kind == NUMBER:
        for name, value in (("min_value", details.min_value), ("max_value", details.max_value)):
            if value is not None and abs(value) > NUMBER_LIMIT:
                raise DomainError(f"Limits must be between -{NUMBER_LIMIT:,} and {NUMBER_LIMIT:,}", field=name)
        if details.min_value is not None and details.max_value is not None and details.min_value > details.max_value:
            raise DomainError("The smallest number must not be more than the largest", field="max_value")
        clean.min_value, clean.max_value = details.min_value, details.max_value
    return clean


def _shape(question: Question) -> tuple:
    """Everything about a question that earlier answers depend on."""
    return (
        question.kind,
        question.text,
        tuple(o.label for o in question.options),
        question.allow_other,
        question.min_value,
        question.max_value,
        question.low_label,
        question.high_label,
    )


def _proposed_shape(clean: QuestionDetails) -> tuple:
    return (
        clean.kind,
        clean.text,
        tuple(clean.options),
        clean.allow_other,
        clean.min_value,
        clean.max_value,
        clean.low_label,
        clean.high_label,
    )


def _apply(question: Question, clean: QuestionDetails) -> None:
    question.kind, question.text, question.hint = clean.kind, clean.text, clean.hint
    question.required, question.new_page, question.allow_other = clean.required, clean.new_page, clean.allow_other
    question.min_value, question.max_value = clean.min_value, clean.max_value
    question.low_label, question.high_label = clean.low_label, clean.high_label
    existing = list(question.options)
    options = []
    for n, label in enumerate(clean.options, start=1):
        option = existing[n - 1] if n <= len(existing) else QuestionOption()
        option.position, option.label = n, label
        options.append(option)
    question.options = options


def add_question(survey: Survey, details: QuestionDetails, *, actor) -> Question:
    if not may_manage(actor, survey):
        raise PermissionDenied("You cannot change this survey.")
    if is_locked(survey):
        raise Locked(LOCKED_MESSAGE)
    if len(survey.questions) >= QUESTIONS_MAX:
        raise DomainError(f"A survey can have {QUESTIONS_MAX} questions at most. Shorter surveys get more answers.")
    clean = _check_question(details)
    question = Question(position=max((q.position for q in survey.questions), default=0) + 1)
    _apply(question, clean)
    survey.questions.append(question)
    db.session.flush()
    audit.record("survey.question_add", actor=actor, target=survey, summary=question.text, question=question.id)
    return question


def update_question(question: Question, details: QuestionDetails, *, actor) -> Question:
    survey = question.survey
    if not may_manage(actor, survey):
        raise PermissionDenied("You cannot change this survey.")
    clean = _check_question(details)
    if is_locked(survey):
        if _proposed_shape(clean) != _shape(question) or (clean.required and not question.required):
            raise Locked(LOCKED_MESSAGE)
    _apply(question, clean)
    db.session.flush()
    audit.record("survey.question_update", actor=actor, target=survey, summary=question.text, question=question.id)
    return question


def move_question(question: Question, direction: str, *, actor) -> None:
    """Swap with the question above or below (moving never changes anyone's answers)."""
    survey = question.survey
    if not may_manage(actor, survey):
        raise PermissionDenied("You cannot change this survey.")
    ordered = list(survey.questions)
    index = ordered.index(question)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for n, item in enumerate(ordered, start=1):
        item.position = n
    survey.questions = ordered
    audit.record("survey.question_move", actor=actor, target=survey, summary=question.text, direction=direction)


def delete_question(question: Question, *, actor) -> None:
    survey = question.survey
    if not may_manage(actor, survey):
        raise PermissionDenied("You cannot change this survey.")
    if is_locked(survey):
        raise Locked(LOCKED_MESSAGE)
    audit.record("survey.question_delete", actor=actor, target=survey, summary=question.text)
    survey.questions.remove(question)
    for n, item in enumerate(survey.questions, start=1):
        item.position = n


def pages(survey: Survey) -> list[list[Question]]:
    """Questions grouped into pages: each question marked `new_page` starts one (the first always does)."""
    result: list[list[Question]] = []
    for question in survey.questions:
        if question.new_page or not result:
            result.append([])
        result[-1].append(question)
    return result
