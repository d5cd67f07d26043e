"""Forms for residents (subscribe, manage, lost link, verify) and for staff composing an issue.

Team and area choices are filled in per request from the database; the services check them again.
"""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from engagement.core.i18n import _l
from engagement.newsletter.models import INTRO_MAX, MAX_WEEKS, SUBJECT_MAX


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes rather than a multi-select: easier on a phone and with a screen reader."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ChooseForm(FlaskForm):
    """Step 1 of subscribing (a GET form, so no CSRF token): which teams or areas."""

    class Meta:
        csrf = False

    team = MultiCheckboxField(_l("Teams"), validate_choice=False)
    area = MultiCheckboxField(_l("Whole areas"), validate_choice=False)


# Our own words, not WTForms' "Field cannot be longer than 320 characters." (English on Urdu pages).
EMAIL_TOO_LONG = _l("Enter an email address of %(num)s characters or fewer", num=320)


class EmailForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        description=_l("We will send a link to this address. Nothing is sent until you press it."),
        validators=[DataRequired(_l("Enter your email address")), Length(max=320, message=EMAIL_TOO_LONG)],
    )


class ManageForm(FlaskForm):
    team = MultiCheckboxField(_l("Teams"), validate_choice=False)
    area = MultiCheckboxField(_l("Whole areas"), validate_choice=False)


class LostLinkForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        description=_l("The address you get newsletters at."),
        validators=[DataRequired(_l("Enter your email address")), Length(max=320, message=EMAIL_TOO_LONG)],
    )


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False

    code = StringField(
        _l("Reference"),
        description=_l("It is at the bottom of the email and looks like %(example)s.", example="NL-7KQ3-M9TP"),
        validators=[
            DataRequired(_l("Enter the reference from the email")),
            Length(max=40, message=_l("Use %(num)s characters or fewer", num=40)),
        ],
    )


class IssueForm(FlaskForm):
    scope = SelectField("Who is this newsletter from?", invalid_choice_message="Choose a team or area from the list")
    subject = StringField(
        "Subject line",
        validators=[DataRequired("Enter a subject line"), Length(max=SUBJECT_MAX)],
    )
    intro = TextAreaField(
        "Introduction",
        description="A few words from the team. Plain text, or Markdown: **bold**, [link text](https://...). No HTML.",
        validators=[Length(max=INTRO_MAX)],
        render_kw={"rows": 8},
    )
    weeks = IntegerField(
        "Weeks of events to include",
        description=f"The team's public events from the day it is sent, 0 to {MAX_WEEKS} weeks ahead.",
        default=2,
        validators=[
            InputRequired("Enter a number of weeks, 0 for none"),
            NumberRange(0, MAX_WEEKS, message=f"Enter a number from 0 to {MAX_WEEKS}"),
        ],
    )
    priorities = BooleanField("Include the team's current priorities",
                              description="Each priority with the latest thing the team did about it.")  # fmt: skip
    posts = MultiCheckboxField("News posts to include", coerce=int, validate_choice=False)
    entries = MultiCheckboxField("Items from imported feeds to include", coerce=int, validate_choice=False)


class SendForm(FlaskForm):
    when = RadioField(
        "When should it be sent?",
        choices=[("now", "Now"), ("later", "At a time I choose")],
        default="now",
        validators=[DataRequired("Choose when to send it")],
    )
    send_date = DateField("Date", validators=[Optional()])
    send_time = TimeField("Time", validators=[Optional()])
