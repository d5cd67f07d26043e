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

from engagement.signups.models import ACCESS_MAX, EMAIL_MAX, NAME_MAX, PHONE_MAX

ACCESS_HINT = (
    "For example step-free access, a hearing loop, large print or a British Sign Language interpreter. "
    "Only the neighbourhood team sees this."
)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SignupForm(FlaskForm):
    name = StringField(
        "Full name",
        validators=[
            DataRequired("Enter your name"),
            Length(max=NAME_MAX, message=f"Your name must be {NAME_MAX} characters or fewer"),
        ],
    )
    email = EmailField(
        "Email address",
        description="We will email your confirmation and any changes to this address.",
        validators=[DataRequired("Enter your email address"), Length(max=EMAIL_MAX)],
    )
    phone = StringField(
        "Phone number (optional)",
        description="Only used if we need to tell you about a change at short notice.",
        validators=[
            Optional(),
            Length(max=PHONE_MAX, message=f"Enter a phone number of {PHONE_MAX} characters or fewer"),
        ],
    )
    places = IntegerField(
        "How many places do you need?",
        default=1,
        validators=[InputRequired("Enter how many places you need"), NumberRange(min=1, message="Enter 1 or more")],
    )
    access_needs = TextAreaField(
        "Access needs (optional)",
        description=ACCESS_HINT,
        validators=[
            Optional(),
            Length(max=ACCESS_MAX, message=f"Access needs must be {ACCESS_MAX} characters or fewer"),
        ],
        render_kw={"rows": 3},
    )
    # Bots fill every field; people never see this one.
    website = StringField("Leave this field empty", validators=[Optional()])
    consent_version = HiddenField()
    request_key = HiddenField()


class PlacesForm(FlaskForm):
    places = IntegerField(
        "How many places do you need?",
        validators=[InputRequired("Enter how many places you need"), NumberRange(min=1, message="Enter 1 or more")],
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
