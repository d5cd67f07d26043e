"""Forms for priorities, their actions and closing, and the team's people. They only parse; services check."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from engagement.events.forms import uk_date
from engagement.priorities.models import (
    ACTION_MAX,
    BIO_MAX,
    DETAIL_MAX,
    HOW_LABELS,
    ISSUE_MAX,
    NAME_MAX,
    OUTCOME_MAX,
    RANKS,
)


class PriorityForm(FlaskForm):
    issue = TextAreaField(
        "The issue",
        description="In plain words, as residents would say it, for example “Speeding on Icknield Port Road”.",
        validators=[DataRequired("Enter the issue"), Length(max=ISSUE_MAX)],
        render_kw={"rows": 3},
    )
    set_on = uk_date("Date it was set", required=True, required_message="Enter the date it was set",
                     description="For example 12/1/2027.")  # fmt: skip
    how = RadioField(
        "How was it set?",
        choices=list(HOW_LABELS.items()),
        default="meeting",
        validators=[DataRequired("Choose how the priority was set")],
    )
    how_detail = StringField(
        "Where, or which meeting (optional)",
        description="For example “Ladywood Community Forum”. Shown to residents.",
        validators=[Optional(), Length(max=DETAIL_MAX)],
    )
    survey = SelectField("Which survey?", coerce=int, validate_choice=False,
                         description="Only if it was set from a survey.")  # fmt: skip


class ActionForm(FlaskForm):
    taken_on = uk_date("Date", required=True, required_message="Enter the date of the action",
                       description="For example 12/3/2027. For something that ran over days, its first day.")  # fmt: skip
    text = TextAreaField(
        "What the team did",
        description="With numbers where you have them, for example “12 Speed Watch sessions held; 340 advisory "
        "letters”.",
        validators=[DataRequired("Enter what the team did"), Length(max=ACTION_MAX)],
        render_kw={"rows": 4},
    )


class CloseForm(FlaskForm):
    closed_on = uk_date("Date it was closed", required=True, required_message="Enter the date it was closed")
    outcome = TextAreaField(
        "Outcome",
        description="What changed, in plain words. Residents keep seeing this with the priority.",
        validators=[DataRequired("Enter the outcome"), Length(max=OUTCOME_MAX)],
        render_kw={"rows": 4},
    )


class ConfirmForm(FlaskForm):
    """A button with a CSRF token: delete, reopen, hide."""


class PersonForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name"), Length(max=NAME_MAX)],
                       description="As residents will see it, for example “Aisha Khan”.")  # fmt: skip
    rank = RadioField("Rank or role", choices=[(r, r) for r in RANKS],
                      validators=[DataRequired("Choose a rank or role")])  # fmt: skip
    bio = TextAreaField(
        "Short bio (optional)",
        description="A few lines about what you do in the neighbourhood. No personal phone numbers or emails: "
        "residents contact the team.",
        validators=[Optional(), Length(max=BIO_MAX)],
        render_kw={"rows": 4},
    )
    photo = FileField("Photo (optional)", description="A JPEG, PNG or WebP picture. We remove everything but the "
                      "picture itself (such as where and when it was taken) and shrink it.")  # fmt: skip
    remove_photo = BooleanField("Remove the current photo")
    shown = BooleanField("Show me on the team's public page")


class OtherPersonForm(PersonForm):
    shown = BooleanField(
        "Show them on the team's public page",
        description="Only if they have agreed to appear. You can take them off at any time.",
    )
