"""Session return pages: the volunteer's sheet after a shift, the team's record/edit sheet, the list,
one return, and the exports.

  /speed-watch/shifts/<id>/return          volunteer on that date: send the return once; never see it again
  /staff/speed-watch/shifts/<id>/return    team: record the return, or correct the one sent
  /staff/speed-watch/returns               staff: returns of my teams (coordinators: all), by team and month
  /staff/speed-watch/returns/<id>          team: one return with its vehicles
  /staff/speed-watch/returns.csv, .xlsx    staff: the same filter as the list, one row per vehicle
The URL table is speedwatch/blueprint.py.
"""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user

from engagement.core.actions import commit, perform
from engagement.core.errors import DomainError, PermissionDenied
from engagement.core.permissions import access, get_or_404, require_team, works_across_teams
from engagement.events.models import Occurrence
from engagement.speedwatch.access import current_volunteer
from engagement.speedwatch.devices.queries import team_devices
from engagement.speedwatch.letters.queries import steps_for_return
from engagement.speedwatch.returns import exports, queries, services
from engagement.speedwatch.returns.forms import ReturnFilterForm, ReturnForm
from engagement.speedwatch.returns.thresholds import threshold_for
from engagement.teams.services import team_by_slug, teams_for

SHEET = "speedwatch/return_form.html"


def _load_date(occurrence_id: int):
    """The date and its shift; a date that is not a Speed Watch shift is answered as a 404 (NotFound)."""
    occurrence = get_or_404(Occurrence, occurrence_id)
    return occurrence, services.shift_for(occurrence)


def _page(form: ReturnForm, status: int = 200, **context):
    shift = context.get("shift")
    if shift is not None:
        devices = team_devices([shift.event.team_id])
        form.device.choices = [("", "Choose the device"), *((str(d.id), d.label) for d in devices if d.active)]
        context.setdefault("threshold", threshold_for(shift.site.speed_limit))
    return render_template(SHEET, form=form, **context), status


def _save(form: ReturnForm, save, success, **context):
    """The POST flow shared by both sheets: grow the sheet, or save once and commit; errors re-render (400).

    Every problem is shown at once, each next to its own row and field (ReturnInvalid.errors)."""
    if not form.validate_on_submit():
        form.form_errors.append("The form had expired or had too many rows. Reload the page and try again.")
        return _page(form, 400, **context)
    if form.add_rows.data:
        form.add_blank_rows()
        return _page(form, **context)

    def refused(exc: DomainError):
        if isinstance(exc, PermissionDenied):
            raise exc  # the 403 page
        form.apply_errors(exc.errors if isinstance(exc, services.ReturnInvalid) else [(exc.field, exc.message)])
        return _page(form, 400, **context)

    return perform(
        lambda: save(
            actor=current_user,
            started=form.started.data,
            ended=form.ended.data,
            conditions=form.conditions.data or "",
            vehicles=form.vehicle_answers(),
            session=form.session_answers(),
        ),
        success=success,
        failure=refused,
    )


def _unavailable(exc: DomainError, context: dict):
    """No return can be recorded yet (not started, cancelled): an explanation, or the form's error on a POST."""
    if request.method == "POST":
        form = ReturnForm()
        form.form_errors.append(exc.message)
        return _page(form, 400, **context)
    return render_template(
        "speedwatch/return_unavailable.html",
        message=exc.message,
        occurrence=context["occurrence"],
        shift=context["shift"],
    )


@access("volunteer")
def volunteer_return(occurrence_id: int):
    """A volunteer on the date sends the return once; afterwards the page only says it was sent."""
    current_volunteer()
    occurrence, shift = _load_date(occurrence_id)
    context = {"occurrence": occurrence, "shift": shift, "action": request.path}
    refused = services.recording_refused(occurrence, current_user)
    if isinstance(refused, PermissionDenied):
        return render_template("speedwatch/return_not_yours.html", message=refused.message, occurrence=occurrence), 403
    if isinstance(refused, services.AlreadySent):
        return render_template(
            "speedwatch/return_sent.html", occurrence=occurrence, shift=shift, just_sent="sent" in request.args
        )
    if refused is not None:
        return _unavailable(refused, context)
    form = ReturnForm()
    if request.method == "GET":
        form.device.data = str(shift.device_id or "")
        return _page(form, **context)
    return _save(
        form,
        lambda **answers: services.record_return(occurrence, **answers),
        lambda saved: url_for("speedwatch.volunteer_return", occurrence_id=occurrence.id, sent=1),
        **context,
    )


@access("team")
def staff_return(occurrence_id: int):
    """The team records a date's return, or corrects the one already sent (the vehicles are replaced)."""
    occurrence, shift = _load_date(occurrence_id)
    require_team(occurrence.event.team)
    existing = services.existing_return(occurrence)
    context = {"occurrence": occurrence, "shift": shift, "existing": existing, "action": request.path}
    if existing is None:
        refused = services.recording_refused(occurrence, current_user)
        if refused is not None:
            return _unavailable(refused, context)
    form = ReturnForm()
    if request.method == "GET":
        form.device.data = str(shift.device_id or "")
        if existing is not None:
            form.fill_from(existing)
        return _page(form, **context)

    def save(**answers):
        if existing is not None:
            return services.edit_return(existing, **answers)
        return services.record_return(occurrence, **answers)

    return _save(form, save, lambda saved: url_for("speedwatch.return_detail", return_id=saved.id), **context)


# --- the list, one return, the exports ---------------------------------------------------------


def read_filters(user) -> tuple[ReturnFilterForm, queries.ReturnFilter, bool]:
    """The list/export filter from the query string: (form, filter, ok). A team outside the
    user's reach is 403, an unknown one 404; a month that is not a month makes ok False."""
    form = ReturnFilterForm(formdata=request.args)
    teams = teams_for(user)
    everyone = works_across_teams(user)
    form.team.choices = [("", "All teams" if everyone else "All my teams"), *((t.slug, t.name) for t in teams)]
    team_ids = None if everyone else [t.id for t in teams]
    if form.team.data:
        chosen = team_by_slug(form.team.data)
        if chosen is None:
            abort(404, "There is no such team.")
        require_team(chosen)
        team_ids = [chosen.id]
    month = form.month_start()
    return form, queries.ReturnFilter(team_ids=team_ids, month=month), not form.month.errors


@access("staff")
def returns_list():
    """Returns of my teams (coordinators and admins: every team), newest first, by team and month."""
    form, filters, ok = read_filters(current_user)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 10_000)
    rows, has_next = queries.list_returns(filters, page=page) if ok else ([], False)
    args = {k: v for k, v in request.args.items() if k in ("team", "month") and v}
    return (
        render_template("speedwatch/return_list.html", form=form, rows=rows, page=page, has_next=has_next, args=args),
        200 if ok else 400,
    )


@access("team")
def return_detail(return_id: int):
    ret = queries.return_with_vehicles(return_id)
    if ret is None:
        abort(404, "We could not find that return.")
    require_team(ret.team)
    steps = {step.ladder.registration: step for step in steps_for_return(ret.id)}
    return render_template("speedwatch/return_detail.html", ret=ret, steps=steps)


def _export(fmt: str):
    form, filters, ok = read_filters(current_user)
    if not ok:
        return render_template(
            "errors/error.html", status=400, title="Check the filter", message=form.month.errors[0], hint=""
        ), 400
    exports.record_export(filters, actor=current_user, fmt=fmt)
    commit()  # the audit entry exists before any row leaves
    return exports.export_response(filters, fmt)


@access("staff")
def returns_csv():
    """The returns the filter admits as CSV, one row per vehicle (officers: their teams only)."""
    return _export("csv")


@access("staff")
def returns_xlsx():
    return _export("xlsx")
