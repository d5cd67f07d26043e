"""Results, aggregated in the database: a fixed handful of GROUP BY queries, however many responses.

Only complete responses count. Percentages are of the people who answered that question
(a multiple-choice question's add up to more than 100). Filters narrow every figure to
one team or one postcode district.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from engagement.extensions import db
from engagement.surveys.models import (
    CHOICE_KINDS,
    COMPLETE,
    NUMBER,
    POSTCODE,
    RATING,
    RATING_MAX,
    RATING_MIN,
    TEXT_KINDS,
    YESNO,
    Answer,
    Question,
    Response,
    Survey,
)
from engagement.teams.models import Team

TEXT_SAMPLE = 5  # free-text answers shown per question on the results page
TEXT_PAGE = 50


@dataclass(frozen=True)
class Filters:
    team_id: int | None = None
    district: str | None = None

    @property
    def active(self) -> bool:
        return self.team_id is not None or bool(self.district)

    def as_args(self) -> dict:
        return {k: v for k, v in (("team", self.team_id), ("district", self.district)) if v}


@dataclass
class Row:
    label: str
    count: int
    percent: float  # of the people who answered the question


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    rows: list[Row] = field(default_factory=list)
    average: float | None = None
    minimum: int | None = None
    maximum: int | None = None
    texts: list[str] = field(default_factory=list)

    @property
    def top(self) -> Row | None:
        return max(self.rows, key=lambda r: r.count, default=None) if self.answered else None


@dataclass
class Results:
    survey: Survey
    filters: Filters
    total: int
    questions: list[QuestionResult]
    by_day: list[tuple[date, int]]
    teams: list[tuple[int, str]]
    districts: list[str]

    def for_question(self, question_id: int) -> QuestionResult | None:
        return next((r for r in self.questions if r.question.id == question_id), None)


def counted_where(survey: Survey, filters: Filters) -> list:
    clauses = [Response.survey_id == survey.id, Response.status == COMPLETE]
    if filters.team_id is not None:
        clauses.append(Response.team_id == filters.team_id)
    if filters.district:
        clauses.append(Response.district == filters.district)
    return clauses


def _percent(count: int, of: int) -> float:
    return round(100 * count / of, 1) if of else 0.0


def compile_results(survey: Survey, filters: Filters = Filters()) -> Results:  # noqa: B008 - frozen dataclass
    """Every figure on the results page; the survey's questions and options must already be loaded."""
    where = counted_where(survey, filters)
    questions = list(survey.questions)
    total = db.session.scalar(select(func.count(Response.id)).where(*where)) or 0

    answered = dict(
        db.session.execute(
            select(Answer.question_id, func.count(func.distinct(Answer.response_id)))
            .join(Response, Response.id == Answer.response_id)
            .where(*where)
            .group_by(Answer.question_id)
        ).all()
    )
    # One query for every choice, rating and yes/no count; "other" answers have no option.
    counted_ids = [q.id for q in questions if q.kind in (*CHOICE_KINDS, RATING, YESNO)]
    counts: dict[tuple[int, int | None, int | None], int] = {}
    if counted_ids:
        rows = db.session.execute(
            select(Answer.question_id, Answer.option_id, Answer.number, func.count())
            .join(Response, Response.id == Answer.response_id)
            .where(*where, Answer.question_id.in_(counted_ids))
            .group_by(Answer.question_id, Answer.option_id, Answer.number)
        ).all()
        counts = {(q, o, n): c for q, o, n, c in rows}
    number_ids = [q.id for q in questions if q.kind == NUMBER]
    numbers = {}
    if number_ids:
        numbers = {
            q: (avg, low, high)
            for q, avg, low, high in db.session.execute(
                select(Answer.question_id, func.avg(Answer.number), func.min(Answer.number), func.max(Answer.number))
                .join(Response, Response.id == Answer.response_id)
                .where(*where, Answer.question_id.in_(number_ids))
                .group_by(Answer.question_id)
            ).all()
        }
    postcode_ids = [q.id for q in questions if q.kind == POSTCODE]
    districts_by_question: dict[int, list[tuple[str, int]]] = {}
    if postcode_ids:
        for q, district, c in db.session.execute(
            select(Answer.question_id, Answer.text, func.count())
            .join(Response, Response.id == Answer.response_id)
            .where(*where, Answer.question_id.in_(postcode_ids))
            .group_by(Answer.question_id, Answer.text)
            .order_by(func.count().desc(), Answer.text)
        ).all():
            districts_by_question.setdefault(q, []).append((district, c))
    text_ids = [q.id for q in questions if q.kind in TEXT_KINDS]
    samples = latest_texts(survey, filters, text_ids, TEXT_SAMPLE) if text_ids else {}

    results = []
    for question in questions:
        result = QuestionResult(question=question, answered=answered.get(question.id, 0))
        _fill(result, counts, numbers.get(question.id), districts_by_question.get(question.id, []))
        result.texts = samples.get(question.id, [])
        results.append(result)
    return Results(
        survey=survey,
        filters=filters,
        total=total,
        questions=results,
        by_day=responses_by_day(survey, filters),
        teams=filter_teams(survey),
        districts=filter_districts(survey),
    )


def _fill(result: QuestionResult, counts: dict, number_stats, districts: list[tuple[str, int]]) -> None:
    question, of = result.question, result.answered
    if question.kind in CHOICE_KINDS:
        for option in question.options:
            n = counts.get((question.id, option.id, None), 0)
            result.rows.append(Row(option.label, n, _percent(n, of)))
        if question.allow_other:
            n = counts.get((question.id, None, None), 0)
            result.rows.append(Row("Other", n, _percent(n, of)))
    elif question.kind == RATING:
        total = 0
        for value in range(RATING_MIN, RATING_MAX + 1):
            n = counts.get((question.id, None, value), 0)
            total += n * value
            label = {RATING_MIN: f"1 ({question.low_label})", RATING_MAX: f"5 ({question.high_label})"}
            result.rows.append(Row(label.get(value, str(value)), n, _percent(n, of)))
        result.average = round(total / of, 2) if of else None
    elif question.kind == YESNO:
        for label, value in (("Yes", 1), ("No", 0)):
            n = counts.get((question.id, None, value), 0)
            result.rows.append(Row(label, n, _percent(n, of)))
    elif question.kind == NUMBER and number_stats:
        avg, low, high = number_stats
        result.average = round(float(avg), 2) if avg is not None else None
        result.minimum, result.maximum = low, high
    elif question.kind == POSTCODE:
        result.rows = [Row(district, n, _percent(n, of)) for district, n in districts]


def latest_texts(survey: Survey, filters: Filters, question_ids: list[int], per_question: int) -> dict[int, list[str]]:
    """The newest few text answers of each question, in one query (a window function)."""
    rank = func.row_number().over(partition_by=Answer.question_id, order_by=Answer.id.desc()).label("rank")
    inner = (
        select(Answer.question_id, Answer.text, rank)
        .join(Response, Response.id == Answer.response_id)
        .where(*counted_where(survey, filters), Answer.question_id.in_(question_ids), Answer.text.is_not(None))
        .subquery()
    )
    found: dict[int, list[str]] = {}
    for question_id, text, _rank in db.session.execute(
        select(inner).where(inner.c.rank <= per_question).order_by(inner.c.question_id, inner.c.rank)
    ).all():
        found.setdefault(question_id, []).append(text)
    return found


def _like(term: str) -> str:
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_texts(survey: Survey, question: Question, filters: Filters, term: str = "", page: int = 1):
    """A page of one question's text answers (free text, or "other" answers), newest first, with search."""
    query = (
        select(Answer)
        .join(Response, Response.id == Answer.response_id)
        .where(*counted_where(survey, filters), Answer.question_id == question.id, Answer.text.is_not(None))
        .options(contains_eager(Answer.response))
        .order_by(Answer.id.desc())
    )
    if term:
        query = query.where(func.lower(Answer.text).like(_like(term), escape="\\"))
    return db.paginate(query, page=page, per_page=TEXT_PAGE, error_out=False, count=True)


def responses_by_day(survey: Survey, filters: Filters) -> list[tuple[date, int]]:
    """Complete responses per local day, with empty days filled in between the first and last."""
    rows = db.session.execute(
        select(Response.completed_on, func.count())
        .where(*counted_where(survey, filters))
        .group_by(Response.completed_on)
        .order_by(Response.completed_on)
    ).all()
    counts = {day: n for day, n in rows if day is not None}
    if not counts:
        return []
    first, last = min(counts), max(counts)
    return [
        (first + timedelta(days=d), counts.get(first + timedelta(days=d), 0)) for d in range((last - first).days + 1)
    ]


def by_week(days: list[tuple[date, int]]) -> list[tuple[date, int]]:
    """Days summed into weeks starting on Monday, for long surveys."""
    weeks: dict[date, int] = {}
    for day, n in days:
        start = day - timedelta(days=day.weekday())
        weeks[start] = weeks.get(start, 0) + n
    return sorted(weeks.items())


def filter_teams(survey: Survey) -> list[tuple[int, str]]:
    """Teams that have responses (for the team filter)."""
    return [
        (team_id, name)
        for team_id, name in db.session.execute(
            select(Team.id, Team.name)
            .where(Team.id.in_(select(Response.team_id).where(Response.survey_id == survey.id)))
            .order_by(Team.name)
        ).all()
    ]


def filter_districts(survey: Survey) -> list[str]:
    rows = db.session.scalars(
        select(Response.district)
        .where(Response.survey_id == survey.id, Response.district.is_not(None))
        .group_by(Response.district)
    ).all()
    return sorted(rows, key=_district_order)


def _district_order(district: str) -> tuple:
    letters = "".join(ch for ch in district if ch.isalpha())
    digits = "".join(ch for ch in district[len(letters) :] if ch.isdigit())
    return letters, int(digits or 0), district


def response_counts(survey_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(complete, pending) per survey, in one query, for lists."""
    if not survey_ids:
        return {}
    found: dict[int, list[int]] = {}
    for survey_id, status, n in db.session.execute(
        select(Response.survey_id, Response.status, func.count())
        .where(Response.survey_id.in_(survey_ids))
        .group_by(Response.survey_id, Response.status)
    ).all():
        found.setdefault(survey_id, [0, 0])[0 if status == COMPLETE else 1] += n
    return {k: (v[0], v[1]) for k, v in found.items()}
