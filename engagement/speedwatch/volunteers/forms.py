"""Forms for applying to Speed Watch and for the team's decisions on a volunteer.

Forms check shape only (and parse UK dates typed as 14/3/2027); the rules, such as vetting before
approval, live in the services, which put their message next to the right field.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from engagement.core.i18n import _l
from engagement.speedwatch.forms import uk_date
from engagement.speedwatch.volunteers.models import EMAIL_MAX, NAME_MAX, PHONE_MAX, REASON_MAX


class ApplyForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        validators=[
            DataRequired(_l("Enter your full name")),
            Length(max=NAME_MAX, message=_l("Use %(num)s characters or fewer", num=NAME_MAX)),
        ],
    )
    email = EmailField(
        _l("Email address"),
        description=_l("We will email you about your application here."),
        validators=[
            DataRequired(_l("Enter your email address")),
            Length(max=EMAIL_MAX, message=_l("Enter an email address of %(num)s characters or fewer", num=EMAIL_MAX)),
        ],
    )
    phone = StringField(
        _l("Phone number"),
        description=_l(
            "The coordinator rings volunteers to arrange training and shifts. For example %(example)s.",
            example="07700 900 123",
        ),
        validators=[
            DataRequired(_l("Enter a phone number, so the team can ring you")),
            Length(max=PHONE_MAX, message=_l("Enter a phone number of %(num)s characters or fewer", num=PHONE_MAX)),
        ],
    )
    consent = BooleanField(
        _l("I agree to the team keeping and using my details as described above"),
        validators=[DataRequired(_l("Tick the box to say you agree to how we use your details"))],
    )
    # Bots fill every field; people never see this one.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])


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
