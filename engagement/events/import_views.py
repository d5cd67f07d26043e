"""Staff upload of an .ics file into a team's events (the form twin of `flask events import-ics`)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField

from engagement.core.errors import DomainError
from engagement.core.permissions import require_team, staff_route
from engagement.events import queries
from engagement.events.ics_import import import_ics
from engagement.events.models import EventType
from engagement.events.views import bp
from engagement.extensions import db
from engagement.teams.views import team_or_404


class ImportIcsForm(FlaskForm):
    file = FileField(
        "Calendar file (.ics)",
        description="Exported from Outlook, Google Calendar or another system. Up to 5 MB.",
        validators=[FileRequired("Choose an .ics file to import")],
    )
    event_type = SelectField("Kind of event, when the file does not say", coerce=int)


@staff_route(bp, "/staff/teams/<slug>/import-ics", "team", methods=["GET", "POST"])
def import_ics_form(slug: str):
    team = team_or_404(slug)
    require_team(team)
    form = ImportIcsForm()
    types = queries.active_types()
    form.event_type.choices = [(t.id, t.name) for t in types]
    if not form.is_submitted():
        form.event_type.data = next((t.id for t in types if t.slug == "public-meeting"), None)
    if form.validate_on_submit():
        try:
            summary = import_ics(
                team,
                form.file.data.read(),
                actor=current_user,
                default_type=db.get_or_404(EventType, form.event_type.data),
            )
        except DomainError as exc:
            db.session.rollback()
            form.file.errors = [f"Nothing was imported. {exc.message}"]
        else:
            db.session.commit()
            return render_template("events/staff/import_done.html", team=team, summary=summary)
    return render_template("events/staff/import_ics.html", team=team, form=form), 400 if form.errors else 200
