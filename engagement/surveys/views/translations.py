"""The staff screen for a survey in another language: its title, introduction, questions and answers.

One page per language (/staff/surveys/<id>/translations/<language>), open to whoever may change the
survey (its team's officers, or a translator with the same access). The rules are in
surveys.translations; the fields are made from the survey's questions, so every question and option
has its own row beside the original.
"""

from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from engagement.core.actions import render_form, submit
from engagement.core.i18n import language_name, text_direction
from engagement.core.permissions import access
from engagement.events.languages import SPOKEN_NAMES
from engagement.surveys import translations as rules
from engagement.surveys.views.staff import load_survey


def _form(survey, code: str):
    """A form with one field per translatable part, filled with what is stored for `code`."""
    own = {"lang": code, "dir": text_direction(code)}
    fields = {}
    for row, name, field in rules.fields_of(survey):
        kind = TextAreaField if name == "introduction" else StringField
        fields[field] = kind(rules.english_label(row, name), description=getattr(row, name), render_kw=own)
    form_class = type("SurveyTranslationForm", (FlaskForm,), fields)
    form = form_class()
    if not form.is_submitted():
        for row, name, field in rules.fields_of(survey):
            form[field].data = ((row.translations or {}).get(code) or {}).get(name, "")
    return form


@access("team")
def survey_translation(survey_id: int, language: str):
    survey = load_survey(survey_id)
    code = language
    if code not in rules.translatable():
        abort(404, "The site is not offered in that language.")
    form = _form(survey, code)
    english = SPOKEN_NAMES.get(code, code)

    def save():
        values = {field: form[field].data or "" for _row, _name, field in rules.fields_of(survey)}
        return rules.save_translation(survey, code, values, actor=current_user)

    done = submit(
        form,
        save,
        success=url_for("surveys.staff_survey", survey_id=survey.id, _anchor="languages"),
        message=lambda offered: (
            f"Saved the {english} translation. Residents reading in {english} now see it."
            if offered
            else f"Took away the {english} translation."
        ),
    )
    return done or render_form(
        "surveys/staff/translation.html", form, survey=survey, code=code, english=english, own=language_name(code)
    )
