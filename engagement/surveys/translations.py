"""Surveys in more than one language (issue 15): the officer's text per language, one set of results.

A translation is text only. Each question and each option keeps its one row (and id) whatever the
language, so an answer given in Urdu points at the same option as one given in English and results
are counted across languages with no extra step: one chart per question. The response keeps the
language it was given in (Response.language, core.i18n), which the export shows as a column.

Residents see the current language's text where the survey has it, else the original (`text_of`,
also the Jinja filter `survey_tr`). Translations may be corrected after people have answered: the
words change, never the choices, so earlier answers keep their meaning.
"""

from __future__ import annotations

from sqlalchemy import func, select

from engagement.core import audit
from engagement.core.errors import DomainError, FieldChecks, PermissionDenied
from engagement.core.i18n import SOURCE, current_language, languages
from engagement.events.languages import SPOKEN_NAMES
from engagement.extensions import db
from engagement.surveys.models import (
    COMPLETE,
    HINT_MAX,
    INTRO_MAX,
    LABEL_MAX,
    OPTION_MAX,
    QUESTION_MAX,
    RATING,
    TITLE_MAX,
    Question,
    QuestionOption,
    Response,
    Survey,
)
from engagement.surveys.services import markdown_source, may_manage, plain

# What each kind of row has in other languages: attribute -> (label in messages, limit, required).
PARTS = {
    Survey: {"title": ("title", TITLE_MAX, True), "introduction": ("introduction", INTRO_MAX, False)},
    Question: {
        "text": ("question", QUESTION_MAX, True),
        "hint": ("hint", HINT_MAX, False),
        "low_label": ("label for 1", LABEL_MAX, True),
        "high_label": ("label for 5", LABEL_MAX, True),
    },
    QuestionOption: {"label": ("answer", OPTION_MAX, True)},
}


def text_of(obj, name: str, code: str | None = None) -> str:
    """`obj.name` in `code` (default: the current language) if translated, else the original."""
    code = code or current_language()
    original = getattr(obj, name)
    if code == SOURCE:
        return original
    value = ((getattr(obj, "translations", None) or {}).get(code) or {}).get(name)
    return value or original


def translatable() -> list[str]:
    return [code for code in languages() if code != SOURCE]


def fields_of(survey: Survey) -> list[tuple[object, str, str]]:
    """(row, attribute, form field name) for everything a translation of `survey` holds, in page order."""
    fields = [(survey, "title", "title"), (survey, "introduction", "introduction")]
    for question in survey.questions:
        fields.append((question, "text", f"q{question.id}_text"))
        if question.hint:
            fields.append((question, "hint", f"q{question.id}_hint"))
        if question.kind == RATING:
            fields += [(question, "low_label", f"q{question.id}_low"), (question, "high_label", f"q{question.id}_high")]
        fields += [(option, "label", f"o{option.id}") for option in question.options]
    return fields


def english_label(row, name: str) -> str:
    """The staff form's label of one part: "Title", "Question 2", "Question 2: answer 3"..."""
    if isinstance(row, Survey):
        return name.capitalize()
    if isinstance(row, QuestionOption):
        return f"Question {row.question.position}: answer {row.position}"
    words = {"text": "", "hint": ": hint", "low_label": ": label for 1", "high_label": ": label for 5"}
    return f"Question {row.position}{words[name]}"


def _clean(row, name: str, value: str, field: str) -> str:
    label, limit, _required = PARTS[type(row)][name]
    if name == "introduction":
        return markdown_source(value, label, field, limit)
    return plain(value, label, field, limit, required=False)


def save_translation(survey: Survey, code: str, values: dict[str, str], *, actor) -> bool:
    """Store the survey's text in `code` from {field name: text}; True if it is now offered in it.

    Everything blank takes the language away. Otherwise the title, every question and every answer
    to choose from are needed (a resident must never meet a question in a language they did not
    choose halfway through), each within the original's limits."""
    if not may_manage(actor, survey):
        raise PermissionDenied("You cannot change this survey.")
    if code not in translatable():
        raise DomainError("Choose one of the languages the site is offered in")
    fields = fields_of(survey)
    cleaned, checks = {}, FieldChecks()
    for row, name, field in fields:
        cleaned[field] = checks(_clean, row, name, values.get(field, ""), field) or ""
    checks.done()
    remove = not any(cleaned.values())
    if not remove:
        for row, name, field in fields:
            label, _limit, required = PARTS[type(row)][name]
            if required and not cleaned[field]:
                checks.add(f"Enter the {label} in this language: “{getattr(row, name)[:60]}”", field)
        checks.done()
    for row, name, field in fields:
        current = dict(row.translations or {})
        part = dict(current.get(code) or {})
        if remove or not cleaned[field]:
            part.pop(name, None)
        else:
            part[name] = cleaned[field]
        if part:
            current[code] = part
        else:
            current.pop(code, None)
        row.translations = current or None
    db.session.flush()
    audit.record(
        "survey.translation_remove" if remove else "survey.translation_save",
        actor=actor,
        target=survey,
        summary=survey.title,
        language=code,
    )
    return not remove


def language_counts(survey: Survey) -> list[tuple[str, int]]:
    """Complete responses per language they were given in, named in English ("English" also for
    responses from before languages were kept), most first: the results page's one line on languages."""
    language = func.coalesce(Response.language, SOURCE)
    rows = db.session.execute(
        select(language, func.count(Response.id))
        .where(Response.survey_id == survey.id, Response.status == COMPLETE)
        .group_by(language)
        .order_by(func.count(Response.id).desc(), language)
    ).all()
    return [(SPOKEN_NAMES.get(code, code), count) for code, count in rows]


def language_choices() -> list[tuple[str, str]]:
    """(code, English name) of every language a survey can be translated into, for the staff page."""
    return [(code, SPOKEN_NAMES.get(code, code)) for code in translatable()]


def register(app) -> None:
    app.jinja_env.filters["survey_tr"] = text_of
    app.add_template_global(language_choices, "survey_languages")
    app.add_template_global(language_counts, "survey_language_counts")
