"""The device register over HTTP.

  /staff/speed-watch/devices                      devices of my teams, calibration due first (staff)
  /staff/speed-watch/devices/new                  register a device with its certificate (staff)
  /staff/speed-watch/devices/<id>                 its history: certificates, shifts holding it, set-up checks (team)
  /staff/speed-watch/devices/<id>/edit            make, model, serial, holder, in use (team)
  /staff/speed-watch/devices/<id>/calibration     record a new certificate (team)
Volunteers never reach these pages (403). The URL table is speedwatch/blueprint.py.
"""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user

from engagement.core.actions import render_form, submit
from engagement.core.db import utcnow
from engagement.core.permissions import access, require_team
from engagement.speedwatch.access import list_scope
from engagement.speedwatch.dates import local_today, short_date
from engagement.speedwatch.devices import queries, services
from engagement.speedwatch.devices.forms import CalibrationForm, EditDeviceForm, NewDeviceForm
from engagement.teams.services import teams_for


@access("staff")
def devices():
    team_ids, chosen = list_scope()
    return render_template(
        "speedwatch/device_list.html",
        devices=queries.team_devices(team_ids),
        chosen=chosen,
        teams=teams_for(current_user),
        today=local_today(),
        state=queries.calibration_state,
    )


@access("staff")
def device_new():
    teams = teams_for(current_user)
    form = NewDeviceForm()
    form.team.choices = [(t.slug, t.name) for t in teams]
    if request.method == "GET" and len(teams) == 1:
        form.team.data = teams[0].slug
    done = submit(
        form,
        lambda: services.register_device(
            actor=current_user,
            team=next((t for t in teams if t.slug == form.team.data), None),
            make=form.make.data,
            model=form.model.data,
            serial=form.serial.data,
            holder=form.holder.data or "",
            calibrated_on=form.calibrated_on.data,
            calibration_expires=form.calibration_expires.data,
            certificate=form.certificate.data or "",
            notes=form.notes.data or "",
        ),
        success=lambda device: url_for("speedwatch.device", device_id=device.id),
        message=lambda device: f"Registered {device.label}.",
    )
    return done or render_form("speedwatch/device_form.html", form, device=None)


def _device_or_404(device_id: int):
    device = queries.device_with_calibrations(device_id)
    if device is None:
        abort(404, "We could not find that device.")
    require_team(device.team)
    return device


@access("team")
def device(device_id: int):
    found = _device_or_404(device_id)
    now = utcnow()
    booked = queries.booked_dates(found, now)
    return render_template(
        "speedwatch/device_detail.html",
        device=found,
        state=queries.calibration_state(found, local_today()),
        booked=booked,
        flagged=queries.flagged_dates([row.id for row, _ in booked]),
        checks=queries.checks_history(found),
    )


@access("team")
def device_edit(device_id: int):
    found = _device_or_404(device_id)
    form = EditDeviceForm(obj=found) if request.method == "GET" else EditDeviceForm()
    done = submit(
        form,
        lambda: services.update_device(
            found,
            actor=current_user,
            make=form.make.data,
            model=form.model.data,
            serial=form.serial.data,
            holder=form.holder.data or "",
            notes=form.notes.data or "",
            active=form.active.data,
        ),
        success=url_for("speedwatch.device", device_id=found.id),
        message=lambda saved: f"Saved {saved.label}.",
    )
    return done or render_form("speedwatch/device_form.html", form, device=found)


@access("team")
def device_calibration(device_id: int):
    found = _device_or_404(device_id)
    form = CalibrationForm()
    done = submit(
        form,
        lambda: services.record_calibration(
            found,
            actor=current_user,
            calibrated_on=form.calibrated_on.data,
            expires_on=form.calibration_expires.data,
            certificate=form.certificate.data or "",
        ),
        success=url_for("speedwatch.device", device_id=found.id),
        message=lambda row: f"Calibration recorded: valid until {short_date(row.expires_on)}.",
    )
    return done or render_form("speedwatch/device_calibration.html", form, device=found)
