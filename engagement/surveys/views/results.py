"""Staff screens for results (charts, tables, free text), exports and "You said, we did"."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user

from engagement.core.actions import commit, perform, render_form, submit
from engagement.core.exports import Column, audit_export, csv_response, xlsx_response
from engagement.core.permissions import access
from engagement.core.urls import public_url
from engagement.surveys import exports, outcomes
from engagement.surveys.charts import bar_chart, column_chart
from engagement.surveys.forms import OutcomeForm
from engagement.surveys.models import CHOICE_KINDS, TEXT_KINDS
from engagement.surveys.results import Filters, by_week, compile_results, search_texts
from engagement.surveys.views.staff import load_question, load_survey

WEEKLY_AFTER_DAYS = 42  # longer surveys are charted by week


def _filters() -> Filters:
    team = request.args.get("team", "")
    district = request.args.get("district", "").strip().upper()[:4]
    return Filters(team_id=int(team) if team.isdigit() and len(team) < 10 else None, district=district or None)


def _charts(results):
    charts = {}
    for result in results.questions:
        if result.rows:
            charts[result.question.id] = bar_chart(f"chart-{result.question.id}", result.question.text, result.rows)
    points, unit = results.by_day, "day"
    if len(points) > WEEKLY_AFTER_DAYS:
        points, unit = by_week(points), "week"
    timeline = column_chart("chart-timeline", "Responses over time", points, unit=unit)
    return charts, timeline, points, unit


@access("team")
def survey_results(survey_id: int):
    survey = load_survey(survey_id)
    filters = _filters()
    results = compile_results(survey, filters)
    charts, timeline, points, unit = _charts(results)
    return render_template(
        "surveys/staff/results.html", survey=survey, results=results, charts=charts, timeline=timeline,
        points=points, unit=unit, filters=filters, args=filters.as_args(), text_kinds=TEXT_KINDS,
    )  # fmt: skip


@access("team")
def text_answers(survey_id: int, question_id: int):
    survey = load_survey(survey_id)
    question = load_question(survey, question_id)
    if question.kind not in TEXT_KINDS and not (question.kind in CHOICE_KINDS and question.allow_other):
        abort(404, "This question has no typed answers to list.")
    filters = _filters()
    term = request.args.get("q", "").strip()[:100]
    page = search_texts(survey, question, filters, term, page=request.args.get("page", 1, type=int))
    args = {**filters.as_args(), **({"q": term} if term else {})}
    return render_template("surveys/staff/text_answers.html", survey=survey, question=question, page=page,
                           term=term, args=args, filter_args=filters.as_args())  # fmt: skip


def _raw_export(survey_id: int, fmt: str):
    survey = load_survey(survey_id)
    filters = _filters()
    columns = exports.raw_columns(survey)
    rows = exports.raw_count(survey, filters)
    # Raw answers can hold personal details (emails, free text), so every raw export is logged,
    # and the log entry is committed before the first row leaves.
    audit_export("survey_responses", actor=current_user, target=survey, rows=rows, fmt=fmt,
                 filters={**filters.as_args(), "identified": survey.identified}, columns=columns)  # fmt: skip
    commit()
    name = f"survey-{survey.id}-responses"
    if fmt == "xlsx":
        return xlsx_response(name, columns, exports.raw_rows(survey, filters), title="Responses")
    return csv_response(name, columns, exports.raw_rows(survey, filters))


@access("team")
def export_csv(survey_id: int):
    return _raw_export(survey_id, "csv")


@access("team")
def export_xlsx(survey_id: int):
    return _raw_export(survey_id, "xlsx")


@access("team")
def export_summary(survey_id: int):
    """Counts and percentages only: no personal data, so not audited."""
    survey = load_survey(survey_id)
    results = compile_results(survey, _filters())
    columns: list[Column] = exports.SUMMARY_COLUMNS
    return csv_response(f"survey-{survey.id}-summary", columns, list(exports.summary_rows(results)))


# --- "You said, we did" ------------------------------------------------------------------------------


def _outcome_page(survey_id: int) -> str:
    return url_for("surveys.outcome_edit", survey_id=survey_id)


@access("team")
def outcome_edit(survey_id: int):
    survey = load_survey(survey_id)
    outcome = survey.outcome
    form = OutcomeForm(obj=outcome) if outcome is not None and request.method == "GET" else OutcomeForm()
    form.headlines.choices = [(q.id, q.text) for q in survey.questions]
    if request.method == "GET" and outcome is not None:
        form.headlines.data = list(outcome.headline_question_ids or [])
    if survey.state() == "closed":
        publish = request.form.get("action") == "publish"

        def save():
            return outcomes.save_outcome(survey, actor=current_user, said=form.said.data or "",
                                         will_do=form.will_do.data or "", headline_ids=form.headlines.data,
                                         publish=publish)  # fmt: skip

        message = "Published “You said, we did”." if publish else "Saved as a draft."
        done = submit(form, save, success=_outcome_page(survey.id), message=message)
        if done:
            return done
    return render_form("surveys/staff/outcome.html", form, survey=survey, outcome=outcome, state=survey.state())


@access("team")
def outcome_unpublish(survey_id: int):
    survey = load_survey(survey_id)
    return perform(lambda: outcomes.unpublish_outcome(survey, actor=current_user), success=_outcome_page(survey.id),
                   message="“You said, we did” is no longer on the site. It is saved as a draft.")  # fmt: skip


@access("team")
def outcome_news(survey_id: int):
    survey = load_survey(survey_id)
    survey_url = public_url("surveys.answer", survey_id=survey.id)
    return perform(
        lambda: outcomes.make_news_post(survey, actor=current_user, survey_url=survey_url),
        success=lambda post: url_for("news.post_edit", post_id=post.id),
        message="Made a draft news post. Check it, then publish it.",
        failure=_outcome_page(survey.id),
    )
