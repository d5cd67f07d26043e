"""News post form. The scope choice is built per user: their teams, plus areas and the force for coordinators."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from engagement.news.models import BODY_MAX, SUMMARY_MAX, TITLE_MAX

FORCE = "force"


class PostForm(FlaskForm):
    # No DataRequired: it would add `required` to the <select>; the choice itself is checked against the list.
    scope = SelectField("Who is this news from?", invalid_choice_message="Choose who the news is from")
    title = StringField(
        "Title",
        validators=[
            DataRequired("Enter the title"),
            Length(max=TITLE_MAX, message=f"Use {TITLE_MAX} characters or fewer"),
        ],
    )
    summary = TextAreaField(
        "Summary",
        description="One or two sentences. Shown in lists, feed readers and newsletters.",
        validators=[
            DataRequired("Enter a summary"),
            Length(max=SUMMARY_MAX, message=f"Use {SUMMARY_MAX} characters or fewer"),
        ],
        render_kw={"rows": 3},
    )
    body = TextAreaField(
        "The news",
        description="Plain text, or Markdown: **bold**, *italic*, - for a list, [link text](https://example.org). "
        "No HTML. Do not include anyone's personal details.",
        validators=[DataRequired("Enter the text of the post"), Length(max=BODY_MAX)],
        render_kw={"rows": 12},
    )


def scope_choices(teams, coordinator: bool, areas) -> list[tuple[str, str]]:
    choices = [(f"team:{t.id}", f"{t.name} Neighbourhood Team") for t in teams]
    if coordinator:
        choices += [(f"area:{a}", f"All teams in {a}") for a in areas]
        choices.append((FORCE, "The whole force"))
    return choices


def scope_value(post) -> str:
    if post.team_id:
        return f"team:{post.team_id}"
    return f"area:{post.area}" if post.area else FORCE
