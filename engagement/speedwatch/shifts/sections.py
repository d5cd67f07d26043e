"""Speed Watch boxes on other features' pages: a shift date's public page and the staff dashboard.

Registered as hooks in speedwatch.init_app, so events and the dashboard never import Speed Watch.
"""

from __future__ import annotations

from datetime import timedelta

from flask import render_template, url_for
from sqlalchemy import select

from engagement.core.db import utcnow
from engagement.core.permissions import can_manage_team
from engagement.events.models import Occurrence
from engagement.speedwatch.shifts.models import Shift
from engagement.speedwatch.shifts.queries import shift_dates, staffing_for
from engagement.speedwatch.shifts.staffing import shift_for


def page_columns() -> dict:
    """Selected with the event page (core.hooks): whether the date is a shift at all, so the pages of
    other dates cost no lookup. A shift's staffing changes without a data version: never cached."""
    is_shift = select(Shift.event_id).where(Shift.event_id == Occurrence.event_id).correlate(Occurrence).exists()
    return {"uncached": is_shift}


def occurrence_section(row, viewer=None, data=None):
    """On the public page of a shift date: the site's limit, the staffing, and who can take part."""
    if data is not None and not data.get("uncached"):
        return ""
    found = shift_for(row)
    if found is None:
        return ""
    staffing = staffing_for([row.id]).get(row.id)
    staff = viewer is not None and can_manage_team(viewer, row.event.team)
    return render_template(
        "speedwatch/shift_event_section.html", row=row, shift=found, site=found.site, staffing=staffing, staff=staff
    )


def dashboard_section(user, teams):
    """Short-staffed Speed Watch shifts in my teams' next 14 days (two queries, at most 60 dates)."""
    mine = [t for t in teams if t.id in user.team_ids] or list(teams)
    now = utcnow()
    dates = shift_dates([t.id for t in mine], start=now, end=now + timedelta(days=14), limit=60)
    staffing = staffing_for([row.id for row, _ in dates])
    short = [(row, s, staffing[row.id]) for row, s in dates if row.id in staffing and not staffing[row.id].cancelled]
    short = [item for item in short if not item[2].going_ahead]
    if not short:
        return ""
    return render_template("speedwatch/shift_dashboard.html", short=short)


def date_lines(rows) -> dict[int, tuple[str, str]]:
    """Staff lists' line for a shift date: "4 of min 3 (max 6) volunteers · going ahead" (one query)."""
    staffing = staffing_for([row.id for row in rows])
    return {
        oid: (f"{s.counts} volunteers · {s.label}", url_for("speedwatch.shift", occurrence_id=oid))
        for oid, s in staffing.items()
    }


def places_left(rows) -> dict[int, int]:
    """Volunteer places still free per shift date (the API's places_left), counting who has signed up."""
    staffing = staffing_for([row.id for row in rows])
    return {oid: max(s.max_team - s.taken, 0) for oid, s in staffing.items()}
