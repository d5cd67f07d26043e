"""Exports: one row per response and one column per question, formulas neutralised, raw exports audited."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from engagement.core.audit import AuditEntry
from engagement.surveys import answering
from engagement.surveys.bulk import BulkResponse, insert_responses
from engagement.surveys.questions import QuestionDetails
from tests.surveys.conftest import build_survey, option

QUESTIONS = [
    QuestionDetails("multiple", "Which problems?", options=["Speeding", "Burglary"], allow_other=True),
    QuestionDetails("yesno", "Seen an officer?", required=False),
    QuestionDetails("number", "Years here?", required=False),
    QuestionDetails("postcode", "Postcode?", required=False),
    QuestionDetails("long_text", "Anything else?", required=False),
]
AT = datetime(2026, 7, 1, 17, 30, tzinfo=UTC)  # 6:30pm in London (BST)


def fill(db, survey, team):
    multiple, yesno, number, postcode, text = survey.questions
    insert_responses(survey, [
        BulkResponse(AT, [(multiple.id, option(multiple, "Speeding").id, None, None, None),
                          (multiple.id, option(multiple, "Burglary").id, None, None, None),
                          (multiple.id, None, None, "=HYPERLINK(\"http://evil.example\")", None),
                          (yesno.id, None, 1, None, None), (number.id, None, 12, None, None),
                          (postcode.id, None, None, "B16", "B16 8"),
                          (text.id, None, None, "<script>alert('x')</script>", None)], team.id, "B16"),
        BulkResponse(AT, [(yesno.id, None, 0, None, None), (text.id, None, None, "@SUM(A1:A9)", None)], team.id),
    ])  # fmt: skip
    db.session.commit()


def read_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_raw_csv_one_row_per_response_neutralised_and_audited(app, db, client, team, officer, login_as):
    survey = build_survey(db, team, title="Export me", questions=QUESTIONS)
    fill(db, survey, team)
    login_as(officer)
    response = client.get(f"/staff/surveys/{survey.id}/responses.csv")
    assert response.status_code == 200 and response.headers["Content-Disposition"].endswith('responses.csv"')
    rows = read_csv(response)
    assert rows[0] == ["Response", "Submitted", "Team", "Postcode district", "1. Which problems?",
                       "2. Seen an officer?", "3. Years here?", "4. Postcode?", "5. Anything else?",
                       "Language"]  # fmt: skip
    assert rows[1] == ["1", "2026-07-01 18:30", "Ladywood", "B16",
                       "Speeding; Burglary; Other: =HYPERLINK(\"http://evil.example\")", "Yes", "12", "B16 8",
                       "<script>alert('x')</script>", "en"]  # fmt: skip
    assert rows[2] == ["2", "2026-07-01 18:30", "Ladywood", "", "", "No", "", "", "'@SUM(A1:A9)", "en"]
    assert len(rows) == 3
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "export.survey_responses")).one()
    assert entry.actor_id == officer.id and entry.target_id == str(survey.id)
    assert entry.details["rows"] == 2 and entry.details["format"] == "csv"
    assert entry.details["filters"] == {"identified": False}


def test_xlsx_and_identified_email_column(app, db, client, team, officer, login_as):
    survey = build_survey(db, team, title="Identified export", mode="identified", questions=QUESTIONS[1:2])
    form = {survey.questions[0].field: "yes"}
    from werkzeug.datastructures import MultiDict

    response = answering.submit_identified(survey, MultiDict(form), "=cmd@example.org")
    answering.confirm_response(response)
    db.session.commit()
    login_as(officer)
    xlsx = client.get(f"/staff/surveys/{survey.id}/responses.xlsx?district=")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["Response", "Submitted", "Team", "Postcode district", "Email", "1. Seen an officer?",
                         "Language"]  # fmt: skip
    assert values[1][2:] == ["Ladywood", None, "'=cmd@example.org", "Yes", "en"]
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "export.survey_responses")).one()
    assert entry.details["format"] == "xlsx" and entry.details["filters"]["identified"] is True
    assert "email" in entry.details["columns"]


def test_summary_csv_and_filtered_exports(app, db, client, team, officer, login_as):
    survey = build_survey(db, team, title="Summary", questions=QUESTIONS)
    fill(db, survey, team)
    login_as(officer)
    rows = read_csv(client.get(f"/staff/surveys/{survey.id}/summary.csv"))
    assert rows[0] == ["Question", "Answer", "Count", "Percent of those who answered"]
    assert ["All questions", "Responses", "2", ""] in rows
    assert ["1. Which problems?", "Speeding", "1", "100.0"] in rows
    assert ["1. Which problems?", "Other", "1", "100.0"] in rows
    assert ["2. Seen an officer?", "Yes", "1", "50.0"] in rows
    assert ["3. Years here?", "Average", "12.0", ""] in rows
    assert ["4. Postcode?", "B16", "1", "100.0"] in rows
    # The summary holds no personal data, so it is not audited.
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action.like("export.%"))) == 0
    filtered = read_csv(client.get(f"/staff/surveys/{survey.id}/responses.csv?district=B16"))
    assert len(filtered) == 2 and filtered[1][3] == "B16"
