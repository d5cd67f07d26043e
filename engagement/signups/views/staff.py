"""The team's side: attendee lists, one-tap attendance, walk-ins, exports and sign-in sheets.

Access: officers of the event's team, coordinators and admins (`@access("team")` plus
require_team). The cross-date export is "staff" and limits officers to their own teams.
Every export and sign-in sheet is written to the audit log (and committed) before any row is sent.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from engagement.core.actions import commit, perform, render_form, submit
from engagement.core.db import utcnow
from engagement.core.errors import DomainError
from engagement.core.exports import audit_export, choose_columns, xlsx_response
from engagement.core.forms import apply_domain_error
from engagement.core.permissions import access, get_or_404, require_team, works_across_teams
from engagement.core.timeutil import to_local
from engagement.events.models import EventType, Occurrence
from engagement.events.queries import all_types, with_everything
from engagement.extensions import db
from engagement.signups import exports, queries, services
from engagement.signups.forms import ConfirmForm, ExportForm, MessageForm, WalkInForm
from engagement.signups.models import CONFIRMED, Signup
from engagement.teams.services import all_teams, teams_for


def load_date(occurrence_id: int) -> Occurrence:
    row = (
        db.session.scalars(with_everything(db.select(Occurrence).where(Occurrence.id == occurrence_id)))
        .unique()
        .one_or_none()
    )
    if row is None:
        abort(404, "We could not find that date.")
    require_team(row.event.team)
    return row


@access("staff")
def staff_index():
    """Dates of my teams from a week ago to four weeks ahead that take sign-ups, with counts."""
    now = utcnow()
    teams = teams_for(current_user)
    if works_across_teams(current_user) and current_user.team_ids and request.args.get("all") != "1":
        teams = [t for t in teams if t.id in current_user.team_ids]
    dates = queries.staff_dates(teams, start=now - timedelta(days=7), end=now + timedelta(days=28))
    return render_template("signups/staff/index.html", dates=dates, now=now, teams=teams)


@access("team")
def message(occurrence_id: int):
    """Write a message to everyone booked (or booked and waiting), check who gets it, then send it."""
    row = load_date(occurrence_id)
    form = MessageForm()
    back = url_for("signups.attendees", occurrence_id=row.id)
    if request.method == "GET":
        form.request_key.data = secrets.token_urlsafe(16)
    if form.validate_on_submit() and not request.form.get("change"):
        try:
            text = services.check_message(row, form.audience.data, form.message.data, actor=current_user)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            if form.confirmed.data != "yes":
                form.confirmed.data = "yes"
                return render_template("signups/staff/message_check.html", form=form, row=row, event=row.event,
                                       text=text, recipients=services.message_recipients(row, form.audience.data),
                                       audience=services.AUDIENCES[form.audience.data], back=back)  # fmt: skip
            done = submit(
                form,
                lambda: services.message_booked(
                    row,
                    audience=form.audience.data,
                    text=form.message.data,
                    actor=current_user,
                    request_key=form.request_key.data or None,
                ),  # fmt: skip
                validate=False,
                success=back,
                message=lambda n: (
                    f"Message sent to {n} {'person' if n == 1 else 'people'}. "
                    "Each gets their own email through the outbox within a minute."
                ),
            )
            if done:
                return done
    form.confirmed.data = ""
    counts = {audience: services.message_recipients(row, audience).count for audience in services.AUDIENCES}
    return render_form("signups/staff/message.html", form, row=row, event=row.event, counts=counts, back=back)


@access("team")
def attendees(occurrence_id: int):
    row = load_date(occurrence_id)
    people = queries.attendee_list(row)
    return render_template(
        "signups/staff/attendees.html",
        row=row,
        event=row.event,
        people=people,
        form=ConfirmForm(),
        columns=exports.COLUMNS,
        default_keys=exports.DEFAULT_KEYS,
        places_left=queries.places_left([row])[row.id],
    )


@access("team")
def attendance(signup_id: int):
    signup = get_or_404(Signup, signup_id)
    require_team(signup.occurrence.event.team)
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form had expired. Go back, reload the page and try again.")
    back = url_for("signups.attendees", occurrence_id=signup.occurrence_id) + f"#signup-{signup.id}"
    attended = request.form.get("attended") == "1"
    return perform(lambda: services.set_attendance(signup, actor=current_user, attended=attended), success=back)


@access("team")
def walk_in(occurrence_id: int):
    row = load_date(occurrence_id)
    form = WalkInForm()
    done = submit(
        form,
        lambda: services.add_walk_in(
            row,
            actor=current_user,
            name=form.name.data,
            places=form.places.data,
            email=form.email.data or "",
            phone=form.phone.data or "",
            access_needs=form.access_needs.data or "",
        ),
        success=url_for("signups.attendees", occurrence_id=row.id),
        message=lambda _: f"Added {form.name.data.strip()} as a walk-in.",
    )
    return done or render_form("signups/staff/walk_in.html", form, row=row, event=row.event)


def _send(what: str, filters: exports.ExportFilter, keys, fmt: str, filename: str, target=None):
    columns = exports.bind(choose_columns(exports.COLUMNS, keys or exports.DEFAULT_KEYS))
    rows = exports.count_rows(filters)
    audit_export(
        what, actor=current_user, target=target, rows=rows, fmt=fmt, filters=filters.describe(), columns=columns
    )
    commit()  # the audit entry exists before any row leaves
    stream = exports.stream_rows(filters, columns)
    if fmt == "xlsx":
        return xlsx_response(filename, columns, stream, title="Sign-ups")
    return exports.csv_response(filename, columns, stream)


@access("team")
def export_one(occurrence_id: int):
    row = load_date(occurrence_id)
    fmt = "xlsx" if request.args.get("format") == "xlsx" else "csv"
    filters = exports.ExportFilter(occurrence_id=row.id, include_cancelled=request.args.get("status") == "all")
    local = to_local(row.starts_at)
    filename = f"sign-ups-{row.event.title}-{local:%Y-%m-%d}"
    return _send("signups", filters, request.args.getlist("columns"), fmt, filename, target=row)


@access("staff")
def export_many():
    """The export form; with `format` in the query string, the file itself."""
    form = ExportForm(formdata=request.args)
    teams = teams_for(current_user)
    across = works_across_teams(current_user)
    form.team.choices = [("", "All teams" if across else "All my teams")]
    form.team.choices += [(t.slug, t.name) for t in teams]
    form.type.choices = [("", "All kinds"), *((str(t.id), t.name) for t in all_types())]
    form.columns.choices = [(c.key, c.heading) for c in exports.COLUMNS]
    if not request.args.getlist("columns"):
        form.columns.data = list(exports.DEFAULT_KEYS)
    if "format" not in request.args:
        return render_template("signups/staff/export.html", form=form)
    if not form.validate():
        return render_template("signups/staff/export.html", form=form), 400
    if form.from_date.data and form.to_date.data and form.to_date.data < form.from_date.data:
        form.to_date.errors = ["The end date must be on or after the start date"]
        return render_template("signups/staff/export.html", form=form), 400
    team_ids = None if across else [t.id for t in teams]
    if form.team.data:
        chosen = next((t for t in all_teams() if t.slug == form.team.data), None)
        if chosen is None:
            abort(404, "There is no such team.")
        require_team(chosen)
        team_ids = [chosen.id]
    type_id = None
    if form.type.data:
        etype = db.session.get(EventType, int(form.type.data)) if form.type.data.isdigit() else None
        if etype is None:
            abort(404, "There is no such kind of event.")
        type_id = etype.id
    filters = exports.ExportFilter(
        team_ids=team_ids,
        type_id=type_id,
        from_date=form.from_date.data,
        to_date=form.to_date.data,
        include_cancelled=form.status.data == "all",
    )
    fmt = "xlsx" if form.format.data == "xlsx" else "csv"
    return _send("signups", filters, form.columns.data, fmt, f"sign-ups-{to_local(utcnow()):%Y-%m-%d}")


@access("team")
def sign_in_sheet(occurrence_id: int):
    """A printable A4 sheet: names and places to tick at the door, and blank rows for walk-ins."""
    row = load_date(occurrence_id)
    listed = db.session.scalar(
        select(func.count()).select_from(Signup).where(Signup.occurrence_id == row.id, Signup.status == CONFIRMED)
    )
    audit_export(
        "signups.sign_in_sheet",
        actor=current_user,
        target=row,
        rows=listed,
        fmt="html",
        filters={"occurrence": row.id},
        columns=[c for c in exports.COLUMNS if c.key in ("name", "places")],
    )
    commit()  # logged before anything is shown
    row = load_date(occurrence_id)
    people = queries.attendee_list(row)
    return render_template("signups/staff/sign_in_sheet.html", row=row, event=row.event, people=people, blank=range(8))
