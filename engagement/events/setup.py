"""Staff screens for what events are made of: event types (admins) and venues (officers for their teams)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engagement.core.errors import DomainError
from engagement.core.forms import apply_domain_error
from engagement.core.permissions import ADMIN, COORDINATOR, can_manage_team, get_or_404, require, staff_route
from engagement.events import queries, services
from engagement.events.forms import EventTypeForm, VenueForm
from engagement.events.models import EventType, Venue
from engagement.events.staff import managed_teams
from engagement.events.views import ID, bp
from engagement.extensions import db
from engagement.teams.models import Team

# --- event types ----------------------------------------------------------------------------


@staff_route(bp, "/staff/event-types", "admin")
def event_types():
    return render_template("events/staff/event_types.html", types=queries.all_types())


def _save_type(form: EventTypeForm, etype: EventType | None):
    if not form.validate_on_submit():
        return None
    try:
        etype = services.save_event_type(
            etype,
            actor=current_user,
            name=form.name.data,
            slug=form.slug.data or "",
            description=form.description.data or "",
            default_duration_minutes=form.default_duration_minutes.data,
            default_signup_mode=form.default_signup_mode.data,
            active=form.active.data,
        )
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return None
    db.session.commit()
    flash(f"Saved the event type “{etype.name}”.", "success")
    return redirect(url_for("events.event_types"))


@staff_route(bp, "/staff/event-types/new", "admin", methods=["GET", "POST"])
def event_type_new():
    form = EventTypeForm()
    done = _save_type(form, None)
    return done or (
        render_template("events/staff/event_type_form.html", form=form, etype=None),
        400 if form.errors else 200,
    )


@staff_route(bp, f"/staff/event-types/<{ID}:type_id>/edit", "admin", methods=["GET", "POST"])
def event_type_edit(type_id: int):
    etype = get_or_404(EventType, type_id)
    form = EventTypeForm(obj=etype) if request.method == "GET" else EventTypeForm()
    done = _save_type(form, etype)
    return done or (
        render_template("events/staff/event_type_form.html", form=form, etype=etype),
        400 if form.errors else 200,
    )


# --- venues -----------------------------------------------------------------------------------


def _shared_allowed(user) -> bool:
    return user.role in (ADMIN, COORDINATOR)


def can_edit_venue(user, venue: Venue) -> bool:
    """A team's venue: whoever manages the team. A shared venue: coordinators and admins."""
    return can_manage_team(user, venue.team) if venue.team is not None else _shared_allowed(user)


def _venue_form(venue: Venue | None = None) -> VenueForm:
    form = VenueForm(obj=venue) if request.method == "GET" and venue else VenueForm()
    choices = [(t.id, t.name) for t in managed_teams(current_user)]
    if _shared_allowed(current_user):
        choices.insert(0, (0, "Shared by every team"))
    form.team.choices = choices
    if request.method == "GET" and venue is not None:
        form.team.data = venue.team_id or 0
    return form


def _save_venue(form: VenueForm, venue: Venue | None):
    if not form.validate_on_submit():
        return None
    flags = {name: getattr(form, name).data for name in services.VENUE_FLAGS}
    try:
        venue = services.save_venue(
            venue,
            actor=current_user,
            team=db.session.get(Team, form.team.data) if form.team.data else None,
            name=form.name.data,
            address=form.address.data or "",
            postcode=form.postcode.data or "",
            latitude=form.latitude.data,
            longitude=form.longitude.data,
            access_notes=form.access_notes.data or "",
            **flags,
        )
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return None
    db.session.commit()
    flash(f"Saved the venue “{venue.name}”.", "success")
    return redirect(url_for("events.venues"))


@staff_route(bp, "/staff/venues", "staff")
def venues():
    venues = queries.venues_for(current_user)
    editable = {v.id for v in venues if can_edit_venue(current_user, v)}
    return render_template("events/staff/venues.html", venues=venues, editable=editable)


@staff_route(bp, "/staff/venues/new", "staff", methods=["GET", "POST"])
def venue_new():
    form = _venue_form()
    if not form.team.choices:
        abort(403)
    done = _save_venue(form, None)
    return done or (render_template("events/staff/venue_form.html", form=form, venue=None), 400 if form.errors else 200)


@staff_route(bp, f"/staff/venues/<{ID}:venue_id>/edit", "team", methods=["GET", "POST"])
def venue_edit(venue_id: int):
    venue = get_or_404(Venue, venue_id)
    require(can_edit_venue(current_user, venue))
    form = _venue_form(venue)
    done = _save_venue(form, venue)
    return done or (
        render_template("events/staff/venue_form.html", form=form, venue=venue),
        400 if form.errors else 200,
    )
