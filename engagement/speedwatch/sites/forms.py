"""The form for an approved site. It checks shape only; the rules (a UK position, an assessment
expiry after the assessment, the user's own teams) live in sites.services.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from engagement.speedwatch.forms import uk_date
from engagement.speedwatch.sites.models import NOTES_MAX, SPEED_LIMITS


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
