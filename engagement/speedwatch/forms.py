"""Form parts the Speed Watch pages share: a UK date typed as text, and the one-button confirm form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import InputRequired, Optional

DATE_HINT = "For example 14/3/2027"


def uk_date(label: str, description: str = DATE_HINT, required: str | None = None) -> DateField:
    """A date typed as text, day first; the typed answer stays as typed when it is wrong."""
    return DateField(
        label,
        description=description,
        validators=[InputRequired(required)] if required else [Optional()],
        format=["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d %m %Y", "%d/%m/%y", "%d.%m.%Y"],
        invalid_value_message="Enter a real date, for example 14/3/2027",
    )


class ConfirmForm(FlaskForm):
    """A one-button form: the CSRF token is the whole of it."""
