"""Team forms."""

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from engagement.teams.models import AREAS


class TeamForm(FlaskForm):
    name = StringField("Team name", validators=[DataRequired("Enter the team's name"), Length(max=120)])
    slug = StringField(
        "Web address name",
        description="Used in the team's web address, for example ladywood. "
        "Leave blank to make one from the name. Changing it later breaks residents' subscriptions.",
        validators=[Optional(), Length(max=80)],
    )
    area = SelectField("Local authority area", choices=[(a, a) for a in AREAS])
    description = TextAreaField("About the team", validators=[Length(max=4000)])
    contact_email = EmailField("Public contact email", validators=[Optional(), Length(max=320)])
    contact_phone = StringField("Public contact phone", validators=[Optional(), Length(max=40)])
    coverage = TextAreaField(
        "Postcodes covered",
        description="Districts (B1) or sectors (B16 8), separated by commas.",
        validators=[Length(max=2000)],
    )
