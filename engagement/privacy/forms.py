"""Forms for data-subject requests (Flask-WTF adds CSRF to each)."""

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from engagement.core.i18n import _, _l

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
    """A resident's page: the word to type stays "delete" in every language (it is what the check compares)."""

    confirm = StringField(
        _l('To confirm, type "%(word)s"', word=CONFIRM_WORD),
        validators=[
            DataRequired(_l('Type "%(word)s" to confirm', word=CONFIRM_WORD)),
            Length(max=20, message=_l('Type "%(word)s" to confirm', word=CONFIRM_WORD)),
        ],
    )

    def validate_confirm(self, field):
        if (field.data or "").strip().lower() != CONFIRM_WORD:
            raise ValidationError(_('Type "%(word)s" to confirm', word=CONFIRM_WORD))


class RequestForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        description=_l("The address you used with us. We will email a link to it."),
        validators=[
            DataRequired(_l("Enter your email address")),
            Length(max=320, message=_l("Enter an email address of %(num)s characters or fewer", num=320)),
        ],
    )


class ButtonForm(FlaskForm):
    """A form that is only a button (and its CSRF token)."""
