"""Speed Watch shift pages: staff schedule and watch staffing; volunteers join and withdraw in one tap.

  /staff/speed-watch/shifts                 coming shifts of my teams with their staffing (staff)
  /staff/speed-watch/shifts/new             schedule a one-off or repeating shift (staff)
  /staff/speed-watch/shifts/<id>            one date: its volunteers with roles and phones, its device (team)
  /staff/speed-watch/shifts/<id>/device     POST: give every coming date of the shift another device (team)
  /speed-watch/shifts                       my team's coming shifts (volunteer)
  /speed-watch/shifts/<id>                  one date for volunteers: site notes, first names only
  /speed-watch/shifts/<id>/join, /withdraw  POST, one tap (a withdrawal inside the quorum window asks first)
The rota and its private calendar feed are in shifts/rota.py; the URL table is speedwatch/blueprint.py.
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from engagement.core.actions import perform, render_form, rollback, submit
from engagement.core.db import utcnow
from engagement.core.permissions import access, require_team
from engagement.core.timeutil import format_date, to_local
from engagement.events.models import Occurrence
from engagement.extensions import db
from engagement.speedwatch.access import current_volunteer
from engagement.speedwatch.devices.models import Device
from engagement.speedwatch.devices.queries import device_choices, flagged_dates, usable_devices
from engagement.speedwatch.devices.services import assign_device
from engagement.speedwatch.returns.queries import returned_dates
from engagement.speedwatch.shifts import queries, services
from engagement.speedwatch.shifts.forms import ROLE_CHOICES, DeviceForm, JoinForm, ShiftForm, WithdrawForm
from engagement.speedwatch.shifts.models import SHIFT_ROLES
from engagement.speedwatch.shifts.staffing import in_quorum_window, quorum_window, shift_for
from engagement.speedwatch.sites.models import Site
from engagement.speedwatch.sites.queries import active_sites
from engagement.teams.services import teams_for

STAFF_WEEKS, VOLUNTEER_WEEKS = 6, 8


def _date_or_404(occurrence_id: int) -> Occurrence:
    row = queries.load_date(occurrence_id)
    if row is None:
        abort(404, "We could not find that shift.")
    return row


# --- staff ----------------------------------------------------------------------------------


@access("staff")
def shifts_list():
    now = utcnow()
    teams = teams_for(current_user)
    dates = queries.shift_dates([t.id for t in teams], start=now, end=now + timedelta(weeks=STAFF_WEEKS))
    ids = [row.id for row, _ in dates]
    return render_template(
        "speedwatch/shift_list_staff.html",
        dates=dates,
        staffing=queries.staffing_for(ids),
        flagged=flagged_dates(ids),
        teams=teams,
        weeks=STAFF_WEEKS,
    )


def _site_choices(teams) -> list[tuple[int, str]]:
    sites = active_sites([t.id for t in teams])
    names = {t.id: t.name for t in teams}
    several = len({s.team_id for s in sites}) > 1
    return [(s.id, f"{s.name} ({names[s.team_id]})" if several else s.name) for s in sites]


@access("staff")
def shift_new():
    teams = teams_for(current_user)
    form = ShiftForm()
    form.team.choices = [(t.id, t.name) for t in teams]
    form.site.choices = _site_choices(teams)
    form.device.choices = device_choices(usable_devices([t.id for t in teams], to_local(utcnow()).date()), teams)
    if request.method == "GET" and len(teams) == 1:
        form.team.data = teams[0].id

    def scheduled(shift) -> str:
        draft = "" if form.publish.data == "yes" else " as a draft"
        late = len(flagged_dates([o.id for o in shift.event.occurrences]))
        warning = (
            f" {late} of its dates fall after the device's calibration runs out: they are flagged until it is renewed."
            if late
            else ""
        )
        return (
            f"Shift scheduled at {shift.site.name} from {format_date(shift.event.occurrences[0].starts_at)}"
            f"{draft}.{warning}"
        )

    done = submit(
        form,
        lambda: services.schedule_shift(
            actor=current_user,
            team=next((t for t in teams if t.id == form.team.data), None),
            site=db.session.get(Site, form.site.data),
            device=db.session.get(Device, form.device.data) if form.device.data else None,
            day=form.date.data,
            start=form.start_time.data,
            end=form.end_time.data,
            pattern=form.pattern(),
            min_team=form.min_team.data,
            max_team=form.max_team.data,
            notes=form.notes.data or "",
            publish=form.publish.data == "yes",
        ),
        success=lambda shift: url_for("speedwatch.shift", occurrence_id=shift.event.occurrences[0].id),
        message=scheduled,
    )
    return done or render_form("speedwatch/shift_new.html", form, teams=teams)


@access("team")
def shift(occurrence_id: int):
    row = _date_or_404(occurrence_id)
    require_team(row.event.team)
    found = shift_for(row)
    if found is None:
        abort(404, "That date is not a Speed Watch shift.")
    return _render_staff_shift(row, found, DeviceForm(device=found.device_id))


def _render_staff_shift(row, found, form: DeviceForm, status: int = 200):
    team = row.event.team
    form.device.choices = device_choices(usable_devices([team.id], to_local(utcnow()).date()), [team])
    return render_template(
        "speedwatch/shift_staff.html",
        row=row,
        event=row.event,
        shift=found,
        staffing=queries.staffing_for([row.id])[row.id],
        people=queries.roster(row),
        started=row.starts_at <= utcnow(),
        has_return=bool(returned_dates([row.id])),
        flagged=bool(flagged_dates([row.id])),
        collector=queries.collectors([row.id]).get(row.id),
        form=form,
    ), status


@access("team")
def shift_device(occurrence_id: int):
    """Give every coming date of this date's shift another device (refused if expired or booked elsewhere)."""
    row = _date_or_404(occurrence_id)
    require_team(row.event.team)
    found = shift_for(row)
    if found is None:
        abort(404, "That date is not a Speed Watch shift.")
    form = DeviceForm()
    form.device.choices = device_choices(
        usable_devices([row.event.team_id], to_local(utcnow()).date()), [row.event.team]
    )
    if not form.validate_on_submit():
        return _render_staff_shift(row, found, form, 400)
    return perform(
        lambda: assign_device(found, db.session.get(Device, form.device.data), actor=current_user, now=utcnow()),
        success=url_for("speedwatch.shift", occurrence_id=row.id),
        message=lambda shift: f"Every coming date of this shift now holds {shift.device.label}.",
        failure=lambda exc: _render_staff_shift(row, found, _with_error(form, exc), 400),
    )


def _with_error(form: DeviceForm, exc) -> DeviceForm:
    form.device.errors = [*form.device.errors, exc.message]
    return form


# --- volunteers -----------------------------------------------------------------------------


def _volunteer_date(occurrence_id: int):
    """The signed-in volunteer and a date of their own team's published shift; 404 otherwise."""
    volunteer = current_volunteer()
    row = _date_or_404(occurrence_id)
    return volunteer, row, services.team_shift(volunteer, row)  # NotFound is answered as a 404


@access("volunteer")
def volunteer_shifts():
    volunteer = current_volunteer()
    now = utcnow()
    dates = queries.shift_dates(
        [volunteer.team_id], start=now, end=now + timedelta(weeks=VOLUNTEER_WEEKS), public_only=True
    )
    ids = [row.id for row, _ in dates]
    mine = {signup.occurrence_id: signup for signup, _, _ in queries.volunteer_dates(volunteer, since=now)}
    return render_template(
        "speedwatch/shift_list.html",
        volunteer=volunteer,
        dates=dates,
        staffing=queries.staffing_for(ids),
        mine=mine,
        weeks=VOLUNTEER_WEEKS,
        window=quorum_window(),
        now=now,
    )


@access("volunteer")
def volunteer_shift(occurrence_id: int):
    volunteer, row, found = _volunteer_date(occurrence_id)
    return _render_volunteer_shift(volunteer, row, found, JoinForm())


def _render_volunteer_shift(volunteer, row, found, form, error: str | None = None, status: int = 200):
    now = utcnow()
    people = queries.roster(row)
    return render_template(
        "speedwatch/shift_volunteer.html",
        volunteer=volunteer,
        row=row,
        event=row.event,
        shift=found,
        site=found.site,
        staffing=queries.staffing_for([row.id])[row.id],
        collector=queries.collectors([row.id]).get(row.id),
        flagged=bool(flagged_dates([row.id])),
        others=[(queries.first_name(s.volunteer.name), s.role_label) for s in people if s.volunteer_id != volunteer.id],
        mine=next((s for s in people if s.volunteer_id == volunteer.id), None),
        form=form,
        roles=ROLE_CHOICES,
        role_labels=SHIFT_ROLES,
        error=error,
        started=row.starts_at <= now,
        in_window=in_quorum_window(row, now),
        window_hours=int(quorum_window().total_seconds() // 3600),
    ), status


@access("volunteer")
def shift_join(occurrence_id: int):
    volunteer, row, found = _volunteer_date(occurrence_id)
    form = JoinForm()
    if not form.validate_on_submit():
        return _render_volunteer_shift(volunteer, row, found, form, "Choose a role from the list, or any role.", 400)
    back = url_for("speedwatch.volunteer_shift", occurrence_id=row.id)
    try:
        return perform(
            lambda: services.sign_up_for_shift(volunteer, row, role=form.role.data or ""),
            success=back,
            message=f"You are signed up for {format_date(row.starts_at)} at {found.site.name}.",
            failure=lambda exc: _render_volunteer_shift(
                volunteer, row, found, form, exc.message, 409 if exc.status == 409 else 400
            ),
        )
    except IntegrityError:  # a double tap that raced the first: the first one counted
        rollback()
        flash("You are already signed up for this shift.", "success")
        return redirect(back)


@access("volunteer")
def shift_withdraw(occurrence_id: int):
    volunteer, row, found = _volunteer_date(occurrence_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    now = utcnow()
    if in_quorum_window(row, now) and form.confirmed.data != "yes":
        # Inside the quorum window the team counts on them: say so, then ask again.
        return render_template(
            "speedwatch/shift_withdraw.html",
            row=row,
            event=row.event,
            site=found.site,
            staffing=queries.staffing_for([row.id])[row.id],
            next=form.next.data or "",
        )
    back = (
        url_for("speedwatch.rota")
        if form.next.data == "rota"
        else url_for("speedwatch.volunteer_shift", occurrence_id=row.id)
    )
    return perform(
        lambda: services.withdraw_from_shift(volunteer, row, now=now),
        success=back,
        message=f"You have withdrawn from {format_date(row.starts_at)} at {found.site.name}.",
        failure=lambda exc: _render_volunteer_shift(volunteer, row, found, JoinForm(), exc.message, 400),
    )
