"""Forms for site requests: the proposal (volunteer or staff) and the officer's decline. Approving
uses the ordinary site form (sites.forms.SiteForm), since the assessment is the same."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from engagement.speedwatch.requests.photos import MAX_PHOTOS, MAX_UPLOAD_BYTES
from engagement.speedwatch.sites.models import SPEED_LIMITS


class SiteRequestForm(FlaskForm):
    team = SelectField("Team", validate_choice=False)
    road = StringField("Road name", description="For example Monument Road")
    stretch = StringField(
        "Which stretch of the road", description="For example “between Ladywood Primary School and the Reservoir pub”."
    )
    speed_limit = RadioField(
        "Speed limit there", choices=[(str(n), f"{n} mph") for n in SPEED_LIMITS], validate_choice=False
    )
    reason = TextAreaField(
        "Why is a Speed Watch site needed here?",
        description="What you have seen: when speeding happens, who is at risk (for example children walking to school).",
        render_kw={"rows": 5},
    )
    postcode = StringField("Postcode (if you know it)", description="For example B16 8QT", validators=[Optional()])
    grid_ref = StringField(
        "Or a map reference (optional)",
        description="An Ordnance Survey grid reference, for example SP 0686 8602.",
        validators=[Optional()],
    )
    photos = MultipleFileField(
        "Photos of the site (optional)",
        description=f"Up to {MAX_PHOTOS} photos, each {MAX_UPLOAD_BYTES // 1_000_000} MB or smaller. "
        "We remove the location and camera details stored inside them.",
        render_kw={"accept": "image/jpeg,image/png,image/webp,image/gif"},
    )


class DeclineRequestForm(FlaskForm):
    reason = TextAreaField(
        "Why can it not be a site?",
        description="The person who proposed it is emailed this, so write it for them.",
        render_kw={"rows": 4},
    )
