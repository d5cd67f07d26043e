"""Forms for data-subject requests (Flask-WTF adds CSRF to each)."""

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

CONFIRM_WORD = "delete"


class SearchForm(FlaskForm):
    q = StringField(
        "Email address or phone number",
        description="Exactly as the person gave it; case, spaces and +44 or 0 at the start do not matter.",
        validators=[DataRequired("Enter an email address or a phone number"), Length(max=320)],
    )


class StaffEraseForm(FlaskForm):
    q = HiddenField(validators=[DataRequired("Search for the person again"), Length(max=320)])
    confirm = StringField(
        f'To confirm, type "{CONFIRM_WORD}"',
        validators=[DataRequired(f'Type "{CONFIRM_WORD}" to confirm'), Length(max=20)],
    )

    def validate_confirm(self, field):
        if (field.data or "").strip().lower() != CONFIRM_WORD:
            raise ValidationError(f'Type "{CONFIRM_WORD}" to confirm')


class SelfEraseForm(FlaskForm):
    confirm = StringField(
        f'To confirm, type "{CONFIRM_WORD}"',
        validators=[DataRequired(f'Type "{CONFIRM_WORD}" to confirm'), Length(max=20)],
    )
    validate_confirm = StaffEraseForm.validate_confirm


class RequestForm(FlaskForm):
    email = EmailField(
        "Email address",
        description="The address you used with us. We will email a link to it.",
        validators=[DataRequired("Enter your email address"), Length(max=320)],
    )


class ButtonForm(FlaskForm):
    """A form that is only a button (and its CSRF token)."""
