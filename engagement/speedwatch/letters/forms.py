"""Forms for the back office: the keeper import, the force's letter wording, closing a referral."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import Optional


class KeeperImportForm(FlaskForm):
    file = FileField(
        "CSV file from the keeper lookup",
        description="The lookup file with the columns Letter ID, Registration, Keeper name, Address line 1 to 3, Town and Postcode.",
    )


class TemplateForm(FlaskForm):
    body = TextAreaField(
        "Text of the letter",
        description="Plain text. Leave a blank line between paragraphs. The words in {curly brackets} are filled in for each letter.",
        render_kw={"rows": 22},
    )


class CloseReferralForm(FlaskForm):
    outcome = TextAreaField(
        "What was done",
        description="For example “Visited the keeper on 3 May; advice given”.",
        validators=[Optional()],
        render_kw={"rows": 3},
    )
