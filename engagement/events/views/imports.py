"""Staff upload of an .ics file into a team's events (the form twin of `flask events import-ics`)."""

from __future__ import annotations

from flask import make_response, render_template
from flask_login import current_user

from engagement.core.actions import render_form, submit
from engagement.core.errors import DomainError
from engagement.core.permissions import access, require_team
from engagement.events import queries
from engagement.events.forms import ImportIcsForm
from engagement.events.ics_import import import_ics
from engagement.events.models import EventType
from engagement.extensions import db
from engagement.teams.views import team_or_404


@access("team")
def import_ics_form(slug: str):
    team = team_or_404(slug)
    require_team(team)
    form = ImportIcsForm()
    types = queries.active_types()
    form.event_type.choices = [(t.id, t.name) for t in types]
    if not form.is_submitted():
        form.event_type.data = next((t.id for t in types if t.slug == "public-meeting"), None)

    def run():
        default_type = db.get_or_404(EventType, form.event_type.data)
        try:
            return import_ics(team, form.file.data.read(), actor=current_user, default_type=default_type)
        except DomainError as exc:  # whatever the importer refused, the message belongs next to the file
            raise DomainError(f"Nothing was imported. {exc.message}", field="file") from exc

    done = submit(
        form,
        run,
        success=lambda summary: make_response(
            render_template("events/staff/import_done.html", team=team, summary=summary)
        ),
    )
    return done or render_form("events/staff/import_ics.html", form, team=team)
