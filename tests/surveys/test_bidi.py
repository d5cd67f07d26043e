"""A survey's questions on a right-to-left page (issue 15): the officer's words (or their translation)
sit in a <bdi>, so "How often do you see officers where you live?" keeps its "?" at its own end in
Urdu; no `lang` is claimed, since the text may be the officer's Urdu translation."""

from __future__ import annotations

from bs4 import BeautifulSoup
from werkzeug.datastructures import MultiDict

from tests.conftest import csrf_token
from tests.surveys.conftest import q


def test_question_and_options_are_isolated_on_an_urdu_page(client, survey):
    single = q(survey, "single")
    payload = MultiDict([("csrf_token", csrf_token(client)), ("page", "0"), ("action", "next")])
    response = client.post(f"/surveys/{survey.id}?lang=ur", data=payload)
    assert response.status_code == 200
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.html["dir"] == "rtl"
    heading = page.select_one("h1.question-heading bdi")
    assert heading.get_text() == single.text and not heading.has_attr("lang")
    labels = [label.find("bdi").get_text() for label in page.select("label.radio-label, label.checkbox-label")]
    assert labels[: len(single.options)] == [option.label for option in single.options]
