"""Forms for Speed Watch shifts: scheduling (staff) and the volunteer's join/withdraw buttons.

Forms only parse; the rules (site assessment on every date, team sizes, who may sign up)
live in shifts.services and reach the right field through DomainError.field. Dates are typed UK
style (3/3/2027) and times on the 24-hour clock ("7:30" is accepted as well as "07:30").
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from engagement.events.forms import RepeatFields, choice, uk_date
from engagement.speedwatch.shifts.models import MAX_TEAM_DEFAULT, MIN_TEAM_DEFAULT, NOTES_MAX, SHIFT_ROLES, TEAM_LIMITS

LOW, HIGH = TEAM_LIMITS
ROLE_CHOICES = [("", "Any role"), *SHIFT_ROLES.items()]


def time_24h(label: str, message: str) -> TimeField:
    return TimeField(
        label,
        validators=[InputRequired(message)],
        format=["%H:%M", "%H.%M"],
        invalid_value_message="Enter a time using the 24-hour clock, for example 07:30 or 18:00",
        description="24-hour clock, for example 07:30",
    )


def team_size(label: str, default: int, hint: str) -> IntegerField:
    message = f"Enter a number from {LOW} to {HIGH}"
    return IntegerField(
        label,
        default=default,
        description=hint,
        validators=[InputRequired(message), NumberRange(LOW, HIGH, message)],
        invalid_value_message=message,
    )


class ShiftForm(RepeatFields, FlaskForm):
    team = choice("Team", message="Choose one of your teams")
    site = choice(
        "Site", message="Choose a site from the list", description="Only active sites of the team are listed."
    )
    device = choice(
        "Speed device",
        message="Choose the speed device for this shift",
        description="Devices in use with a current calibration. The device operator collects it from its holder.",
    )
    date = uk_date("Date", required=True, required_message="Enter the date", description="For example 3/3/2027.")
    start_time = time_24h("Start time", "Enter the start time")
    end_time = time_24h("End time", "Enter the end time")
    min_team = team_size(
        "Minimum team", MIN_TEAM_DEFAULT, "The shift is cancelled automatically if fewer volunteers sign up."
    )
    max_team = team_size("Maximum team", MAX_TEAM_DEFAULT, "No more volunteers can sign up once this many have.")
    notes = TextAreaField(
        "Notes for volunteers (optional)",
        description="Only the team's volunteers see these, for example where to meet or what to bring.",
        validators=[Optional(), Length(max=NOTES_MAX, message=f"Notes must be {NOTES_MAX} characters or fewer")],
    )
    publish = RadioField(
        "Publish now?",
        choices=[("yes", "Yes, volunteers can sign up now"), ("no", "No, keep it as a draft")],
        default="yes",
        validators=[InputRequired("Choose whether to publish the shift now")],
    )


class DeviceForm(FlaskForm):
    """Give every coming date of a shift another device (the staff shift page)."""

    device = choice("Speed device", message="Choose one of the team's devices")


class JoinForm(FlaskForm):
    role = RadioField("Which role would you like?", choices=ROLE_CHOICES, default="", validators=[Optional()])


class WithdrawForm(FlaskForm):
    confirmed = HiddenField()
    next = StringField()  # where to go back to: "rota" or "shifts"
