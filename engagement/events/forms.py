"""Event forms: dates and times in UK local time, repeat options, venues and event types.

Forms only parse; the rules (end after start, clock changes, permissions) live in
validation.py and services. `when()` and `pattern()` raise DomainError with the field name
so the message lands next to the right input.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from engagement.core.errors import DomainError
from engagement.core.i18n import _, _l, language_name, text_direction
from engagement.events.details import When
from engagement.events.languages import SPOKEN_NAMES, field_name, spoken_choices
from engagement.events.models import (
    CAPACITY_MAX,
    DESCRIPTION_MAX,
    PLACES_MAX,
    REASON_MAX,
    SIGNUP_MODES,
    TITLE_MAX,
    URL_MAX,
)
from engagement.events.recurrence import MAX_COUNT, RepeatPattern
from engagement.events.rrule_expansion import RecurrenceError
from engagement.events.validation import repeat_error_field
from engagement.teams.models import AREAS

REPEAT_CHOICES = [
    ("", "Does not repeat"),
    ("weekly", "Every week"),
    ("fortnightly", "Every other week (fortnightly)"),
    ("monthly_by_date", "Every month on the same date, for example the 3rd"),
    ("monthly_by_weekday", "Every month on the same weekday, for example the first Tuesday"),
]
POSITION_CHOICES = [
    (0, "Work it out from the first date"),
    (1, "First"),
    (2, "Second"),
    (3, "Third"),
    (4, "Fourth"),
    (-1, "Last"),
]


def uk_date(label: str, *, required: bool = False, required_message: str = "", **kwargs) -> DateField:
    # InputRequired, not DataRequired: a typed but impossible date keeps its own message.
    validators = [InputRequired(required_message)] if required else [Optional()]
    return DateField(
        label,
        validators=validators,
        format=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %m %Y"],
        invalid_value_message=_l("Enter a real date, for example %(example)s", example="3/3/2027"),
        **kwargs,
    )


def uk_time(label: str, **kwargs) -> TimeField:
    return TimeField(
        label,
        validators=[Optional()],
        format=["%H:%M", "%H:%M:%S", "%H.%M"],
        invalid_value_message="Enter a time using the 24-hour clock, for example 18:00",
        **kwargs,
    )


def choice(label: str, coerce=int, message: str = "Choose one of the options", **kwargs) -> SelectField:
    return SelectField(label, coerce=coerce, invalid_choice_message=message, invalid_value_message=message, **kwargs)


class WhenFields:
    """Date and times as typed on the officer's phone, turned into naive local wall times."""

    date = uk_date(
        "Date", required=True, required_message="Enter the date", description="For a repeating event, the first date."
    )
    start_time = uk_time("Start time", description="24-hour clock, for example 18:00")
    end_time = uk_time("End time", description="Leave blank to use the usual length for this kind of event.")
    end_date = uk_date("End date", description="Only if it ends on a later day (for all-day events, the last day).")
    all_day = BooleanField("All day (no start or end time)")

    def when(self) -> When:
        start_day: date = self.date.data
        end_day: date | None = self.end_date.data
        if self.all_day.data:
            last = end_day or start_day
            if last < start_day:
                raise DomainError("The end date must be the same as or after the start date", field="end_date")
            if last >= date.max:  # its exclusive end would overflow; the date range refuses it anyway
                raise DomainError("Enter a date we can schedule", field="end_date" if end_day else "date")
            return When(datetime.combine(start_day, time()), datetime.combine(last + timedelta(days=1), time()), True)
        if self.start_time.data is None:
            raise DomainError("Enter a start time, or tick “All day”", field="start_time")
        start = datetime.combine(start_day, self.start_time.data)
        if self.end_time.data is None:
            if end_day is not None:
                raise DomainError("Enter the end time", field="end_time")
            return When(start, None, False)
        return When(start, datetime.combine(end_day or start_day, self.end_time.data), False)


class RepeatFields:
    repeat = choice("Does it repeat?", coerce=str, choices=REPEAT_CHOICES, default="")
    weekday_position = choice(
        "Which week of the month",
        choices=POSITION_CHOICES,
        default=0,
        description="Only for “every month on the same weekday”.",
    )
    repeat_until = uk_date("Repeat until", description="The last date it can happen. Or give a number of times.")
    repeat_count = IntegerField(
        "Or number of times",
        validators=[Optional(), NumberRange(1, MAX_COUNT, f"The number of times must be between 1 and {MAX_COUNT}")],
        invalid_value_message="Enter the number of times as a number, for example 12",
    )

    def pattern(self) -> RepeatPattern | None:
        if not self.repeat.data:
            return None
        position = self.weekday_position.data if self.repeat.data == "monthly_by_weekday" else None
        if position == 0:
            first = self.date.data
            position = -1 if (first.day - 1) // 7 == 4 else (first.day - 1) // 7 + 1
        try:
            return RepeatPattern(self.repeat.data, position, self.repeat_until.data, self.repeat_count.data)
        except RecurrenceError as exc:
            raise DomainError(str(exc), field=repeat_error_field(str(exc))) from exc


class VenueChoiceFields:
    venue = choice(
        "Venue", message="Choose a venue from the list", description="Not listed? Add the venue first from “Venues”."
    )
    online_url = StringField(
        "Joining link for an online event",
        description="For online or hybrid events, for example a Microsoft Teams link. Starts with https://",
        validators=[Optional(), Length(max=URL_MAX)],
    )


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes for a list of choices (the shared field macro draws them as a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LanguageFields:
    languages = MultiCheckboxField(
        "Languages officers at this event speak",
        choices=spoken_choices(),
        description="Residents see this on the event page and can look for events in their language.",
        validate_choice=False,  # the service refuses unknown codes, with its message next to the field
    )


@functools.lru_cache(maxsize=64)
def with_translations(form_class, codes: tuple[str, ...]):
    """`form_class` with a title and description field for each language in `codes` ("title_ur"...).

    Made per request from the LANGUAGES setting, so shipping a language needs no code change; the
    inputs carry `lang` and `dir` so the officer types Urdu right to left."""
    fields = {}
    for code in codes:
        english = SPOKEN_NAMES.get(code, code)
        own = {"lang": code, "dir": text_direction(code)}
        fields[field_name("title", code)] = StringField(
            f"Title in {english}", description=f"{language_name(code)}. Leave blank for no translation.", render_kw=own
        )
        fields[field_name("description", code)] = TextAreaField(f"What to expect, in {english}", render_kw=own)
    return type(form_class.__name__, (form_class,), fields)


class EventForm(WhenFields, RepeatFields, VenueChoiceFields, LanguageFields, FlaskForm):
    team = choice("Team", message="Choose one of your teams")
    event_type = choice("Kind of event", message="Choose the kind of event")
    title = StringField(
        "Title",
        description="Plain text, for example “Police surgery at Ladywood Community Library”.",
        validators=[
            DataRequired("Enter a title"),
            Length(max=TITLE_MAX, message=f"The title must be {TITLE_MAX} characters or fewer"),
        ],
    )
    description = TextAreaField(
        "What to expect",
        description="Optional. You can use Markdown: *italic*, **bold**, lists and [links](https://example.org).",
        validators=[
            Length(max=DESCRIPTION_MAX, message=f"The description must be {DESCRIPTION_MAX} characters or fewer")
        ],
    )
    contact = choice(
        "Contact officer", message="Choose a member of the team", description="Residents see their name and rank."
    )
    contact_email_public = BooleanField("Show the contact officer's work email address on the event page")
    capacity = IntegerField(
        "Places",
        description="Leave blank for no limit.",
        validators=[Optional(), NumberRange(1, CAPACITY_MAX, f"Places must be between 1 and {CAPACITY_MAX}")],
        invalid_value_message="Enter the number of places as a number, for example 20",
    )
    signup_mode = choice(
        "Sign-up", coerce=str, default="", choices=[("", "The usual for this kind of event"), *SIGNUP_MODES.items()]
    )
    max_places_per_signup = IntegerField(
        "Places one person can ask for",
        default=1,
        validators=[
            DataRequired("Enter how many places one person can ask for"),
            NumberRange(1, PLACES_MAX, f"Enter a number from 1 to {PLACES_MAX}"),
        ],
        invalid_value_message="Enter a number from 1 to 10",
    )
    acknowledged = HiddenField()


class MoveForm(WhenFields, FlaskForm):
    venue = choice("Venue for this date", message="Choose a venue from the list")
    acknowledged = HiddenField()  # the page carries it once a clock-change warning has been shown
    confirmed = HiddenField()  # "yes" once the officer has seen the check page (who will be told)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.date.label.text, self.date.description = "New date", ""  # one date moves: no "first date" hint


class FollowingForm(WhenFields, RepeatFields, VenueChoiceFields, FlaskForm):
    acknowledged = HiddenField()

    def pattern(self) -> RepeatPattern:
        """From a date on, the dates must repeat (changing one date alone is a move)."""
        pattern = super().pattern()
        if pattern is None:
            raise DomainError("Choose how often it repeats from this date", field="repeat")
        return pattern


class CancelForm(FlaskForm):
    reason = TextAreaField(
        "Reason residents will see",
        description="For example “Cancelled due to operational demands”.",
        validators=[
            DataRequired("Enter the reason residents will see"),
            Length(max=REASON_MAX, message=f"The reason must be {REASON_MAX} characters or fewer"),
        ],
    )
    confirmed = HiddenField()


class EventTypeForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name"), Length(max=80)])
    slug = StringField(
        "Web address name",
        description="Lower-case letters, numbers and hyphens. Leave blank to make one from the name.",
        validators=[Optional(), Length(max=60)],
    )
    description = TextAreaField("What to expect, for residents", validators=[Length(max=2000)])
    default_duration_minutes = IntegerField(
        "Usual length in minutes",
        default=60,
        validators=[DataRequired("Enter the usual length"), NumberRange(5, 1440, "Enter between 5 and 1440 minutes")],
        invalid_value_message="Enter the length in minutes, for example 90",
    )
    default_signup_mode = choice("Usual sign-up", coerce=str, choices=list(SIGNUP_MODES.items()))
    active = BooleanField("Officers can choose this kind of event", default=True)


class VenueForm(FlaskForm):
    team = choice("Team", message="Choose one of your teams")
    name = StringField("Name", validators=[DataRequired("Enter the venue's name"), Length(max=160)])
    address = StringField(
        "Address", description="Street address and town, without the postcode.", validators=[Length(max=300)]
    )
    postcode = StringField("Postcode", validators=[DataRequired("Enter the postcode"), Length(max=10)])
    latitude = FloatField("Latitude (optional)", validators=[Optional(), NumberRange(-90, 90)])
    longitude = FloatField("Longitude (optional)", validators=[Optional(), NumberRange(-180, 180)])
    step_free = BooleanField("Step-free access")
    hearing_loop = BooleanField("Hearing loop")
    accessible_toilet = BooleanField("Accessible toilet")
    parking = BooleanField("Parking")
    bsl_on_request = BooleanField("British Sign Language interpreter on request")
    access_notes = TextAreaField(
        "Other access information", description="For example “Lift to first floor”.", validators=[Length(max=1000)]
    )
    public_transport = TextAreaField(
        "Getting there by public transport",
        description="For example “Bus 8 stops outside. Five Ways station is a 10-minute walk.”",
        validators=[Length(max=1000, message="Public transport must be 1000 characters or fewer")],
    )


class EventFilterForm(FlaskForm):
    """The public list's filters: a GET form, so no CSRF token and shareable URLs."""

    class Meta:
        csrf = False

    team = choice(_l("Team"), coerce=str, default="", message=_l("Choose a team from the list"))
    type = choice(_l("Kind of event"), coerce=str, default="", message=_l("Choose a kind of event from the list"))
    area = choice(
        _l("Area"),
        coerce=str,
        default="",
        choices=[("", _l("All areas")), *((a, a) for a in AREAS)],
        message=_l("Choose an area from the list"),
    )
    language = choice(
        _l("Language officers speak"), coerce=str, default="", message=_l("Choose a language from the list")
    )
    from_date = uk_date(_l("From"))
    to_date = uk_date(_l("To"))
    # ?show=shifts: residents' lists leave out dates only approved volunteers attend, unless asked.
    show = BooleanField(
        _l("Include Community Speed Watch shifts"),
        description=_l("For approved Speed Watch volunteers only"),
        render_kw={"value": "shifts"},
    )

    def validate_to_date(self, field):
        if field.data and self.from_date.data and field.data < self.from_date.data:
            raise ValidationError(_("The “to” date must be the same as or after the “from” date"))


class OneOffEditForm(EventForm):
    """Editing keeps the event's kind: a one-off stays a one-off."""

    repeat = weekday_position = repeat_until = repeat_count = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.date is not None:
            self.date.description = ""  # a one-off has no "first date of a series"


class SeriesEditForm(OneOffEditForm):
    """A series' dates change from one of its dates ("this and all following"), not here."""

    date = start_time = end_time = end_date = all_day = None


class ImportIcsForm(FlaskForm):
    file = FileField(
        "Calendar file (.ics)",
        description="Exported from Outlook, Google Calendar or another system. Up to 5 MB.",
        validators=[FileRequired("Choose an .ics file to import")],
    )
    event_type = SelectField("Kind of event, when the file does not say", coerce=int)
