"""Sign-up parts of other features' pages, registered through core.hooks: the event page's
sign-up section and the staff dashboard's sign-up figures."""

from __future__ import annotations

from flask import render_template, url_for

from engagement.core.db import utcnow
from engagement.core.permissions import can_manage_team
from engagement.signups import queries
from engagement.signups.models import BOOKABLE_MODES


def occurrence_section(row, viewer=None, data=None):
    """Places left and the way in, for dates residents book; "" leaves the events page's own text.

    `data` is queries.page_columns' values, selected with the page (registered as the section's columns)."""
    if row.event.signup_mode not in BOOKABLE_MODES:
        return ""
    state = queries.page_state(row, data=data)
    staff = viewer is not None and can_manage_team(viewer, row.event.team)
    return render_template("signups/_event_section.html", row=row, event=row.event, state=state, staff=staff)


def date_lines(rows, now=None) -> dict[int, tuple[str, str]]:
    """One truthful line per date that takes (or has) sign-ups, for staff lists: one aggregate query.

    "8 of 8 places booked · 3 waiting · full: waiting list open". Registered with core.hooks
    ("occurrence lines"), so the events dashboard and calendar show it in place of "8 places".
    """
    now = now or utcnow()
    counts = queries.counts_for([row.id for row in rows])
    lines = {}
    for row in rows:
        c = counts.get(row.id)
        if row.event.signup_mode not in BOOKABLE_MODES and c is None:
            continue
        c = c or queries.Counts()
        capacity = row.event.capacity
        places = "place" if c.booked == 1 and not capacity else "places"
        parts = [f"{c.booked} of {capacity} places booked" if capacity else f"{c.booked} {places} booked (no limit)"]
        if c.waiting:
            parts.append(f"{c.waiting} waiting")
        if c.walk_ins:
            parts.append(f"{c.walk_ins} walk-in{'s' if c.walk_ins != 1 else ''}")
        parts.append(_state(row, c, now))
        lines[row.id] = (" · ".join(parts), url_for("signups.attendees", occurrence_id=row.id))
    return lines


def _state(row, c, now) -> str:
    if row.event.signup_mode not in BOOKABLE_MODES:
        return "not taking sign-ups"
    reason = queries.closed_reason(row, now)
    if reason == "cancelled":
        return "cancelled"
    if reason == "started":
        return "sign-up closed"
    if reason == "not_public":
        return "sign-up opens when published"
    if row.event.capacity and c.booked >= row.event.capacity:
        return "full: waiting list open"
    return "sign-up open"


def dashboard_section(user, teams):
    """Links to every sign-up list: the figures themselves are on each date's line in "The next two weeks"."""
    mine = [t for t in teams if t.id in user.team_ids] or list(teams)
    if not mine:
        return ""
    return render_template("signups/staff/_dashboard.html")
