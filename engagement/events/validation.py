"""Checking what officers enter for events, shared by services.py and series.py.

Times arrive as naive Europe/London wall times (what the officer typed). Clock-change
times follow RFC 5545 (see wall_clock.py): an ambiguous time means the first (BST)
one and a missing one is shifted forward; schedule_warnings() tells the officer first.
Titles are plain text and refuse HTML; descriptions are Markdown with tags removed.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from engagement.core.db import utcnow
from engagement.core.errors import DomainError, FieldChecks
from engagement.core.markup import clean_source, has_tags, strip_tags
from engagement.core.permissions import can_manage_team, works_across_teams
from engagement.events.details import EventDetails, When
from engagement.events.languages import clean_languages, clean_translations
from engagement.events.limits import MAX_EVENT_LENGTH, check_schedule_date, in_range, schedule_range
from engagement.events.models import (
    CAPACITY_MAX,
    DESCRIPTION_MAX,
    PLACES_MAX,
    REASON_MAX,
    SIGNUP_MODES,
    TITLE_MAX,
    URL_MAX,
    EventType,
    Venue,
)
from engagement.events.recurrence import RepeatPattern, build_rrule, pattern_warnings
from engagement.events.rrule_expansion import RecurrenceError
from engagement.events.wall_clock import local_time_problem_message

_SPACES = re.compile(r"\s+")


# --- checking input ----------------------------------------------------------------------


def clean_title(text: str) -> str:
    title = _SPACES.sub(" ", text or "").strip()
    if not title:
        raise DomainError("Enter a title", field="title")
    if has_tags(title):
        raise DomainError("Titles are plain text: remove the HTML tags, such as <b> or <script>", field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(f"The title must be {TITLE_MAX} characters or fewer", field="title")
    return title


def clean_reason(text: str) -> str:
    reason = _SPACES.sub(" ", strip_tags(text or "")).strip()
    if not reason:
        raise DomainError(
            "Enter the reason residents will see, for example “Cancelled due to operational demands”", field="reason"
        )
    if len(reason) > REASON_MAX:
        raise DomainError(f"The reason must be {REASON_MAX} characters or fewer", field="reason")
    return reason


def clean_url(text: str, field: str = "online_url") -> str:
    url = (text or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
        raise DomainError("Enter the joining link in full, starting with https://", field=field)
    if len(url) > URL_MAX:
        raise DomainError(f"The joining link must be {URL_MAX} characters or fewer", field=field)
    return url


def check_venue_for_team(venue: Venue | None, team) -> None:
    if venue is not None and venue.team_id is not None and venue.team_id != team.id:
        raise DomainError("That venue belongs to another team. Choose one of your team's venues", field="venue")


def check_details(details: EventDetails, actor, *, keep_type_id: int | None = None) -> EventDetails:
    """Every field checked in one pass (DomainErrors lists them all), so the form shows every problem at once."""
    checks = FieldChecks()
    team = details.team
    if team is None or (actor is not None and not can_manage_team(actor, team)):
        checks.add("You can only schedule events for your own teams", "team")
        team = None
    etype = details.event_type
    if etype is None or (not etype.active and etype.id != keep_type_id):
        checks.add("Choose the kind of event", "event_type")
        etype = None
    details.title = checks(clean_title, details.title) or details.title
    details.description = clean_source(details.description)
    if len(details.description) > DESCRIPTION_MAX:
        checks.add(f"The description must be {DESCRIPTION_MAX} characters or fewer", "description")
    url = checks(clean_url, details.online_url)
    details.online_url = url if url is not None else details.online_url
    if team is not None:
        checks(check_venue_for_team, details.venue, team)
    if details.venue is None and not details.online_url:
        checks.add("Choose a venue, or give a joining link for an online event", "venue")
    contact = details.contact
    if (contact is not None and team is not None
            and (not contact.active or (not works_across_teams(contact) and team.id not in contact.team_ids))):  # fmt: skip
        checks.add("The contact officer must be an active member of the team", "contact")
    if details.capacity is not None and not 1 <= details.capacity <= CAPACITY_MAX:
        checks.add(f"Places must be between 1 and {CAPACITY_MAX}, or left blank for no limit", "capacity")
    details.signup_mode = details.signup_mode or (etype.default_signup_mode if etype else None)
    if etype is not None and details.signup_mode not in SIGNUP_MODES:
        checks.add("Choose how residents sign up", "signup_mode")
    if not 1 <= (details.max_places_per_signup or 0) <= PLACES_MAX:
        checks.add(f"Places per sign-up must be between 1 and {PLACES_MAX}", "max_places_per_signup")
    checks(_check_languages, details)  # languages spoken and translated text (events.languages)
    checks.done()
    return details


def _check_languages(details: EventDetails) -> None:
    checks = FieldChecks()
    spoken = checks(clean_languages, details.languages)
    translations = checks(clean_translations, details.translations, details.translations)
    checks.done()
    details.languages, details.translations = spoken.split(), translations


def resolve_when(when: When, event_type: EventType) -> When:
    """Fill in a missing end from the type's default and refuse an end before the start."""
    end = when.end
    if end is None:
        length = timedelta(days=1) if when.all_day else timedelta(minutes=event_type.default_duration_minutes)
        try:
            end = when.start + length
        except OverflowError:  # 31 December 9999: callers check the date range first, this is the backstop
            raise DomainError("Enter a date we can schedule", field="date") from None
    if end <= when.start:
        if when.all_day:
            raise DomainError("The end date must be the same as or after the start date", field="end_date")
        raise DomainError("The end time must be after the start time", field="end_time")
    if end - when.start > MAX_EVENT_LENGTH:
        raise DomainError("An event can last at most 14 days. For regular dates, make it repeat", field="end_date")
    return When(when.start, end, when.all_day)


def check_schedule(when: When, now: datetime, pattern: RepeatPattern | None = None) -> None:
    """The first date (and a repeat's end date) must be within limits.schedule_range(now): a field error if not."""
    check_schedule_date(when.start, now, field="date")
    if pattern is not None and pattern.until is not None:
        check_schedule_date(pattern.until, now, field="repeat_until", what="The repeat end date")


def schedule_warnings(when: When, pattern: RepeatPattern | None = None) -> list[str]:
    """What the officer should see before saving: clock-change times, skipped months, one-offs.

    None for dates outside the schedule range: saving refuses those with a field error.
    """
    bounds = schedule_range(utcnow())
    if not in_range(when.start, bounds) or (pattern and pattern.until and not in_range(pattern.until, bounds)):
        return []
    warnings = []
    if not when.all_day:
        for value in (when.start, when.end):
            message = value is not None and local_time_problem_message(value)
            if message and message not in warnings:
                warnings.append(message)
    if pattern is not None:
        try:
            warnings += [w for w in pattern_warnings(pattern, when.start) if w not in warnings]
        except RecurrenceError:
            pass  # reported as an error when saving
    return warnings


def build_rule(pattern: RepeatPattern, start_local: datetime) -> str:
    try:
        return build_rrule(pattern, start_local)
    except RecurrenceError as exc:
        raise DomainError(str(exc), field=repeat_error_field(str(exc))) from exc


def repeat_error_field(message: str) -> str:
    """Which repeat field a RecurrenceError is about, so the message sits next to it."""
    text = message.lower()
    if "week of the month" in text or "must itself be" in text:
        return "weekday_position"
    if "end date" in text:
        return "repeat_until"
    if "number of times" in text:
        return "repeat_count"
    return "repeat"


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text or "").strip()
