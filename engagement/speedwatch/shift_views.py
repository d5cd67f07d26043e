"""Speed Watch shift pages: staff schedule and watch staffing; volunteers join and withdraw in one tap.

URLs:
  /staff/speed-watch/shifts                 coming shifts of my teams with their staffing (staff)
  /staff/speed-watch/shifts/new             schedule a one-off or repeating shift (staff)
  /staff/speed-watch/shifts/<id>            one date: its volunteers with roles and phones (team)
  /speed-watch/shifts                       my team's coming shifts (volunteer)
  /speed-watch/shifts/<id>                  one date for volunteers: site notes, first names only
  /speed-watch/shifts/<id>/join, /withdraw  POST, one tap (a withdrawal inside the quorum window asks first)
The rota and its private calendar feed are in rota_ical.py; hooks and the worker task are wired in init_app.
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engagement.core.db import utcnow
from engagement.core.errors import DomainError, NotFound
from engagement.core.forms import apply_domain_error
from engagement.core.permissions import ADMIN, COORDINATOR, can_manage_team, require_team, staff_route
from engagement.core.timeutil import format_date
from engagement.events.models import Occurrence
from engagement.events.queries import with_everything
from engagement.extensions import db
from engagement.speedwatch import rota_ical, shifts  # noqa: F401 - rota_ical registers its routes on bp
from engagement.speedwatch.access import current_volunteer
from engagement.speedwatch.models import Site
from engagement.speedwatch.returns import returned_dates
from engagement.speedwatch.shift_forms import ROLE_CHOICES, JoinForm, ShiftForm, WithdrawForm
from engagement.speedwatch.shift_models import SHIFT_ROLES
from engagement.speedwatch.views import bp
from engagement.teams.services import all_teams

ID = "int(min=1, max=2147483647)"
STAFF_WEEKS, VOLUNTEER_WEEKS = 6, 8


def managed_teams(user):
    return all_teams() if user.role in (ADMIN, COORDINATOR) else sorted(user.teams, key=lambda t: t.name)


def load_date(occurrence_id: int) -> Occurrence:
    query = with_everything(select(Occurrence).where(Occurrence.id == occurrence_id))
    row = db.session.scalars(query).unique().one_or_none()
    if row is None:
        abort(404, "We could not find that shift.")
    return row


# --- staff ----------------------------------------------------------------------------------


@staff_route(bp, "/staff/speed-watch/shifts", "staff", endpoint="shifts")
def shifts_list():
    now = utcnow()
    teams = managed_teams(current_user)
    dates = shifts.shift_dates([t.id for t in teams], start=now, end=now + timedelta(weeks=STAFF_WEEKS))
    staffing = shifts.staffing_for([row.id for row, _ in dates])
    return render_template(
        "speedwatch/shift_list_staff.html", dates=dates, staffing=staffing, teams=teams, weeks=STAFF_WEEKS
    )


def _site_choices(teams) -> list[tuple[int, str]]:
    ids = [t.id for t in teams]
    sites = db.session.scalars(
        select(Site).where(Site.team_id.in_(ids or [-1]), Site.active.is_(True)).order_by(Site.name)
    ).all()
    names = {t.id: t.name for t in teams}
    several = len({s.team_id for s in sites}) > 1
    return [(s.id, f"{s.name} ({names[s.team_id]})" if several else s.name) for s in sites]


@staff_route(bp, "/staff/speed-watch/shifts/new", "staff", methods=["GET", "POST"])
def shift_new():
    teams = managed_teams(current_user)
    form = ShiftForm()
    form.team.choices = [(t.id, t.name) for t in teams]
    form.site.choices = _site_choices(teams)
    if request.method == "GET" and len(teams) == 1:
        form.team.data = teams[0].id
    if form.validate_on_submit():
        team = next((t for t in teams if t.id == form.team.data), None)
        site = db.session.get(Site, form.site.data)
        try:
            if team is None:
                raise DomainError("Choose one of your teams", field="team")
            shift = shifts.schedule_shift(
                actor=current_user,
                team=team,
                site=site,
                day=form.date.data,
                start=form.start_time.data,
                end=form.end_time.data,
                pattern=form.pattern(),
                min_team=form.min_team.data,
                max_team=form.max_team.data,
                notes=form.notes.data or "",
                publish=form.publish.data == "yes",
            )
            first = shift.event.occurrences[0]
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            flash(
                f"Shift scheduled at {site.name} from {format_date(first.starts_at)}"
                f"{'' if form.publish.data == 'yes' else ' as a draft'}.",
                "success",
            )
            return redirect(url_for("speedwatch.shift", occurrence_id=first.id))
    return render_template("speedwatch/shift_new.html", form=form, teams=teams), 400 if form.errors else 200


@staff_route(bp, f"/staff/speed-watch/shifts/<{ID}:occurrence_id>", "team")
def shift(occurrence_id: int):
    row = load_date(occurrence_id)
    require_team(row.event.team)
    found = shifts.shift_for(row)
    if found is None:
        abort(404, "That date is not a Speed Watch shift.")
    return render_template(
        "speedwatch/shift_staff.html",
        row=row,
        event=row.event,
        shift=found,
        staffing=shifts.staffing_for([row.id])[row.id],
        people=shifts.roster(row),
        started=row.starts_at <= utcnow(),
        has_return=bool(returned_dates([row.id])),
    )


# --- volunteers -----------------------------------------------------------------------------


def _volunteer_date(occurrence_id: int):
    """The signed-in volunteer and a date of their own team's published shift; 404 otherwise."""
    volunteer = current_volunteer()
    row = load_date(occurrence_id)
    try:
        found = shifts.team_shift(volunteer, row)
    except NotFound:
        abort(404, "We could not find that shift.")
    return volunteer, row, found


@staff_route(bp, "/speed-watch/shifts", "volunteer")
def volunteer_shifts():
    volunteer = current_volunteer()
    now = utcnow()
    dates = shifts.shift_dates(
        [volunteer.team_id], start=now, end=now + timedelta(weeks=VOLUNTEER_WEEKS), public_only=True
    )
    ids = [row.id for row, _ in dates]
    mine = {signup.occurrence_id: signup for signup, _, _ in shifts.volunteer_dates(volunteer, since=now)}
    return render_template(
        "speedwatch/shift_list.html",
        volunteer=volunteer,
        dates=dates,
        staffing=shifts.staffing_for(ids),
        mine=mine,
        weeks=VOLUNTEER_WEEKS,
        window=shifts.quorum_window(),
        now=now,
    )


@staff_route(bp, f"/speed-watch/shifts/<{ID}:occurrence_id>", "volunteer")
def volunteer_shift(occurrence_id: int):
    volunteer, row, found = _volunteer_date(occurrence_id)
    return _render_volunteer_shift(volunteer, row, found, JoinForm())


def _render_volunteer_shift(volunteer, row, found, form, error: str | None = None, status: int = 200):
    now = utcnow()
    people = shifts.roster(row)
    return render_template(
        "speedwatch/shift_volunteer.html",
        volunteer=volunteer,
        row=row,
        event=row.event,
        shift=found,
        site=found.site,
        staffing=shifts.staffing_for([row.id])[row.id],
        others=[(shifts.first_name(s.volunteer.name), s.role_label) for s in people if s.volunteer_id != volunteer.id],
        mine=next((s for s in people if s.volunteer_id == volunteer.id), None),
        form=form,
        roles=ROLE_CHOICES,
        role_labels=SHIFT_ROLES,
        error=error,
        started=row.starts_at <= now,
        in_window=shifts.in_quorum_window(row, now),
        window_hours=int(shifts.quorum_window().total_seconds() // 3600),
    ), status


@staff_route(bp, f"/speed-watch/shifts/<{ID}:occurrence_id>/join", "volunteer", methods=["POST"])
def shift_join(occurrence_id: int):
    volunteer, row, found = _volunteer_date(occurrence_id)
    form = JoinForm()
    if not form.validate_on_submit():
        return _render_volunteer_shift(volunteer, row, found, form, "Choose a role from the list, or any role.", 400)
    try:
        shifts.sign_up_for_shift(volunteer, row, role=form.role.data or "")
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # a double tap that raced the first: the first one counted
        flash("You are already signed up for this shift.", "success")
    except DomainError as exc:
        db.session.rollback()
        return _render_volunteer_shift(volunteer, row, found, form, exc.message, 409 if exc.status == 409 else 400)
    else:
        flash(f"You are signed up for {format_date(row.starts_at)} at {found.site.name}.", "success")
    return redirect(url_for("speedwatch.volunteer_shift", occurrence_id=row.id))


@staff_route(bp, f"/speed-watch/shifts/<{ID}:occurrence_id>/withdraw", "volunteer", methods=["POST"])
def shift_withdraw(occurrence_id: int):
    volunteer, row, found = _volunteer_date(occurrence_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    back = "speedwatch.rota" if form.next.data == "rota" else "speedwatch.volunteer_shift"
    now = utcnow()
    if shifts.in_quorum_window(row, now) and form.confirmed.data != "yes":
        # Inside the quorum window the team counts on them: say so, then ask again.
        return render_template(
            "speedwatch/shift_withdraw.html",
            row=row,
            event=row.event,
            site=found.site,
            staffing=shifts.staffing_for([row.id])[row.id],
            next=form.next.data or "",
        )
    try:
        shifts.withdraw_from_shift(volunteer, row, now=now)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _render_volunteer_shift(volunteer, row, found, JoinForm(), exc.message, 400)
    flash(f"You have withdrawn from {format_date(row.starts_at)} at {found.site.name}.", "success")
    if back == "speedwatch.rota":
        return redirect(url_for("speedwatch.rota"))
    return redirect(url_for("speedwatch.volunteer_shift", occurrence_id=row.id))


# --- sections on other pages ------------------------------------------------------------------


def occurrence_section(row, viewer=None):
    """On the public page of a shift date: the site's limit, the staffing, and who can take part."""
    found = shifts.shift_for(row)
    if found is None:
        return ""
    staffing = shifts.staffing_for([row.id]).get(row.id)
    staff = viewer is not None and can_manage_team(viewer, row.event.team)
    return render_template(
        "speedwatch/shift_event_section.html", row=row, shift=found, site=found.site, staffing=staffing, staff=staff
    )


def dashboard_section(user, teams):
    """Short-staffed Speed Watch shifts in my teams' next 14 days (two queries, at most 60 dates)."""
    mine = [t for t in teams if t.id in user.team_ids] or list(teams)
    now = utcnow()
    dates = shifts.shift_dates([t.id for t in mine], start=now, end=now + timedelta(days=14), limit=60)
    staffing = shifts.staffing_for([row.id for row, _ in dates])
    short = [(row, s, staffing[row.id]) for row, s in dates if row.id in staffing and not staffing[row.id].cancelled]
    short = [item for item in short if not item[2].going_ahead]
    if not short:
        return ""
    return render_template("speedwatch/shift_dashboard.html", short=short)


def init_app(app) -> None:
    from engagement.core import hooks
    from engagement.core.worker import register_task
    from engagement.speedwatch import quorum

    hooks.register_occurrence_section("speedwatch", occurrence_section, order=5)
    hooks.register_dashboard_section("speedwatch-shifts", dashboard_section, order=12)
    hooks.register_listener("occurrences.changed", "speedwatch", quorum.occurrences_changed)
    hooks.register_listener("occurrences.removed", "speedwatch", quorum.occurrences_removed)
    hooks.register_listener("speedwatch.volunteer_suspended", "speedwatch-shifts", quorum.volunteer_suspended)
    register_task("speedwatch-quorum", quorum.check_quorum)
