"""Sign-in, password and user-management forms (Flask-WTF adds CSRF to each)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length
from wtforms.widgets import CheckboxInput, ListWidget

from engagement.core.permissions import ROLE_LABELS


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: easier than a multi-select on a phone and with a screen reader."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address"), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password"), Length(max=128)])
    remember = BooleanField("Keep me signed in on this device for 14 days")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address"), Length(max=320)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        description="At least 10 characters. A few random words make a strong password.",
        validators=[
            DataRequired("Enter a new password"),
            Length(min=10, max=128, message="Password must be 10 to 128 characters"),
        ],
    )
    confirm = PasswordField(
        "Confirm new password",
        validators=[
            DataRequired("Confirm your new password"),
            EqualTo("password", message="The passwords do not match"),
        ],
    )


class UserForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter an email address"), Length(max=320)])
    display_name = StringField("Full name", validators=[DataRequired("Enter the person's name"), Length(max=120)])
    rank = StringField(
        "Rank or job title",
        description="Shown to residents, for example PC, PCSO or Sergeant.",
        validators=[Length(max=80)],
    )
    role = SelectField("Role", choices=list(ROLE_LABELS.items()))
    teams = MultiCheckboxField("Teams", coerce=int, description="Officers can only manage their own teams' records.")
    active = BooleanField("Account is active", default=True)


class UserEditForm(UserForm):
    """Email is the sign-in identity and stays fixed; create a new account to change it."""

    email = None


class CodeForm(FlaskForm):
    """A 6-digit code from the authenticator app, or a recovery code (10 letters and numbers)."""

    code = StringField(
        "Code",
        description="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        validators=[DataRequired("Enter the code from your authenticator app"), Length(max=20)],
    )
    remember_device = BooleanField("Do not ask for a code on this device for 30 days")
