"""Forms: the resident's sign-up and booking changes; the team's walk-ins and exports.

Field checks here are about shape; the rules (places per sign-up, email syntax, what is
open) live in services, which put their message next to the right field.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from engagement.core.i18n import _l, ngettext
from engagement.signups.models import ACCESS_MAX, BY_EMAIL, BY_TEXT, EMAIL_MAX, NAME_MAX, PHONE_MAX

ACCESS_HINT = _l(
    "For example step-free access, a hearing loop, large print or a British Sign Language interpreter. "
    "Only the neighbourhood team sees this."
)

CHANNEL_CHOICES = [(BY_EMAIL, _l("By email")), (BY_TEXT, _l("By text message to my mobile"))]
# Every message a resident can meet is our own: WTForms' built-in ones ("Not a valid integer value.",
# "Field cannot be longer than ...") exist in Polish and Arabic only, never in Urdu, Punjabi or Bengali.
EMAIL_TOO_LONG = _l("Enter an email address of %(num)s characters or fewer", num=EMAIL_MAX)
PLACES_NOT_NUMBER = _l("Enter the number of places as a whole number, like 2")
CHANNEL_MISSING = _l("Choose email or text message")


def places_hint(field, most: int) -> None:
    """Say the per-booking limit next to the places field, before a resident types more than it allows."""
    field.description = ngettext("Up to %(num)s place per booking.", "Up to %(num)s places per booking.", most)
    field.render_kw = {**(field.render_kw or {}), "min": 1, "max": most}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SignupForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        validators=[
            DataRequired(_l("Enter your name")),
            Length(max=NAME_MAX, message=_l("Your name must be %(num)s characters or fewer", num=NAME_MAX)),
        ],
    )
    # An email address or a mobile number: the service says which is missing (one is required).
    email = EmailField(
        _l("Email address"),
        description=_l(
            "We will email your confirmation and any changes to this address. No email? Give a mobile "
            "number below and we will text you instead."
        ),
        validators=[Optional(), Length(max=EMAIL_MAX, message=EMAIL_TOO_LONG)],
    )
    phone = StringField(
        _l("Mobile phone number"),
        description=_l(
            "Optional if you give an email address. We text a mobile number if you have no email or "
            "choose texts below; otherwise we use it only about a change at short notice."
        ),
        validators=[
            Optional(),
            Length(max=PHONE_MAX, message=_l("Enter a phone number of %(num)s characters or fewer", num=PHONE_MAX)),
        ],
    )
    channel = RadioField(
        _l("How should we send your confirmation, reminder and any changes?"),
        choices=CHANNEL_CHOICES,
        default=BY_EMAIL,
        validators=[Optional()],
        invalid_choice_message=CHANNEL_MISSING,
    )
    places = IntegerField(
        _l("How many places do you need?"),
        default=1,
        validators=[
            InputRequired(_l("Enter how many places you need")),
            NumberRange(min=1, message=_l("Enter 1 or more")),
        ],
        invalid_value_message=PLACES_NOT_NUMBER,
    )
    access_needs = TextAreaField(
        _l("Access needs (optional)"),
        description=ACCESS_HINT,
        validators=[
            Optional(),
            Length(max=ACCESS_MAX, message=_l("Access needs must be %(num)s characters or fewer", num=ACCESS_MAX)),
        ],
        render_kw={"rows": 3},
    )
    # Bots fill every field; people never see this one.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])
    consent_version = HiddenField()
    request_key = HiddenField()


class PlacesForm(FlaskForm):
    places = IntegerField(
        _l("How many places do you need?"),
        validators=[
            InputRequired(_l("Enter how many places you need")),
            NumberRange(min=1, message=_l("Enter 1 or more")),
        ],
        invalid_value_message=PLACES_NOT_NUMBER,
    )


class ChannelForm(FlaskForm):
    """The booking page's choice, for residents who gave both an email address and a mobile number."""

    channel = RadioField(
        _l("How should we send your reminder and any changes?"),
        choices=CHANNEL_CHOICES,
        validators=[DataRequired(CHANNEL_MISSING)],
        invalid_choice_message=CHANNEL_MISSING,
    )


class DetailsForm(FlaskForm):
    """The booking page's corrections: name, phone and access needs (the email address is the key)."""

    name = StringField(
        _l("Full name"),
        validators=[
            DataRequired(_l("Enter your name")),
            Length(max=NAME_MAX, message=_l("Your name must be %(num)s characters or fewer", num=NAME_MAX)),
        ],
    )
    phone = StringField(
        _l("Phone number"),
        description=_l("Optional, unless we send you texts."),
        validators=[
            Optional(),
            Length(max=PHONE_MAX, message=_l("Enter a phone number of %(num)s characters or fewer", num=PHONE_MAX)),
        ],
    )
    access_needs = TextAreaField(
        _l("Access needs (optional)"),
        description=ACCESS_HINT,
        validators=[
            Optional(),
            Length(max=ACCESS_MAX, message=_l("Access needs must be %(num)s characters or fewer", num=ACCESS_MAX)),
        ],
        render_kw={"rows": 3},
    )


class ConfirmForm(FlaskForm):
    """A page with one button: its GET changes nothing, so mail scanners following links are harmless."""


class WalkInForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter the person's name"), Length(max=NAME_MAX)])
    places = IntegerField(
        "Number of people",
        default=1,
        validators=[
            InputRequired("Enter the number of people"),
            NumberRange(min=1, max=50, message="Enter a number from 1 to 50"),
        ],
    )
    email = EmailField("Email address (optional)", validators=[Optional(), Length(max=EMAIL_MAX)])
    phone = StringField("Phone number (optional)", validators=[Optional(), Length(max=PHONE_MAX)])
    access_needs = TextAreaField(
        "Access needs (optional)", validators=[Optional(), Length(max=ACCESS_MAX)], render_kw={"rows": 2}
    )


class MessageForm(FlaskForm):
    """The team's message to the people booked on a date: write, check who gets it, send."""

    audience = RadioField(
        "Who should get it?",
        choices=[("booked", "Everyone booked"), ("booked_and_waiting", "Everyone booked and everyone waiting")],
        default="booked",
        validators=[DataRequired("Choose who to send the message to")],
    )
    message = TextAreaField(
        "Message",
        description="Plain words, for example “The room has changed to the hall upstairs”. Each person gets it "
        "by email on its own, with the date's details and their booking link; nobody sees the other addresses.",
        validators=[
            DataRequired("Enter the message, for example “The room has changed to the hall upstairs”"),
            Length(max=2000, message="The message must be 2,000 characters or fewer"),
        ],
        render_kw={"rows": 6},
    )
    confirmed = HiddenField()
    request_key = HiddenField()


class ExportForm(FlaskForm):
    """Filters and columns for an export; a GET form (no CSRF: it changes nothing but the audit log)."""

    class Meta:
        csrf = False

    team = SelectField("Team", validate_choice=False)
    type = SelectField("Kind of event", validate_choice=False)
    from_date = DateField("From", validators=[Optional()])
    to_date = DateField("To", validators=[Optional()])
    status = RadioField(
        "Sign-ups",
        choices=[("live", "Booked and waiting"), ("all", "Also cancelled ones")],
        default="live",
        validators=[Optional()],
    )
    columns = MultiCheckboxField("Columns", validate_choice=False)
    format = RadioField(
        "File type",
        choices=[("csv", "CSV (opens in Excel and other spreadsheets)"), ("xlsx", "Excel workbook (.xlsx)")],
        default="csv",
        validators=[Optional()],
    )
