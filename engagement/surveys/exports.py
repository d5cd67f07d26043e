"""Survey exports: raw responses (one row per response, one column per question) and a results summary.

Raw rows come from a single query over responses and their answers, streamed in id order
and folded into one row per response as they go, so a large survey never sits in memory.
Cells go through core.exports, which neutralises anything a spreadsheet would run as a formula.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select

from engagement.core.exports import Column
from engagement.extensions import db
from engagement.surveys.models import (
    CHOICE_KINDS,
    NUMBER,
    POSTCODE,
    RATING,
    YESNO,
    Answer,
    Response,
    Survey,
)
from engagement.surveys.results import Filters, Results, counted_where
from engagement.teams.models import Team


def raw_columns(survey: Survey) -> list[Column]:
    columns = [
        Column("response", "Response", lambda r: r["id"]),
        Column("submitted", "Submitted", lambda r: r["completed_at"]),
        Column("team", "Team", lambda r: r["team"]),
        Column("district", "Postcode district", lambda r: r["district"]),
    ]
    if survey.identified:
        columns.append(Column("email", "Email", lambda r: r["email"]))
    for n, question in enumerate(survey.questions, start=1):
        columns.append(Column(f"q{question.id}", f"{n}. {question.text}", _cell_for(question)))
    # The language the resident answered in (BCP 47; "en" for answers from before languages were kept).
    # Last, so a spreadsheet that reads the earlier columns by position still lines up (issue 15).
    columns.append(Column("language", "Language", lambda r: r["language"] or "en"))
    return columns


def _cell_for(question):
    labels = {o.id: o.label for o in question.options}

    def value(row):
        answers = row["answers"].get(question.id, [])
        if not answers:
            return None
        if question.kind in CHOICE_KINDS:
            parts = [labels.get(a[0], "") if a[0] is not None else f"Other: {a[2]}" for a in answers]
            return "; ".join(parts)
        option_id, number, text, sector = answers[0]
        if question.kind == YESNO:
            return "Yes" if number == 1 else "No"
        if question.kind in (RATING, NUMBER):
            return number
        if question.kind == POSTCODE:
            return sector or text
        return text

    return value


def raw_count(survey: Survey, filters: Filters = Filters()) -> int:  # noqa: B008 - frozen dataclass
    return db.session.scalar(select(func.count(Response.id)).where(*counted_where(survey, filters))) or 0


def raw_rows(survey: Survey, filters: Filters = Filters()) -> Iterator[dict]:  # noqa: B008 - frozen dataclass
    """One dict per complete response, in order, built from one streamed outer-joined query."""
    query = (
        select(
            Response.id,
            Response.completed_at,
            Response.email,
            Response.district,
            Response.language,
            Team.name,
            Answer.question_id,
            Answer.option_id,
            Answer.number,
            Answer.text,
            Answer.sector,
        )
        .outerjoin(Team, Team.id == Response.team_id)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .where(*counted_where(survey, filters))
        .order_by(Response.id, Answer.id)
        .execution_options(yield_per=1000)
    )
    current = None
    for (
        rid,
        completed_at,
        email,
        district,
        language,
        team,
        question_id,
        option_id,
        number,
        text,
        sector,
    ) in db.session.execute(query):
        if current is None or current["id"] != rid:
            if current is not None:
                yield current
            current = {"id": rid, "completed_at": completed_at, "email": email, "district": district,
                       "language": language, "team": team or "", "answers": {}}  # fmt: skip
        if question_id is not None:
            current["answers"].setdefault(question_id, []).append((option_id, number, text, sector))
    if current is not None:
        yield current


SUMMARY_COLUMNS = [
    Column("question", "Question", lambda r: r[0]),
    Column("answer", "Answer", lambda r: r[1]),
    Column("count", "Count", lambda r: r[2]),
    Column("percent", "Percent of those who answered", lambda r: r[3]),
]


def summary_rows(results: Results) -> Iterator[tuple]:
    """Counts and percentages per answer, averages for scales and numbers, counts for free text."""
    yield ("All questions", "Responses", results.total, "")
    for n, result in enumerate(results.questions, start=1):
        heading = f"{n}. {result.question.text}"
        yield (heading, "Answered", result.answered, "")
        for row in result.rows:
            yield (heading, row.label, row.count, row.percent)
        if result.average is not None:
            yield (heading, "Average", result.average, "")
        if result.minimum is not None:
            yield (heading, "Smallest", result.minimum, "")
            yield (heading, "Largest", result.maximum, "")
