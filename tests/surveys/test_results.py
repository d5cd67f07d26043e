"""Results arithmetic against a hand-counted fixture, filters, text search, and a query count that does not grow."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from engagement.surveys.bulk import BulkResponse, insert_responses
from engagement.surveys.models import PENDING, Response
from engagement.surveys.questions import QuestionDetails
from engagement.surveys.results import Filters, by_week, compile_results, search_texts
from tests.support.queries import count_queries
from tests.surveys.conftest import build_survey, option, q

DAY = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # midday in UTC is the same day in London

SMALL = [
    QuestionDetails("single", "Where do you feel least safe?", options=["A", "B", "C"], allow_other=True),
    QuestionDetails("multiple", "Which problems?", options=["X", "Y", "Z"], allow_other=True),
    QuestionDetails("rating", "How safe?", low_label="Very unsafe", high_label="Very safe"),
    QuestionDetails("yesno", "Seen an officer?", required=False),
    QuestionDetails("number", "Years here?", min_value=0, max_value=100, required=False),
    QuestionDetails("postcode", "Postcode?", required=False),
    QuestionDetails("short_text", "What should we do?", required=False),
]


@pytest.fixture
def counted(db, team, other_team):
    """Five counted responses (hand-tallied in the tests) and one unconfirmed that must not count."""
    survey = build_survey(db, team, title="Small survey", questions=SMALL)
    single, multiple, rating, yesno, number, postcode, text = survey.questions

    def choice(question, label):
        return (question.id, option(question, label).id, None, None, None)

    rows = [
        (DAY, team.id, "B16", [choice(single, "A"), choice(multiple, "X"), choice(multiple, "Y"),
                               (rating.id, None, 5, None, None), (yesno.id, None, 1, None, None),
                               (number.id, None, 10, None, None), (postcode.id, None, None, "B16", "B16 8"),
                               (text.id, None, None, "More patrols", None)]),
        (DAY, team.id, "B1", [choice(single, "A"), choice(multiple, "X"), (rating.id, None, 4, None, None),
                              (yesno.id, None, 0, None, None), (number.id, None, 20, None, None),
                              (postcode.id, None, None, "B1", None), (text.id, None, None, "Fix the LIGHTS", None)]),
        (DAY + timedelta(days=2), other_team.id, "CV6",
         [choice(single, "B"), choice(multiple, "Y"), (multiple.id, None, None, "Noise", None),
          (rating.id, None, 2, None, None), (yesno.id, None, 1, None, None),
          (postcode.id, None, None, "CV6", "CV6 5")]),
        (DAY + timedelta(days=3), team.id, None,
         [(single.id, None, None, "Depends on the day", None), choice(multiple, "Z"),
          (rating.id, None, 3, None, None), (number.id, None, 0, None, None)]),
        (DAY + timedelta(days=3, hours=1), team.id, "B16",
         [choice(single, "C"), choice(multiple, "X"), choice(multiple, "Y"), choice(multiple, "Z"),
          (rating.id, None, 1, None, None), (yesno.id, None, 1, None, None), (number.id, None, 45, None, None),
          (postcode.id, None, None, "B16", "B16 8"), (text.id, None, None, "100% safe_ here <b>", None)]),
    ]  # fmt: skip
    insert_responses(survey, [BulkResponse(at, answers, team_id, district) for at, team_id, district, answers in rows])
    insert_responses(survey, [BulkResponse(DAY, [choice(single, "A"), (rating.id, None, 5, None, None)], team.id)])
    db.session.execute(db.update(Response).where(Response.id == 6).values(status=PENDING))
    db.session.commit()
    return survey


def table(result):
    return [(row.label, row.count, row.percent) for row in result.rows]


def test_counts_percentages_and_averages(app, counted):
    results = compile_results(counted)
    single, multiple, rating, yesno, number, postcode, text = results.questions
    assert results.total == 5
    assert single.answered == 5
    assert table(single) == [("A", 2, 40.0), ("B", 1, 20.0), ("C", 1, 20.0), ("Other", 1, 20.0)]
    assert multiple.answered == 5
    assert table(multiple) == [("X", 3, 60.0), ("Y", 3, 60.0), ("Z", 2, 40.0), ("Other", 1, 20.0)]
    assert table(rating) == [("1 (Very unsafe)", 1, 20.0), ("2", 1, 20.0), ("3", 1, 20.0), ("4", 1, 20.0),
                             ("5 (Very safe)", 1, 20.0)]  # fmt: skip
    assert rating.average == 3.0
    assert yesno.answered == 4 and table(yesno) == [("Yes", 3, 75.0), ("No", 1, 25.0)]
    assert number.answered == 4 and (number.average, number.minimum, number.maximum) == (18.75, 0, 45)
    assert postcode.answered == 4 and table(postcode) == [("B16", 2, 50.0), ("B1", 1, 25.0), ("CV6", 1, 25.0)]
    assert text.answered == 3 and text.texts == ["100% safe_ here <b>", "Fix the LIGHTS", "More patrols"]
    assert multiple.texts == [] and single.texts == []
    assert results.by_day == [(date(2026, 6, 1), 2), (date(2026, 6, 2), 0), (date(2026, 6, 3), 1),
                              (date(2026, 6, 4), 2)]  # fmt: skip
    assert by_week(results.by_day) == [(date(2026, 6, 1), 5)]


def test_filters_by_team_and_district_and_text_search(app, counted, team, other_team):
    by_team = compile_results(counted, Filters(team_id=team.id))
    assert by_team.total == 4
    assert table(by_team.questions[0]) == [("A", 2, 50.0), ("B", 0, 0.0), ("C", 1, 25.0), ("Other", 1, 25.0)]
    assert compile_results(counted, Filters(team_id=other_team.id)).total == 1
    by_district = compile_results(counted, Filters(district="B16"))
    assert by_district.total == 2
    assert by_district.questions[2].average == 3.0  # ratings 5 and 1
    assert by_district.questions[4].average == 27.5  # numbers 10 and 45
    assert by_district.teams == [(other_team.id, "Foleshill"), (team.id, "Ladywood")]  # filters list every team
    assert by_district.districts == ["B1", "B16", "CV6"]
    assert compile_results(counted, Filters(district="ZZ9")).total == 0
    text = q(counted, "short_text")
    assert [r.text for r in search_texts(counted, text, Filters(), "lights").items] == ["Fix the LIGHTS"]
    assert [r.text for r in search_texts(counted, text, Filters(), "100%").items] == ["100% safe_ here <b>"]
    assert search_texts(counted, text, Filters(), "%").total == 1  # % is a character, not a wildcard
    assert search_texts(counted, text, Filters(), "_").total == 1
    assert search_texts(counted, text, Filters(), "").total == 3
    other = q(counted, "multiple")
    assert [r.text for r in search_texts(counted, other, Filters()).items] == ["Noise"]


def test_results_page_shows_charts_tables_and_escaped_text(app, client, counted, officer, login_as):
    login_as(officer)
    html = client.get(f"/staff/surveys/{counted.id}/results").get_data(as_text=True)
    assert "5 responses." in html
    assert 'role="img" aria-labelledby="chart-' in html and "<desc id=" in html
    assert "X: 60% (3); Y: 60% (3); Z: 40% (2); Other: 20% (1)." in html
    assert '<tr><th scope="row">A</th><td class="numeric">2</td><td class="numeric">40%</td></tr>' in html
    assert "Average: <strong>3.0</strong> out of 5" in html
    assert "100% safe_ here &lt;b&gt;" in html and "<b>" not in html.split("<main")[1].split("</main>")[0]
    assert "Responses per day" in html
    filtered = client.get(f"/staff/surveys/{counted.id}/results?district=B16&team=abc").get_data(as_text=True)
    assert "2 responses matching the filters." in filtered
    search = client.get(f"/staff/surveys/{counted.id}/results/{q(counted, 'short_text').id}?q=%3Cb")
    assert "1 answer containing “&lt;b”" in search.get_data(as_text=True)
    assert client.get(f"/staff/surveys/{counted.id}/results/{q(counted, 'rating').id}").status_code == 404


def _bulk(survey, team, n: int, start: int):
    single, multiple, rating, yesno, number, postcode, text = survey.questions
    rows = []
    for i in range(start, start + n):
        answers = [
            (single.id, single.options[i % 3].id, None, None, None),
            (multiple.id, multiple.options[i % 3].id, None, None, None),
            (multiple.id, None, None, f"other {i}", None),
            (rating.id, None, i % 5 + 1, None, None),
            (yesno.id, None, i % 2, None, None),
            (number.id, None, i % 90, None, None),
            (postcode.id, None, None, f"B{i % 20 + 1}", None),
            (text.id, None, None, f"comment {i}", None),
        ]
        rows.append(BulkResponse(DAY + timedelta(hours=i), answers, team.id, f"B{i % 20 + 1}"))
    insert_responses(survey, rows)


def test_results_page_costs_the_same_for_20_and_2000_responses(app, db, client, team, officer, login_as):
    survey = build_survey(db, team, title="Big survey", questions=SMALL)
    login_as(officer)
    url = f"/staff/surveys/{survey.id}/results"
    counts = []
    for n, start in ((20, 0), (1980, 20)):
        _bulk(survey, team, n, start)
        db.session.commit()
        with count_queries(db.engine) as statements:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(statements))
    html = response.get_data(as_text=True)
    assert "2,000 responses." in html and "Responses per week" in html  # 2,000 hours is more than 6 weeks
    assert counts[0] == counts[1], counts
    assert counts[0] <= 16, counts
