"""Staff screens for building surveys: the list, settings, questions and pages, publishing and copying.

Results, exports and "You said, we did" are in results.py.
"""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engagement.core.actions import perform, render_form, submit
from engagement.core.db import utcnow
from engagement.core.errors import DomainError
from engagement.core.permissions import access, require, works_across_teams
from engagement.events.models import Event, EventType
from engagement.extensions import db
from engagement.surveys import questions as question_rules
from engagement.surveys import services
from engagement.surveys.forms import FORCE, QuestionForm, SurveyForm, feedback_value, scope_choices, scope_value
from engagement.surveys.models import KINDS, PUBLISHED, Question, Survey
from engagement.surveys.results import response_counts
from engagement.teams.models import AREAS, Team
from engagement.teams.services import teams_for

PER_PAGE = 25


def load_survey(survey_id: int) -> Survey:
    """The survey with its questions and options, or 404; 403 unless the user may manage it."""
    survey = db.session.scalar(
        select(Survey)
        .where(Survey.id == survey_id)
        .options(selectinload(Survey.questions).selectinload(Question.options), selectinload(Survey.team))
    )
    if survey is None:
        abort(404, "We could not find that survey.")
    require(services.may_manage(current_user, survey))
    return survey


def load_question(survey: Survey, question_id: int) -> Question:
    question = next((q for q in survey.questions if q.id == question_id), None)
    if question is None:
        abort(404, "We could not find that question in this survey.")
    return question


def _survey_page(survey_id: int, **values) -> str:
    return url_for("surveys.staff_survey", survey_id=survey_id, **values)


def _visible(user):
    if works_across_teams(user):
        return select(Survey)
    return select(Survey).where(Survey.team_id.in_(user.team_ids or [-1]))


@access("staff")
def staff_surveys():
    query = (
        _visible(current_user).options(selectinload(Survey.team)).order_by(Survey.created_at.desc(), Survey.id.desc())
    )
    page = db.paginate(query, page=request.args.get("page", 1, type=int), per_page=PER_PAGE, error_out=False)
    counts = response_counts([s.id for s in page.items])
    return render_template("surveys/staff/list.html", page=page, counts=counts, now=utcnow())


# --- settings ----------------------------------------------------------------------------------


def _feedback_choices(survey: Survey | None) -> list[tuple[str, str]]:
    choices = [("", "Not event feedback")]
    types = db.session.scalars(select(EventType).where(EventType.active.is_(True)).order_by(EventType.name)).all()
    choices += [(f"type:{t.id}", f"Every “{t.name}” event") for t in types]
    team_ids = [survey.team_id] if survey is not None and survey.team_id else sorted(current_user.team_ids)
    if team_ids:
        events = db.session.scalars(
            select(Event)
            .where(Event.team_id.in_(team_ids), Event.status == PUBLISHED)
            .options(selectinload(Event.team))
            .order_by(Event.starts_at.desc())
            .limit(100)
        ).all()
        choices += [(f"event:{e.id}", f"Only “{e.title}” ({e.team.name}, {e.starts_at:%d/%m/%Y})") for e in events]
    if survey is not None and survey.event_id and f"event:{survey.event_id}" not in dict(choices):
        choices.append((f"event:{survey.event_id}", "The event chosen before"))
    return choices


def _survey_form(survey: Survey | None) -> SurveyForm:
    form = SurveyForm(obj=survey) if survey is not None and request.method == "GET" else SurveyForm()
    form.scope.choices = scope_choices(teams_for(current_user), works_across_teams(current_user), AREAS)
    form.feedback_for.choices = _feedback_choices(survey)
    if request.method == "GET":
        if survey is not None:
            form.scope.data, form.feedback_for.data = scope_value(survey), feedback_value(survey)
            form.fill_times(survey)
        elif request.args.get("team"):
            team = db.session.scalar(select(Team).where(Team.slug == request.args["team"]))
            form.scope.data = f"team:{team.id}" if team else None
    return form


def _details(form: SurveyForm) -> services.SurveyDetails:
    kind, _, value = (form.scope.data or "").partition(":")
    team = db.session.get(Team, int(value)) if kind == "team" and value.isdigit() else None
    if (kind == "team" and team is None) or (kind not in ("team", "area") and form.scope.data != FORCE):
        raise DomainError("Choose who the survey is for", field="scope")
    attach, _, ident = (form.feedback_for.data or "").partition(":")
    event = db.session.get(Event, int(ident)) if attach == "event" and ident.isdigit() else None
    event_type = db.session.get(EventType, int(ident)) if attach == "type" and ident.isdigit() else None
    return services.SurveyDetails(
        title=form.title.data or "",
        introduction=form.introduction.data or "",
        team=team,
        area=value if kind == "area" else None,
        mode=form.mode.data,
        opens_at=form.opens_at(),
        closes_at=form.closes_at(),
        event=event,
        event_type=event_type,
    )


def _save_settings(form: SurveyForm, survey: Survey | None):
    return submit(
        form,
        lambda: services.save_survey(survey, _details(form), actor=current_user),
        success=lambda saved: _survey_page(saved.id),
        message=lambda saved: f"Saved “{saved.title}”.",
    )


@access("staff")
def survey_new():
    form = _survey_form(None)
    if not form.scope.choices:
        return render_template("surveys/staff/no_team.html"), 403
    return _save_settings(form, None) or render_form("surveys/staff/form.html", form, survey=None)


@access("team")
def survey_edit(survey_id: int):
    survey = load_survey(survey_id)
    form = _survey_form(survey)
    done = _save_settings(form, survey)
    return done or render_form("surveys/staff/form.html", form, survey=survey, locked=services.is_locked(survey))


@access("team")
def staff_survey(survey_id: int):
    survey = load_survey(survey_id)
    complete, pending = response_counts([survey.id]).get(survey.id, (0, 0))
    return render_template(
        "surveys/staff/survey.html", survey=survey, pages=question_rules.pages(survey), complete=complete, pending=pending,
        locked=complete + pending > 0, state=survey.state(), kinds=KINDS, scope=services.scope_label(survey),
    )  # fmt: skip


def _act(survey_id: int, action, done: str):
    """A button on the survey page: run the service, then back to the survey (the copy, for a copy)."""
    survey = load_survey(survey_id)
    return perform(
        lambda: action(survey, actor=current_user),
        success=lambda result: _survey_page(result.id if isinstance(result, Survey) else survey_id),
        message=done.format(title=survey.title),
        failure=_survey_page(survey_id),
    )


@access("team")
def survey_publish(survey_id: int):
    return _act(survey_id, services.publish_survey, "Published “{title}”. Share its link or print its poster.")


@access("team")
def survey_close(survey_id: int):
    return _act(survey_id, services.close_survey, "Closed “{title}”. No more answers will be accepted.")


@access("team")
def survey_copy(survey_id: int):
    return _act(survey_id, services.copy_survey, "Made a copy of “{title}”. You are now looking at the copy.")


@access("team")
def survey_delete(survey_id: int):
    survey = load_survey(survey_id)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        return render_template("surveys/staff/delete.html", survey=survey, question=None)
    return perform(lambda: services.delete_survey(survey, actor=current_user), success=url_for("surveys.staff_surveys"),
                   message=f"Deleted “{survey.title}”.", failure=_survey_page(survey_id))  # fmt: skip


# --- questions -----------------------------------------------------------------------------------


def _question_details(form: QuestionForm, kind: str) -> question_rules.QuestionDetails:
    return question_rules.QuestionDetails(
        kind=kind,
        text=form.text.data or "",
        hint=form.hint.data or "",
        required=bool(form.required.data),
        new_page=bool(form.new_page.data),
        options=question_rules.parse_options(form.options.data),
        allow_other=bool(form.allow_other.data),
        min_value=form.min_value.data,
        max_value=form.max_value.data,
        low_label=form.low_label.data or "",
        high_label=form.high_label.data or "",
    )


def _save_question(survey: Survey, question: Question | None, form: QuestionForm, kind: str):
    def save() -> Question:
        details = _question_details(form, kind)
        if question is None:
            return question_rules.add_question(survey, details, actor=current_user)
        question_rules.update_question(question, details, actor=current_user)
        return question

    return submit(
        form,
        save,
        success=lambda saved: _survey_page(survey.id, _anchor=f"question-{saved.id}"),
        message=lambda saved: f"Saved the question “{saved.text}”.",
    )


@access("team")
def question_new(survey_id: int):
    survey = load_survey(survey_id)
    kind = request.values.get("kind", "")
    if kind not in KINDS:
        error = "Choose a type of question" if "kind" in request.values else None
        return render_template("surveys/staff/choose_kind.html", survey=survey, kinds=KINDS, error=error,
                               locked=services.is_locked(survey)), 400 if error else 200  # fmt: skip
    form = QuestionForm()
    if request.method == "GET" and kind == "rating":
        form.low_label.data, form.high_label.data = "Very poor", "Very good"
    return _save_question(survey, None, form, kind) or render_form(
        "surveys/staff/question_form.html", form, survey=survey, question=None, kind=kind, kinds=KINDS,
        locked=services.is_locked(survey),
    )  # fmt: skip


@access("team")
def question_edit(survey_id: int, question_id: int):
    survey = load_survey(survey_id)
    question = load_question(survey, question_id)
    form = QuestionForm(obj=question) if request.method == "GET" else QuestionForm()
    if request.method == "GET":
        form.options.data = "\n".join(o.label for o in question.options)
    return _save_question(survey, question, form, question.kind) or render_form(
        "surveys/staff/question_form.html", form, survey=survey, question=question, kind=question.kind, kinds=KINDS,
        locked=services.is_locked(survey),
    )  # fmt: skip


@access("team")
def question_move(survey_id: int, question_id: int):
    survey = load_survey(survey_id)
    question = load_question(survey, question_id)
    return perform(
        lambda: question_rules.move_question(question, request.form.get("direction", ""), actor=current_user),
        success=_survey_page(survey.id, _anchor=f"question-{question.id}"),
    )


@access("team")
def question_delete(survey_id: int, question_id: int):
    survey = load_survey(survey_id)
    question = load_question(survey, question_id)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        return render_template("surveys/staff/delete.html", survey=survey, question=question)
    return perform(lambda: question_rules.delete_question(question, actor=current_user),
                   success=_survey_page(survey.id), message="Deleted the question.")  # fmt: skip
