"""What the staff event screens share: form choices, an event as form values and back, the
schedule warnings an officer accepts before saving, and the check-your-answers step of cancelling."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import render_template, request, url_for

from engagement.accounts.models import User
from engagement.core.actions import render_form, submit
from engagement.core.db import utcnow
from engagement.core.errors import FieldChecks
from engagement.core.hooks import provider
from engagement.core.timeutil import to_local
from engagement.events import queries, series
from engagement.events.date_checks import duplicate_warning, odd_date_warnings
from engagement.events.details import EventDetails
from engagement.events.forms import CancelForm, EventForm, with_translations
from engagement.events.languages import field_name, translatable
from engagement.events.limits import in_range, schedule_range
from engagement.events.models import Event, EventType, Occurrence, Venue
from engagement.events.recurrence import describe_rrule
from engagement.events.validation import build_rule, check_details, schedule_warnings
from engagement.extensions import db
from engagement.teams.models import Team
from engagement.teams.services import teams_for


def event_page(event_id: int) -> str:
    """The staff page of an event, where every staff action returns to."""
    return url_for("events.staff_event", event_id=event_id)


def venue_choices(user, current: Venue | None = None, none_label: str = "No venue: online only"):
    venues = queries.venues_for(user)
    if current is not None and current not in venues:
        venues.append(current)
    return [
        (0, none_label),
        *((v.id, f"{v.name}, {v.postcode}" + (f" ({v.team.name})" if v.team else "")) for v in venues),
    ]


def fill_choices(form: EventForm, user, event: Event | None = None) -> None:
    teams = teams_for(user)
    form.team.choices = [(t.id, t.name) for t in teams]
    types = queries.active_types()
    if event is not None and event.event_type not in types:
        types.append(event.event_type)
    form.event_type.choices = [(t.id, t.name) for t in types]
    form.venue.choices = venue_choices(user, event.venue if event else None)
    people = {p.id: p for p in queries.active_members(teams)}
    if event is not None and event.contact is not None:
        people.setdefault(event.contact.id, event.contact)
    form.contact.choices = [
        (0, "No contact officer"),
        *((p.id, p.public_name) for p in sorted(people.values(), key=lambda p: p.display_name)),
    ]


def translated_form(form_class):
    """The event form with a "Translations" row for each shipped language (events.languages)."""
    return with_translations(form_class, tuple(translatable()))


def translations_from(form, event: Event | None = None) -> dict:
    """The translations typed into the form, over the event's own (languages not shipped are kept)."""
    given = {}
    for code in translatable():
        title, description = (
            getattr(form, field_name("title", code), None),
            getattr(form, field_name("description", code), None),
        )
        if title is not None:
            given[code] = {"title": title.data or "", "description": (description.data if description else "") or ""}
    return dict((event.translations or {}) if event is not None else {}) | given


def details_from(form: EventForm, event: Event | None = None) -> EventDetails:
    return EventDetails(
        team=db.session.get(Team, form.team.data),
        event_type=db.session.get(EventType, form.event_type.data),
        title=form.title.data or "",
        description=form.description.data or "",
        venue=chosen_venue(form),
        online_url=form.online_url.data or "",
        contact=db.session.get(User, form.contact.data) if form.contact.data else None,
        contact_email_public=form.contact_email_public.data,
        capacity=form.capacity.data,
        signup_mode=form.signup_mode.data or None,
        max_places_per_signup=form.max_places_per_signup.data or 1,
        languages=list(form.languages.data or []) if getattr(form, "languages", None) is not None else [],
        translations=translations_from(form, event),
    )


def check_form(form, actor, event: Event | None = None, *, dates: bool = True) -> None:
    """Everything the service would refuse, in one pass: the dates as typed and every detail.

    Raises DomainErrors listing every problem, so the officer fixes the title, the date and the
    venue in one go (also after the form's own checks failed: `submit(check=...)`).
    """
    checks = FieldChecks()
    if dates and form.date.data is not None:
        checks(form.when)
        if getattr(form, "repeat", None) is not None:  # the edit forms keep the event's kind
            checks(form.pattern)
    details = details_from(form, event) if form.team.data and form.event_type.data else None
    if details is not None:
        checks(check_details, details, actor, keep_type_id=event.event_type_id if event else None)
    checks.done()


def same_event(form, event: Event | None = None):
    """(team, title, venue id) the form describes, to warn of the same event already on the calendar."""
    team = event.team if event is not None else db.session.get(Team, form.team.data) if form.team.data else None
    title = event.title if event is not None else (form.title.data or "")
    venue = chosen_venue(form) or (event.venue if event is not None else None)
    return team, title, venue.id if venue is not None else None


def chosen_venue(form) -> Venue | None:
    return db.session.get(Venue, form.venue.data) if form.venue.data else None


def form_data(event: Event, row: Occurrence | None = None) -> dict:
    """An event (or one of its dates) as form values, in local time."""
    start, end = (row.starts_at, row.ends_at) if row else (event.starts_at, event.ends_at)
    local_start, local_end = to_local(start), to_local(end)
    data = {
        "team": event.team_id,
        "event_type": event.event_type_id,
        "title": event.title,
        "description": event.description,
        "venue": (row.venue_id if row and row.venue_id else event.venue_id) or 0,
        "online_url": event.online_url,
        "contact": event.contact_id or 0,
        "contact_email_public": event.contact_email_public,
        "capacity": event.capacity,
        "signup_mode": event.signup_mode,
        "max_places_per_signup": event.max_places_per_signup,
        "date": local_start.date(),
        "all_day": event.all_day,
        "languages": event.language_codes,
    }
    for code, text in (event.translations or {}).items():
        data |= {
            field_name("title", code): text.get("title", ""),
            field_name("description", code): text.get("description", ""),
        }
    if event.all_day:
        last = (local_end - timedelta(days=1)).date()
        data["end_date"] = last if last != local_start.date() else None
    else:
        data |= {"start_time": local_start.time(), "end_time": local_end.time()}
        data["end_date"] = local_end.date() if local_end.date() != local_start.date() else None
    if event.rrule and row is None:
        data |= pattern_data(series.pattern_from_rrule(event.rrule, event.local_start))
    return data


def pattern_data(pattern) -> dict:
    if pattern is None:
        return {}
    return {
        "repeat": pattern.kind,
        "weekday_position": pattern.weekday_position or 0,
        "repeat_until": pattern.until,
        "repeat_count": pattern.count,
    }


# --- warnings the officer accepts ----------------------------------------------------------


def fingerprint(warnings: list[str]) -> str:
    return hashlib.sha256("\n".join(warnings).encode()).hexdigest()[:16]


def unacknowledged(form, warnings: list[str]) -> bool:
    """True (and arms the form) if there are warnings the officer has not yet seen and accepted."""
    if not warnings or form.acknowledged.data == fingerprint(warnings):
        return False
    form.acknowledged.data = fingerprint(warnings)
    return True


class _Held(Exception):
    """Stops a submit() call before its service runs: there are warnings to show first."""


class Review:
    """The schedule warnings of one submission: shown once, accepted by saving again unchanged.

    `check()` runs inside the call handed to `submit()`, before the service. While the warnings
    are new it stops the call (nothing has been written) and `submit()` returns None, so the view
    shows the form again with `warnings` (and `preview`, the repeat rule in words).
    """

    def __init__(self, form):
        self.form = form
        self.warnings: list[str] = []
        self.preview: str | None = None
        self.held = False

    def check(self, when, pattern=None, *, preview: bool = False, same=None, except_occurrence=None, was=None) -> None:
        """`same` = (team, title, venue id): also warn of that event already on the calendar at this time.

        `was`: the local start before an edit; an unchanged date is not questioned again.
        """
        self.warnings = schedule_warnings(when, pattern)
        bounds = schedule_range(utcnow())
        if when.start != was and in_range(when.start, bounds):  # outside the range, saving refuses the date
            self.warnings += odd_date_warnings(when.start, pattern)
            if same is not None:
                self.warnings += duplicate_warning(*same, when.start, except_occurrence=except_occurrence)
        if unacknowledged(self.form, self.warnings):
            if preview and pattern is not None:
                self.preview = describe_rrule(build_rule(pattern, when.start), when.start)
            self.held = True
            raise _Held

    @property
    def pending(self) -> list[str]:
        """The warnings, only while they stopped the save (not next to a refusal after it)."""
        return self.warnings if self.held else []

    def submit(self, call, **options):
        """core.actions.submit, returning None while the warnings wait to be accepted."""
        try:
            return submit(self.form, call, **options)
        except _Held:
            return None


# --- cancelling ----------------------------------------------------------------------------


def who_will_be_told(rows) -> str:
    """The sentence "The 4 people booked and 3 waiting will get an email", worded by sign-ups (core.hooks)."""
    provide = provider("occurrences.who_will_be_told")
    return provide(list(rows)) if provide is not None else ""


def cancel_flow(form: CancelForm, *, subject: str, affected: list[str], back: str, cancel, rows=()):
    """Reason, then check your answers, then cancel: nothing changes until the officer confirms.

    `cancel(reason)` calls the service and returns the id of the event to go back to; `rows` are
    the dates it cancels, so the check page says who will be told.
    """
    if form.validate_on_submit() and not request.form.get("change"):
        if form.confirmed.data != "yes":
            form.confirmed.data = "yes"
            return render_template(
                "events/staff/cancel_check.html",
                form=form,
                subject=subject,
                affected=affected,
                back=back,
                told=who_will_be_told(rows),
            )
        done = submit(
            form,
            lambda: cancel(form.reason.data),
            validate=False,
            success=event_page,
            message=f"Cancelled. Residents will see: “{form.reason.data.strip()}”.",
        )
        if done:
            return done
    form.confirmed.data = ""
    return render_form("events/staff/cancel.html", form, subject=subject, back=back)
