"""Forms for text alerts: a resident's mobile number and code, an officer's alert."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from engagement.core.i18n import _l
from engagement.newsletter.text_models import ALERT_MAX

# Our own words, not WTForms' English "Field cannot be longer than 40 characters."
MOBILE_TOO_LONG = _l("Enter a phone number of %(num)s characters or fewer", num=40)


class MobileForm(FlaskForm):
    mobile = StringField(
        _l("UK mobile phone number"),
        description=_l("We will text a 6-digit code to this number. Nothing else is sent until you type it here."),
        validators=[DataRequired(_l("Enter your mobile phone number")), Length(max=40, message=MOBILE_TOO_LONG)],
    )


class ManageMobileForm(FlaskForm):
    """The number whose alerts a resident wants to change: a code proves it is theirs."""

    mobile = StringField(
        _l("UK mobile phone number"),
        description=_l("The number you get our text alerts on. We will text a 6-digit code to it."),
        validators=[DataRequired(_l("Enter your mobile phone number")), Length(max=40, message=MOBILE_TOO_LONG)],
    )


class LeaveForm(FlaskForm):
    """One button on the manage page: stop one team's alerts (`team`), or all of them (`everything`)."""

    team = HiddenField()
    everything = HiddenField()


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code from the text"),
        description=_l("6 digits. It works for 15 minutes."),
        validators=[DataRequired(_l("Enter the 6-digit code from the text"))],
    )


class NewCodeForm(FlaskForm):
    """The one button that texts a new code."""


class AlertForm(FlaskForm):
    team = SelectField("Team", invalid_choice_message="Choose a team from the list")
    kind = RadioField("What is this alert?", validators=[DataRequired("Choose what kind of alert this is")])
    body = TextAreaField(
        "Alert",
        description="Short and plain. The team's name goes before it, and a line after it says replies are read "
        "in office hours, are not for reporting crime, and that STOP ends alerts.",
        validators=[DataRequired("Enter the alert"), Length(max=ALERT_MAX)],
        render_kw={"rows": 5, "data-fragment-counter": "1"},
    )
    step = HiddenField(default="check")
