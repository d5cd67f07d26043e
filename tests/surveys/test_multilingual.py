"""Surveys in more than one language (issue 15): the officer adds each question's words per language,
residents answer in theirs, and the results are one set across languages, with the language in the export."""

from __future__ import annotations

import csv
import io

import pytest
from werkzeug.datastructures import MultiDict

from engagement.core.errors import DomainError
from engagement.surveys import translations
from engagement.surveys.models import Response
from engagement.surveys.questions import QuestionDetails
from engagement.surveys.results import compile_results
from tests.conftest import csrf_token
from tests.surveys.conftest import build_survey, option

QUESTIONS = [
    QuestionDetails("single", "How safe do you feel?", options=["Safe", "Unsafe"]),
    QuestionDetails("rating", "How good is the team?", low_label="Poor", high_label="Good", new_page=False),
]
URDU = {
    "title": "لیڈی وڈ میں تحفظ",
    "question": "آپ کتنا محفوظ محسوس کرتے ہیں؟",
    "safe": "محفوظ",
    "unsafe": "غیر محفوظ",
}


@pytest.fixture
def bilingual(db, team, officer):
    """A two-question survey with its Urdu translation saved through the service."""
    survey = build_survey(db, team, questions=QUESTIONS)
    translations.save_translation(survey, "ur", urdu_values(survey), actor=officer)
    db.session.commit()
    return survey


def urdu_values(survey, **overrides) -> dict:
    single, rating = survey.questions
    values = {
        "title": URDU["title"],
        f"q{single.id}_text": URDU["question"],
        f"o{single.options[0].id}": URDU["safe"],
        f"o{single.options[1].id}": URDU["unsafe"],
        f"q{rating.id}_text": "ٹیم کتنی اچھی ہے؟",
        f"q{rating.id}_low": "خراب",
        f"q{rating.id}_high": "اچھی",
    }
    return values | overrides


def answer(app, survey, choice, rating: str, lang: str | None = None) -> str:
    """One resident in their own browser: open the survey (in `lang`), start, answer the one page."""
    client = app.test_client()
    start = client.get(f"/surveys/{survey.id}" + (f"?lang={lang}" if lang else ""))
    token = csrf_token(client)
    page = client.post(
        f"/surveys/{survey.id}", data=MultiDict([("csrf_token", token), ("page", "0"), ("action", "next")])
    )
    single, rating_q = survey.questions
    done = client.post(f"/surveys/{survey.id}", data=MultiDict([
        ("csrf_token", token), ("page", "1"), ("action", "next"),
        (single.field, str(option(single, choice).id)), (rating_q.field, rating),
    ]))  # fmt: skip
    assert done.status_code == 302, done.get_data(as_text=True)
    return start.get_data(as_text=True) + page.get_data(as_text=True)


def test_officer_adds_a_language_on_the_staff_page(client, db, login_as, post_form, officer, team):
    survey = build_survey(db, team, questions=QUESTIONS)
    login_as(officer)
    page = client.get(f"/staff/surveys/{survey.id}").get_data(as_text=True)
    assert f'href="/staff/surveys/{survey.id}/translations/ur">Add the survey in Urdu</a>' in page
    form = client.get(f"/staff/surveys/{survey.id}/translations/ur").get_data(as_text=True)
    single = survey.questions[0]
    assert f'name="o{single.options[0].id}"' in form and 'lang="ur"' in form and 'dir="rtl"' in form

    # Half a translation is refused, with every missing part listed and what was typed kept.
    partial = post_form(f"/staff/surveys/{survey.id}/translations/ur", {"title": URDU["title"]})
    assert partial.status_code == 400
    html = partial.get_data(as_text=True)
    assert html.count('<li><a href="#') == 6 and f'href="#o{single.options[1].id}"' in html
    assert f'value="{URDU["title"]}"' in html
    assert survey.offered_languages == []

    saved = post_form(f"/staff/surveys/{survey.id}/translations/ur", urdu_values(survey))
    assert saved.status_code == 302
    db.session.refresh(survey)
    assert survey.offered_languages == ["ur"]
    assert option(single, "Safe").translations == {"ur": {"label": URDU["safe"]}}
    assert "Change the Urdu translation" in client.get(f"/staff/surveys/{survey.id}").get_data(as_text=True)
    assert client.get(f"/staff/surveys/{survey.id}/translations/xx").status_code == 404

    # Clearing everything takes the language away again.
    cleared = post_form(f"/staff/surveys/{survey.id}/translations/ur", {})
    assert cleared.status_code == 302
    db.session.expire_all()
    assert survey.offered_languages == [] and single.translations is None


def test_service_refuses_html_and_other_teams(db, bilingual, outsider, officer):
    with pytest.raises(DomainError):
        translations.save_translation(bilingual, "ur", urdu_values(bilingual), actor=outsider)
    with pytest.raises(DomainError) as refused:
        translations.save_translation(bilingual, "ur", urdu_values(bilingual, title="<b>x</b>"), actor=officer)
    assert refused.value.field == "title" and "HTML" in refused.value.message


def test_residents_answer_in_their_language_and_results_count_together(app, db, client, bilingual, login_as, officer):
    urdu_pages = answer(app, bilingual, "Unsafe", "2", lang="ur")
    assert URDU["title"] in urdu_pages and URDU["question"] in urdu_pages and URDU["unsafe"] in urdu_pages
    assert "How safe do you feel?" not in urdu_pages
    english_pages = answer(app, bilingual, "Unsafe", "4")
    assert "How safe do you feel?" in english_pages and URDU["question"] not in english_pages
    answer(app, bilingual, "Safe", "5", lang="pl")  # no Polish translation: the original, counted the same
    db.session.expire_all()

    stored = sorted((r.language or "en") for r in db.session.scalars(db.select(Response)))
    assert stored == ["en", "pl", "ur"]
    results = compile_results(bilingual)
    single = next(r for r in results.questions if r.question.kind == "single")
    assert results.total == 3
    assert {row.label: row.count for row in single.rows} == {"Safe": 1, "Unsafe": 2}  # one set, not one per language

    login_as(officer)
    page = client.get(f"/staff/surveys/{bilingual.id}/results").get_data(as_text=True)
    assert page.count('<svg class="chart') == 1 + len(bilingual.questions)  # one chart per question, plus the timeline
    assert "Answered in " in page and "Urdu: 1" in page and "English: 1" in page and "Polish: 1" in page

    exported = client.get(f"/staff/surveys/{bilingual.id}/responses.csv")
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert sorted(row["Language"] for row in rows) == ["en", "pl", "ur"]
    assert {row["1. How safe do you feel?"] for row in rows} == {"Safe", "Unsafe"}  # answers in the original words


def test_an_error_on_a_translated_page_names_the_question_in_urdu(app, bilingual):
    client = app.test_client()
    client.get(f"/surveys/{bilingual.id}?lang=ur")
    token = csrf_token(client)
    client.post(f"/surveys/{bilingual.id}", data={"csrf_token": token, "page": "0", "action": "next"})
    missing = client.post(f"/surveys/{bilingual.id}", data={"csrf_token": token, "page": "1", "action": "next"})
    assert missing.status_code == 400
    assert f"“{URDU['question']}”" in missing.get_data(as_text=True)


def test_copying_keeps_the_translations(db, bilingual, officer):
    from engagement.surveys.services import copy_survey

    copy = copy_survey(bilingual, actor=officer)
    db.session.flush()
    assert copy.offered_languages == ["ur"]
    assert copy.questions[0].options[1].translations == {"ur": {"label": URDU["unsafe"]}}
