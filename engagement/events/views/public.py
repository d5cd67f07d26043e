"""Public event pages: /events (upcoming dates, filterable) and /events/<occurrence id> (one date)."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user

from engagement.core.db import utcnow
from engagement.core.hooks import occurrence_sections
from engagement.core.i18n import _
from engagement.core.lean import cacheable_request, page_response
from engagement.events import page_queries, queries
from engagement.events.display import ICS_ENDPOINT, by_local_day
from engagement.events.forms import EventFilterForm
from engagement.events.languages import SPOKEN, spoken_name
from engagement.events.wall_clock import local_to_utc
from engagement.teams.services import all_teams


def event_list():
    form = EventFilterForm(formdata=request.args)
    form.team.choices = [("", _("All teams")), *((t.slug, t.name) for t in all_teams())]
    form.type.choices = [("", _("All kinds of event")), *((t.slug, t.name) for t in queries.all_types())]
    form.language.choices = [("", _("Any language")), *((code, spoken_name(code)) for code in SPOKEN)]
    if not form.validate():
        return render_template("events/list.html", form=form, page=None, days=[], args={}), 400
    filters = queries.Filters(
        team=form.team.data or "",
        type=form.type.data or "",
        area=form.area.data or "",
        from_date=form.from_date.data,
        to_date=form.to_date.data,
        shifts=bool(form.show.data),
        language=form.language.data or "",
    )
    page = queries.public_upcoming(filters, page=request.args.get("page", 1, type=int))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    if page.beyond_end:
        # "Page 999 of 28" (a stale bookmark, or dates that have since passed): the last page, at its
        # own address, rather than an empty page or a 404 for a list that does exist.
        last = page.last_page
        return redirect(url_for("events.event_list", **args, **({"page": last} if last > 1 else {})))
    return render_template("events/list.html", form=form, page=page, days=by_local_day(page.items), args=args)


def occurrence(occurrence_id: int):
    """One date's page. Signed-in staff (edit links, draft previews) get it built for them in one statement;
    an anonymous visitor gets it from the page cache when its facts are unchanged (one statement, or a 304)."""
    viewer = current_user if current_user.is_authenticated else None
    now = utcnow()
    facts = page_queries.page_facts(occurrence_id, now) if viewer is None and cacheable_request() else None
    if facts is None or not facts.public or _live(facts.batch):
        return _occurrence_page(occurrence_id, viewer, now)
    render = lambda: _occurrence_page(occurrence_id, None, now, facts.batch)  # noqa: E731
    return page_response(facts.key, render, last_modified=facts.changed_at)


def _live(batch: dict) -> bool:
    """A section said its figures change without a data version (a shift's staffing): never cached."""
    return any(values.get("uncached") for values in batch.values())


def _occurrence_page(occurrence_id: int, viewer, now, batch: dict | None = None) -> str:
    if batch is None:  # the sections' figures ride in the date's own statement
        row, values = page_queries.page_row(occurrence_id, viewer, page_queries.section_columns(), now)
        batch = page_queries.split_batch(values)
    else:
        row, _ = page_queries.page_row(occurrence_id, viewer)
    return render_template(
        "events/occurrence.html",
        row=row,
        event=row.event,
        venue=row.venue,
        signup_text=queries.signup_text(row.event),
        signup_sections=occurrence_sections(row, viewer, batch),
        finished=row.ends_at <= now,
        original=local_to_utc(row.original_local_start) if row.moved else None,
        has_ics=ICS_ENDPOINT in current_app.view_functions,
    )
