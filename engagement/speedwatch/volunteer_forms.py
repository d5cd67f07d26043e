"""Forms for applying to Speed Watch and for the team's volunteer and site pages.

Forms check shape only (and parse UK dates typed as 14/3/2027); the rules, such as vetting before
approval or an assessment expiry after the assessment, live in the services, which put their
message next to the right field.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from engagement.speedwatch.models import EMAIL_MAX, NAME_MAX, NOTES_MAX, PHONE_MAX, REASON_MAX, SPEED_LIMITS

DATE_HINT = "For example 14/3/2027"


def uk_date(label: str, description: str = DATE_HINT, required: str | None = None) -> DateField:
    """A date typed as text, day first; the typed answer stays as typed when it is wrong."""
    return DateField(
        label,
        description=description,
        validators=[InputRequired(required)] if required else [Optional()],
        format=["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d %m %Y", "%d/%m/%y", "%d.%m.%Y"],
        invalid_value_message="Enter a real date, for example 14/3/2027",
    )


class ApplyForm(FlaskForm):
    name = StringField(
        "Full name",
        validators=[DataRequired("Enter your full name"), Length(max=NAME_MAX, message="Use 100 characters or fewer")],
    )
    email = EmailField(
        "Email address",
        description="We will email you about your application here.",
        validators=[DataRequired("Enter your email address"), Length(max=EMAIL_MAX)],
    )
    phone = StringField(
        "Phone number",
        description="The coordinator rings volunteers to arrange training and shifts. For example 07700 900 123.",
        validators=[DataRequired("Enter a phone number, so the team can ring you"), Length(max=PHONE_MAX)],
    )
    consent = BooleanField(
        "I agree to the team keeping and using my details as described above",
        validators=[DataRequired("Tick the box to say you agree to how we use your details")],
    )
    # Bots fill every field; people never see this one.
    website = StringField("Leave this field empty", validators=[Optional()])


class ApproveForm(FlaskForm):
    training_date = uk_date(
        "Date of Speed Watch training", required="Enter the date of the training, for example 14/3/2027"
    )
    training_expires = uk_date(
        "Training valid until (optional)",
        description="Leave blank for 12 months after the training. For example 14/3/2028",
    )
    vetting_done = BooleanField("Vetting has been done and the volunteer passed")
    vetting_date = uk_date("Date of vetting (optional)")


class TrainingForm(FlaskForm):
    training_date = uk_date(
        "Date of refresher training", required="Enter the date of the training, for example 14/3/2027"
    )
    training_expires = uk_date(
        "Training valid until (optional)",
        description="Leave blank for 12 months after the training. For example 14/3/2028",
    )


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        "Reason (optional)",
        description="We include this in the email to the applicant, so keep it kind and plain.",
        validators=[Optional(), Length(max=REASON_MAX, message=f"Use {REASON_MAX} characters or fewer")],
        render_kw={"rows": 3},
    )


class SuspendForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        description="Only staff see this. The volunteer is told their volunteering is paused, not why.",
        validators=[
            DataRequired("Enter the reason"),
            Length(max=REASON_MAX, message=f"Use {REASON_MAX} characters or fewer"),
        ],
        render_kw={"rows": 3},
    )


class ConfirmForm(FlaskForm):
    """A one-button form: the CSRF token is the whole of it."""


class SiteForm(FlaskForm):
    # No DataRequired on the select: the choice is checked against the user's teams by the service.
    team = SelectField("Team", validate_choice=False)
    name = StringField(
        "Site name",
        description="What volunteers call it, for example “Monument Road by the post office”.",
        validators=[DataRequired("Enter the site name"), Length(max=160)],
    )
    road = StringField("Road", validators=[DataRequired("Enter the road"), Length(max=160)])
    speed_limit = RadioField(
        "Speed limit",
        choices=[(str(n), f"{n} mph") for n in SPEED_LIMITS],
        validate_choice=False,  # the service refuses anything else with a plain message
    )
    location = StringField(
        "Where on the road (optional)",
        description="For example “outside number 42, by the lamp post”.",
        validators=[Optional(), Length(max=300)],
    )
    latitude = StringField("Latitude (optional)", description="For example 52.5704", validators=[Optional()])
    longitude = StringField("Longitude (optional)", description="For example -1.8249", validators=[Optional()])
    volunteer_notes = TextAreaField(
        "Notes for volunteers (optional)",
        description="Where to stand, where to park, anything to watch out for.",
        validators=[Optional(), Length(max=NOTES_MAX)],
        render_kw={"rows": 4},
    )
    assessed_on = uk_date(
        "Date of the risk assessment", required="Enter the date of the risk assessment, for example 14/3/2027"
    )
    assessment_expires = uk_date(
        "Assessment valid until (optional)",
        description="Leave blank for 12 months after the assessment. For example 14/3/2028",
    )
    active = BooleanField("Volunteers may use this site", default=True)
