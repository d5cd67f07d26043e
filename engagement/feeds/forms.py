"""Form for following an external feed."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, URLField
from wtforms.validators import DataRequired, Length

from engagement.feeds.models import TITLE_MAX, URL_MAX


class SourceForm(FlaskForm):
    team = SelectField("Team", coerce=int, invalid_choice_message="Choose one of your teams",
                       invalid_value_message="Choose one of your teams")  # fmt: skip
    title = StringField(
        "Name of the feed",
        description="For example, “West Midlands Police press office” or “Birmingham City Council news”.",
        validators=[DataRequired("Enter a name for the feed"), Length(max=TITLE_MAX)],
    )
    url = URLField(
        "Feed address",
        description="The address of the RSS or Atom feed, starting with https://. "
        "It usually ends in .rss, .xml or /feed.",
        validators=[DataRequired("Enter the feed's web address"), Length(max=URL_MAX)],
    )
    active = BooleanField("Fetch this feed every hour", default=True)
