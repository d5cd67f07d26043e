"""Staff screens for a team's priorities: list, set, edit, record actions, close, reopen, delete.

"You said, we did" becomes a priority or an action from here (surveys sit below priorities,
so the survey pages cannot offer it themselves): the list shows the team's published
outcomes, each with a page offering both.
"""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user

from engagement.core.actions import perform, render_form, submit
from engagement.core.errors import DomainError
from engagement.core.markup import plain_text
from engagement.core.permissions import access, get_or_404, require_team
from engagement.core.timeutil import to_local
from engagement.priorities import queries, services
from engagement.priorities.forms import ActionForm, CloseForm, ConfirmForm, PriorityForm
from engagement.priorities.models import MAX_CURRENT, SURVEY, PriorityAction
from engagement.surveys.outcomes import recent_outcomes
from engagement.teams.views import team_or_404


def _team(slug: str):
    team = team_or_404(slug)
    require_team(team)
    return team


def _priority(priority_id: int):
    priority = queries.get_priority(priority_id)
    if priority is None:
        abort(404, "We could not find that priority.")
    require_team(priority.team)
    return priority


def _list_page(team) -> str:
    return url_for("priorities.staff_priorities", slug=team.slug)


def _published_outcome(team, survey_id: int):
    """The survey (in the team's scope) with its published "You said, we did", or 404."""
    try:
        survey = services.survey_in_scope(team, survey_id)
    except DomainError:
        survey = None
    if survey is None:
        abort(404, "We could not find that survey for this team.")
    return survey


@access("team")
def staff_priorities(slug: str):
    team = _team(slug)
    current, closed = queries.team_priorities(team)
    outcomes = recent_outcomes(team, limit=5)
    return render_template("priorities/staff/list.html", team=team, current=current, closed=closed,
                           outcomes=outcomes, max_current=MAX_CURRENT)  # fmt: skip


def _details(form: PriorityForm) -> services.PriorityDetails:
    return services.PriorityDetails(issue=form.issue.data or "", set_on=form.set_on.data, how=form.how.data,
                                    how_detail=form.how_detail.data or "", survey_id=form.survey.data or None)  # fmt: skip


def _survey_choices(form: PriorityForm, team) -> None:
    form.survey.choices = [(0, "No survey")] + [(s.id, s.title) for s in services.survey_choices(team)]


@access("team")
def priority_new(slug: str):
    team = _team(slug)
    form = PriorityForm()
    _survey_choices(form, team)
    survey_id = request.args.get("survey", type=int)
    if request.method == "GET" and survey_id:
        survey = _published_outcome(team, survey_id)
        form.how.data, form.survey.data, form.how_detail.data = SURVEY, survey.id, f"Survey: {survey.title}"[:200]
    done = submit(form, lambda: services.create_priority(team, actor=current_user, details=_details(form)),
                  success=_list_page(team), message="Priority set. It shows on the team page now.")  # fmt: skip
    return done or render_form("priorities/staff/form.html", form, team=team, priority=None,
                               full=services.current_count(team) >= MAX_CURRENT, max_current=MAX_CURRENT)  # fmt: skip


@access("team")
def priority_edit(priority_id: int):
    priority = _priority(priority_id)
    form = PriorityForm(obj=priority) if request.method == "GET" else PriorityForm()
    _survey_choices(form, priority.team)
    if request.method == "GET":
        form.survey.data = priority.survey_id or 0
    done = submit(form, lambda: services.update_priority(priority, actor=current_user, details=_details(form)),
                  success=_list_page(priority.team), message="Saved.")  # fmt: skip
    return done or render_form("priorities/staff/form.html", form, team=priority.team, priority=priority, full=False,
                               max_current=MAX_CURRENT)  # fmt: skip


@access("team")
def from_survey(slug: str, survey_id: int):
    """A published "You said, we did": make it a new priority, or an action on a current one."""
    team = _team(slug)
    survey = _published_outcome(team, survey_id)
    current, _closed = queries.team_priorities(team, closed_limit=0)
    return render_template("priorities/staff/from_survey.html", team=team, survey=survey, current=current,
                           full=len(current) >= MAX_CURRENT)  # fmt: skip


@access("team")
def action_new(priority_id: int):
    priority = _priority(priority_id)
    form = ActionForm()
    survey_id = request.args.get("survey", type=int)
    if request.method == "GET" and survey_id:
        survey = _published_outcome(priority.team, survey_id)
        if survey.outcome is not None and survey.outcome.is_public:
            form.text.data = f"You said, we did ({survey.title}): {plain_text(survey.outcome.will_do)}"[:2000]
            form.taken_on.data = to_local(survey.outcome.published_at).date()
    done = submit(form, lambda: services.add_action(priority, actor=current_user, taken_on=form.taken_on.data,
                                                    text=form.text.data or ""),
                  success=_list_page(priority.team), message="Action added.")  # fmt: skip
    return done or render_form("priorities/staff/action_form.html", form, priority=priority)


@access("team")
def action_delete(priority_id: int, action_id: int):
    priority = _priority(priority_id)
    action = get_or_404(PriorityAction, action_id)
    if action.priority_id != priority.id:
        abort(404, "We could not find that action.")
    form = ConfirmForm()
    done = submit(form, lambda: services.delete_action(action, actor=current_user), success=_list_page(priority.team),
                  message="Action deleted.")  # fmt: skip
    return done or render_form("priorities/staff/action_delete.html", form, priority=priority, action=action)


@access("team")
def priority_close(priority_id: int):
    priority = _priority(priority_id)
    form = CloseForm()
    done = submit(form, lambda: services.close_priority(priority, actor=current_user, closed_on=form.closed_on.data,
                                                        outcome=form.outcome.data or ""),
                  success=_list_page(priority.team),
                  message="Priority closed. Residents can still read it, with its outcome.")  # fmt: skip
    return done or render_form("priorities/staff/close.html", form, priority=priority)


@access("team")
def priority_reopen(priority_id: int):
    priority = _priority(priority_id)
    return perform(lambda: services.reopen_priority(priority, actor=current_user), success=_list_page(priority.team),
                   message="Priority reopened.")  # fmt: skip


@access("team")
def priority_delete(priority_id: int):
    priority = _priority(priority_id)
    team = priority.team
    form = ConfirmForm()
    done = submit(form, lambda: services.delete_priority(priority, actor=current_user), success=_list_page(team),
                  message="Priority deleted.")  # fmt: skip
    return done or render_form("priorities/staff/delete.html", form, priority=priority)
