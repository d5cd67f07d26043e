"""Builder forms for staff. Residents' answer pages are built from the survey's questions, not WTForms.

Forms only parse (UK local dates and times into aware UTC); the rules live in services.
"""

from __future__ import annotations

from datetime import datetime, time

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from engagement.core.errors import DomainError
from engagement.core.timeutil import local_to_utc, to_local
from engagement.surveys.models import (
    HINT_MAX,
    INTRO_MAX,
    LABEL_MAX,
    OUTCOME_MAX,
    QUESTION_MAX,
    TITLE_MAX,
)

FORCE = "force"
MODE_CHOICES = [
    ("anonymous", "Anyone, without giving their name or email (anonymous)"),
    ("identified", "People who confirm their email address (identified)"),
]


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes rather than a multi-select: easier on a phone and with a screen reader."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def uk_date(label: str, **kwargs) -> DateField:
    return DateField(
        label,
        validators=[Optional()],
        format=["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d %m %Y", "%d/%m/%y"],
        invalid_value_message="Enter a real date, for example 3/3/2027",
        **kwargs,
    )


def uk_time(label: str, **kwargs) -> TimeField:
    return TimeField(
        label,
        validators=[Optional()],
        format=["%H:%M", "%H:%M:%S", "%H.%M"],
        invalid_value_message="Enter a time using the 24-hour clock, for example 18:00",
        **kwargs,
    )


class SurveyForm(FlaskForm):
    # No DataRequired on selects: it would add `required`; the choice is checked against the list.
    scope = SelectField("Who is the survey for?", invalid_choice_message="Choose who the survey is for")
    title = StringField(
        "Title",
        description="Residents see this first, for example “Feeling safe in Ladywood”.",
        validators=[
            DataRequired("Enter the title"),
            Length(max=TITLE_MAX, message=f"Use {TITLE_MAX} characters or fewer"),
        ],
    )
    introduction = TextAreaField(
        "Introduction",
        description="Why you are asking and what you will do with the answers. Plain text or Markdown, no HTML.",
        validators=[Length(max=INTRO_MAX, message=f"Use {INTRO_MAX:,} characters or fewer")],
        render_kw={"rows": 6},
    )
    mode = RadioField("Who can answer?", choices=MODE_CHOICES, default="anonymous",
                      validators=[InputRequired("Choose who can answer")])  # fmt: skip
    opens_date = uk_date("Opening date", description="Leave blank to open when you publish. For example 3/3/2027.")
    opens_time = uk_time("Opening time", description="24-hour clock. Blank means the start of the day.")
    closes_date = uk_date("Closing date", description="For example 31/3/2027.")
    closes_time = uk_time("Closing time", description="24-hour clock. Blank means the end of the day (23:59).")
    feedback_for = SelectField(
        "Event feedback",
        description="Attach the survey to an event, or to a kind of event, to email it to people who signed up, "
        "once the event has finished. It will not be listed with the team's other surveys.",
        invalid_choice_message="Choose an event or kind of event from the list",
    )

    def opens_at(self) -> datetime | None:
        if self.opens_date.data is None:
            if self.opens_time.data is not None:
                raise DomainError("Enter the opening date as well as the time", field="opens_date")
            return None
        return local_to_utc(self.opens_date.data, self.opens_time.data or time(0, 0))

    def closes_at(self) -> datetime | None:
        if self.closes_date.data is None:
            if self.closes_time.data is not None:
                raise DomainError("Enter the closing date as well as the time", field="closes_date")
            return None
        return local_to_utc(self.closes_date.data, self.closes_time.data or time(23, 59))

    def fill_times(self, survey) -> None:
        for prefix, value in (("opens", survey.opens_at), ("closes", survey.closes_at)):
            if value is not None:
                local = to_local(value)
                getattr(self, f"{prefix}_date").data = local.date()
                getattr(self, f"{prefix}_time").data = local.time().replace(second=0, microsecond=0)


class QuestionForm(FlaskForm):
    text = StringField(
        "Question",
        description="Ask one thing, in plain words, for example “How safe do you feel walking alone after dark?”",
        validators=[
            DataRequired("Enter the question"),
            Length(max=QUESTION_MAX, message=f"Use {QUESTION_MAX} characters or fewer"),
        ],
    )
    hint = StringField(
        "Hint (optional)",
        description="Shown under the question, for example “Think about the last 3 months.”",
        validators=[Length(max=HINT_MAX, message=f"Use {HINT_MAX} characters or fewer")],
    )
    options = TextAreaField(
        "Answers to choose from",
        description="One answer on each line, in the order residents should see them.",
        render_kw={"rows": 6},
    )
    allow_other = BooleanField("Add “Other, please say” with a box to type in")
    low_label = StringField("Label for 1", description="For example “Very unsafe”.",
                            validators=[Length(max=LABEL_MAX)])  # fmt: skip
    high_label = StringField("Label for 5", description="For example “Very safe”.",
                             validators=[Length(max=LABEL_MAX)])  # fmt: skip
    min_value = IntegerField("Smallest number allowed (optional)", validators=[Optional()],
                             invalid_value_message="Enter a whole number, like 0")  # fmt: skip
    max_value = IntegerField("Largest number allowed (optional)", validators=[Optional()],
                             invalid_value_message="Enter a whole number, like 100")  # fmt: skip
    required = BooleanField("Residents must answer this question", default=True)
    new_page = BooleanField(
        "Start a new page with this question",
        default=True,
        description="On phones one page shows at a time. Untick to keep this question on the same page as the one before.",
    )


class OutcomeForm(FlaskForm):
    headlines = MultiCheckboxField(
        "Headline results to show",
        coerce=int,
        description="Their charts appear on the survey's public page with what you write below.",
    )
    said = TextAreaField(
        "You said",
        description="The main things people told you, in plain words, for example “7 in 10 of you said speeding "
        "on Monument Road worries you”. Markdown is allowed, no HTML.",
        validators=[Length(max=OUTCOME_MAX)],
        render_kw={"rows": 6},
    )
    will_do = TextAreaField(
        "We will",
        description="What the team will do about it, and by when.",
        validators=[Length(max=OUTCOME_MAX)],
        render_kw={"rows": 6},
    )


def scope_choices(teams, coordinator: bool, areas) -> list[tuple[str, str]]:
    choices = [(f"team:{t.id}", f"{t.name} Neighbourhood Team") for t in teams]
    if coordinator:
        choices += [(f"area:{a}", f"All teams in {a}") for a in areas]
        choices.append((FORCE, "The whole force"))
    return choices


def scope_value(survey) -> str:
    if survey.team_id:
        return f"team:{survey.team_id}"
    return f"area:{survey.area}" if survey.area else FORCE


def feedback_value(survey) -> str:
    if survey.event_id:
        return f"event:{survey.event_id}"
    return f"type:{survey.event_type_id}" if survey.event_type_id else ""
