"""Staff screens for what events are made of: event types (admins) and venues (officers for their teams)."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user

from engagement.core.actions import render_form, submit
from engagement.core.permissions import access, get_or_404, require, works_across_teams
from engagement.events import queries, services
from engagement.events.forms import EventTypeForm, VenueForm
from engagement.events.models import EventType, Venue
from engagement.extensions import db
from engagement.teams.models import Team
from engagement.teams.services import teams_for

# --- event types ----------------------------------------------------------------------------


@access("admin")
def event_types():
    return render_template("events/staff/event_types.html", types=queries.all_types())


def _save_type(form: EventTypeForm, etype: EventType | None):
    return submit(
        form,
        lambda: services.save_event_type(
            etype,
            actor=current_user,
            name=form.name.data,
            slug=form.slug.data or "",
            description=form.description.data or "",
            default_duration_minutes=form.default_duration_minutes.data,
            default_signup_mode=form.default_signup_mode.data,
            active=form.active.data,
        ),
        success=url_for("events.event_types"),
        message=lambda saved: f"Saved the event type “{saved.name}”.",
    )


@access("admin")
def event_type_new():
    form = EventTypeForm()
    return _save_type(form, None) or render_form("events/staff/event_type_form.html", form, etype=None)


@access("admin")
def event_type_edit(type_id: int):
    etype = get_or_404(EventType, type_id)
    form = EventTypeForm(obj=etype) if request.method == "GET" else EventTypeForm()
    return _save_type(form, etype) or render_form("events/staff/event_type_form.html", form, etype=etype)


# --- venues -----------------------------------------------------------------------------------


def _venue_form(venue: Venue | None = None) -> VenueForm:
    form = VenueForm(obj=venue) if request.method == "GET" and venue else VenueForm()
    choices = [(t.id, t.name) for t in teams_for(current_user)]
    if works_across_teams(current_user):
        choices.insert(0, (0, "Shared by every team"))
    form.team.choices = choices
    if request.method == "GET" and venue is not None:
        form.team.data = venue.team_id or 0
    return form


def _save_venue(form: VenueForm, venue: Venue | None):
    def save():
        flags = {name: getattr(form, name).data for name in services.VENUE_FLAGS}
        return services.save_venue(
            venue,
            actor=current_user,
            team=db.session.get(Team, form.team.data) if form.team.data else None,
            name=form.name.data,
            address=form.address.data or "",
            postcode=form.postcode.data or "",
            latitude=form.latitude.data,
            longitude=form.longitude.data,
            access_notes=form.access_notes.data or "",
            public_transport=form.public_transport.data or "",
            **flags,
        )

    return submit(
        form, save, success=url_for("events.venues"), message=lambda saved: f"Saved the venue “{saved.name}”."
    )


@access("staff")
def venues():
    venues = queries.venues_for(current_user)
    editable = {v.id for v in venues if services.can_edit_venue(current_user, v)}
    return render_template("events/staff/venues.html", venues=venues, editable=editable)


@access("staff")
def venue_new():
    form = _venue_form()
    if not form.team.choices:
        abort(403)
    return _save_venue(form, None) or render_form("events/staff/venue_form.html", form, venue=None)


@access("team")
def venue_edit(venue_id: int):
    venue = get_or_404(Venue, venue_id)
    require(services.can_edit_venue(current_user, venue))
    form = _venue_form(venue)
    return _save_venue(form, venue) or render_form("events/staff/venue_form.html", form, venue=venue)
