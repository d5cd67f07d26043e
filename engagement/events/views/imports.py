"""Staff upload of an .ics file into a team's events (the form twin of `flask events import-ics`).

The file's syntax is checked at once (errors go next to the file field). A small file (at most
INLINE_MAX_EVENTS events and INLINE_MAX_BYTES) is imported during the request; a bigger one is
stored and imported by the worker, and the officer is sent to its page, which says how it is
going and has a "Check again" link (no timed refresh: WCAG 2.2.1, and no JavaScript needed).
Either way a file is imported whole or not at all.
"""

from __future__ import annotations

from flask import abort, make_response, render_template, url_for
from flask_login import current_user

from engagement.core.actions import render_form, submit
from engagement.core.errors import DomainError
from engagement.core.permissions import access, get_or_404, require_team
from engagement.events import limits, queries
from engagement.events.forms import ImportIcsForm
from engagement.events.ics_import import import_ics
from engagement.events.ics_parse import check_syntax
from engagement.events.import_jobs import ImportJob, queue_import, recent_jobs, status_text
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
        data = form.file.data.read(limits.MAX_FILE_BYTES + 1)
        try:
            syntax = check_syntax(data)  # quick, and says what is wrong next to the field
            if len(data) > limits.INLINE_MAX_BYTES or len(syntax.vevent_lines) > limits.INLINE_MAX_EVENTS:
                return queue_import(
                    team, data, filename=form.file.data.filename, actor=current_user, default_type=default_type
                )
            return import_ics(team, data, actor=current_user, default_type=default_type)
        except DomainError as exc:  # whatever the importer refused, the message belongs next to the file
            raise DomainError(f"Nothing was imported. {exc.message}", field="file") from exc

    def answer(result):
        if isinstance(result, ImportJob):
            return url_for("events.import_job", slug=team.slug, job_id=result.id)
        return make_response(render_template("events/staff/import_done.html", team=team, summary=result))

    done = submit(form, run, success=answer)
    return done or render_form("events/staff/import_ics.html", form, team=team, jobs=recent_jobs(team), limits=limits)


@access("team")
def import_job(slug: str, job_id: int):
    """Where a queued import stands, or its result once the worker has finished."""
    team = team_or_404(slug)
    require_team(team)
    job = get_or_404(ImportJob, job_id)
    if job.team_id != team.id:
        abort(404)
    return render_template(
        "events/staff/import_job.html",
        team=team,
        job=job,
        status=status_text(job),
        summary=job.result,
    )
