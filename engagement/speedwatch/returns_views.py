"""Session return pages: the volunteer's sheet after a shift, the team's record/edit sheet, the list and one return.

URLs:
  /speed-watch/shifts/<id>/return          volunteer on that date: send the return once; never see it again
  /staff/speed-watch/shifts/<id>/return    team: record the return, or correct the one sent
  /staff/speed-watch/returns               staff: returns of my teams (coordinators: all), by team and month
  /staff/speed-watch/returns/<id>          team: one return with its vehicles
Exports are in return_exports.py and the coordinator overview in overview.py, on the same blueprint.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from engagement.core.errors import DomainError, NotFound, PermissionDenied
from engagement.core.permissions import get_or_404, require_team, staff_route
from engagement.core.worker import register_task
from engagement.events.models import Occurrence
from engagement.extensions import db
from engagement.speedwatch import overview, registration, returns  # noqa: F401 - overview registers its route
from engagement.speedwatch.access import current_volunteer
from engagement.speedwatch.return_exports import list_returns, read_filters  # also registers the export routes
from engagement.speedwatch.return_forms import ReturnForm
from engagement.speedwatch.return_models import SessionReturn
from engagement.speedwatch.views import bp

ID = "int(min=1, max=2147483647)"


def _load_date(occurrence_id: int) -> tuple[Occurrence, object]:
    """The date and its shift, or 404 if it is not a Speed Watch shift."""
    occurrence = get_or_404(Occurrence, occurrence_id)
    try:
        return occurrence, returns.shift_for(occurrence)
    except NotFound as exc:
        abort(404, exc.message)


def _render_form(template: str, form: ReturnForm, status: int = 200, **context):
    return render_template(template, form=form, **context), status


def _submit(form: ReturnForm, save, template: str, **context):
    """The POST flow shared by both sheets: grow the sheet, or save once and commit; errors re-render (400)."""
    if not form.validate_on_submit():
        form.form_errors.append("The form had expired or had too many rows. Reload the page and try again.")
        return _render_form(template, form, 400, **context)
    if form.add_rows.data:
        form.add_blank_rows()
        return _render_form(template, form, **context)
    try:
        saved = save(
            actor=current_user,
            started=form.started.data,
            ended=form.ended.data,
            conditions=form.conditions.data or "",
            vehicles=form.vehicle_answers(),
        )
    except returns.ReturnInvalid as exc:
        db.session.rollback()
        form.apply_errors(exc.errors)
        return _render_form(template, form, 400, **context)
    except PermissionDenied:
        db.session.rollback()
        raise
    except DomainError as exc:
        db.session.rollback()
        form.apply_errors([(exc.field, exc.message)])
        return _render_form(template, form, 400, **context)
    db.session.commit()
    return saved


def _unavailable(exc: DomainError, template: str, context: dict):
    """No return can be recorded yet (not started, cancelled): an explanation, or the form's error on a POST."""
    if request.method == "POST":
        form = ReturnForm()
        form.form_errors.append(exc.message)
        return _render_form(template, form, 400, **context)
    return render_template(
        "speedwatch/return_unavailable.html",
        message=exc.message,
        occurrence=context["occurrence"],
        shift=context["shift"],
    )


@staff_route(bp, f"/speed-watch/shifts/<{ID}:occurrence_id>/return", "volunteer", methods=["GET", "POST"])
def volunteer_return(occurrence_id: int):
    """A volunteer on the date sends the return once; afterwards the page only says it was sent."""
    current_volunteer()
    occurrence, shift = _load_date(occurrence_id)
    context = {"occurrence": occurrence, "shift": shift, "action": request.path}
    template = "speedwatch/return_form.html"
    try:
        returns.check_can_record(occurrence, current_user)
    except PermissionDenied as exc:
        return render_template("speedwatch/return_not_yours.html", message=exc.message, occurrence=occurrence), 403
    except returns.AlreadySent:
        return render_template(
            "speedwatch/return_sent.html", occurrence=occurrence, shift=shift, just_sent="sent" in request.args
        )
    except DomainError as exc:
        return _unavailable(exc, template, context)
    form = ReturnForm()
    if request.method == "GET":
        return _render_form(template, form, **context)
    saved = _submit(form, lambda **answers: returns.record_return(occurrence, **answers), template, **context)
    if isinstance(saved, SessionReturn):
        return redirect(url_for("speedwatch.volunteer_return", occurrence_id=occurrence.id, sent=1))
    return saved


@staff_route(bp, f"/staff/speed-watch/shifts/<{ID}:occurrence_id>/return", "team", methods=["GET", "POST"])
def staff_return(occurrence_id: int):
    """The team records a date's return, or corrects the one already sent (the vehicles are replaced)."""
    occurrence, shift = _load_date(occurrence_id)
    require_team(occurrence.event.team)
    existing = returns.existing_return(occurrence)
    context = {"occurrence": occurrence, "shift": shift, "existing": existing, "action": request.path}
    template = "speedwatch/return_form.html"
    if existing is None:
        try:
            returns.check_can_record(occurrence, current_user)
        except DomainError as exc:
            return _unavailable(exc, template, context)
    form = ReturnForm()
    if request.method == "GET":
        if existing is not None:
            form.fill_from(existing)
        return _render_form(template, form, **context)
    if existing is not None:
        saved = _submit(form, lambda **answers: returns.edit_return(existing, **answers), template, **context)
    else:
        saved = _submit(form, lambda **answers: returns.record_return(occurrence, **answers), template, **context)
    if isinstance(saved, SessionReturn):
        return redirect(url_for("speedwatch.return_detail", return_id=saved.id))
    return saved


@staff_route(bp, "/staff/speed-watch/returns", "staff", endpoint="returns")
def returns_list():
    """Returns of my teams (coordinators and admins: every team), newest first, by team and month."""
    form, filters, ok = read_filters(current_user)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 10_000)
    rows, has_next = list_returns(filters, page=page) if ok else ([], False)
    args = {k: v for k, v in request.args.items() if k in ("team", "month") and v}
    return (
        render_template("speedwatch/return_list.html", form=form, rows=rows, page=page, has_next=has_next, args=args),
        200 if ok else 400,
    )


@staff_route(bp, f"/staff/speed-watch/returns/<{ID}:return_id>", "team")
def return_detail(return_id: int):
    ret = db.session.scalar(
        db.select(SessionReturn)
        .where(SessionReturn.id == return_id)
        .options(selectinload(SessionReturn.vehicles), selectinload(SessionReturn.recorded_by))
    )
    if ret is None:
        abort(404, "We could not find that return.")
    require_team(ret.team)
    return render_template("speedwatch/return_detail.html", ret=ret)


def init_app(app) -> None:
    """The plate filter for templates and the retention purge (routes registered on import above)."""
    app.jinja_env.filters["plate"] = registration.display
    register_task("speedwatch-returns-purge", returns.purge_returns)
