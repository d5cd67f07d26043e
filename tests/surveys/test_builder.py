"""Building surveys: who may build for whom, question rules, pages, publishing, and the lock once people answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engagement.core.audit import AuditEntry
from engagement.core.db import utcnow
from engagement.core.errors import DomainError, PermissionDenied
from engagement.surveys.bulk import BulkResponse, insert_responses
from engagement.surveys.models import Survey
from engagement.surveys.questions import (
    QuestionDetails,
    add_question,
    delete_question,
    move_question,
    pages,
    update_question,
)
from engagement.surveys.services import (
    Locked,
    SurveyDetails,
    close_survey,
    copy_survey,
    delete_survey,
    publish_survey,
    save_survey,
)
from tests.conftest import csrf_token
from tests.surveys.conftest import build_survey, q


def details(**overrides):
    base = QuestionDetails("single", "How often?", options=["Often", "Sometimes", "Never"])
    for key, value in overrides.items():
        setattr(base, key, value)
    return base


def test_scope_rules(app, db, team, other_team, officer, coordinator):
    mine = save_survey(None, SurveyDetails(title="Mine", team=team), actor=officer)
    assert mine.team_id == team.id and len(mine.code) == 6
    with pytest.raises(PermissionDenied, match="only run surveys for your own teams, not Foleshill"):
        save_survey(None, SurveyDetails(title="Theirs", team=other_team), actor=officer)
    with pytest.raises(PermissionDenied, match="Only coordinators"):
        save_survey(None, SurveyDetails(title="Everyone", area="Birmingham"), actor=officer)
    area = save_survey(None, SurveyDetails(title="Birmingham-wide", area="Birmingham"), actor=coordinator)
    force = save_survey(None, SurveyDetails(title="Force-wide"), actor=coordinator)
    assert (area.area, force.team_id, force.area) == ("Birmingham", None, None)
    with pytest.raises(DomainError, match="Choose an area"):
        save_survey(None, SurveyDetails(title="Nowhere", area="Atlantis"), actor=coordinator)
    with pytest.raises(DomainError, match="cannot contain HTML"):
        save_survey(None, SurveyDetails(title="<b>Bold</b>", team=team), actor=officer)
    now = utcnow()
    with pytest.raises(DomainError, match="closing time must be after"):
        save_survey(None, SurveyDetails(title="Back to front", team=team, opens_at=now, closes_at=now), actor=officer)


def test_question_rules(app, db, team, officer):
    survey = build_survey(db, team, title="Rules", questions=[], publish=False)
    with pytest.raises(DomainError, match="at least two answers"):
        add_question(survey, details(options=["Only one"]), actor=officer)
    with pytest.raises(DomainError, match="Each answer must be different"):
        add_question(survey, details(options=["Yes", "yes "]), actor=officer)
    with pytest.raises(DomainError, match="cannot contain HTML"):
        add_question(survey, details(options=["<img src=x onerror=alert(1)>", "B"]), actor=officer)
    with pytest.raises(DomainError, match="must not be more than the largest"):
        add_question(survey, QuestionDetails("number", "How many?", min_value=10, max_value=1), actor=officer)
    with pytest.raises(DomainError, match="Enter the label for 1"):
        add_question(survey, QuestionDetails("rating", "How good?"), actor=officer)
    with pytest.raises(DomainError, match="Choose a type"):
        add_question(survey, QuestionDetails("essay", "Why?"), actor=officer)
    first = add_question(survey, details(), actor=officer)
    second = add_question(survey, QuestionDetails("yesno", "Seen us?", new_page=False), actor=officer)
    third = add_question(survey, QuestionDetails("short_text", "Why?"), actor=officer)
    assert [[x.text for x in page] for page in pages(survey)] == [["How often?", "Seen us?"], ["Why?"]]
    move_question(third, "up", actor=officer)
    assert [x.id for x in survey.questions] == [first.id, third.id, second.id]
    move_question(first, "up", actor=officer)  # already first: nothing happens
    assert [x.position for x in survey.questions] == [1, 2, 3]
    update_question(first, details(options=["Often", "Never"]), actor=officer)
    assert [o.label for o in first.options] == ["Often", "Never"]
    delete_question(second, actor=officer)
    assert [x.text for x in survey.questions] == ["How often?", "Why?"]


def test_publish_and_close(app, db, team, officer):
    survey = build_survey(db, team, title="Publish me", questions=[], publish=False)
    with pytest.raises(DomainError, match="Add at least one question"):
        publish_survey(survey, actor=officer)
    add_question(survey, details(), actor=officer)
    survey.closes_at = None
    with pytest.raises(DomainError, match="Set a closing date"):
        publish_survey(survey, actor=officer)
    survey.closes_at = utcnow() + timedelta(days=3)
    publish_survey(survey, actor=officer)
    assert survey.state() == "open"
    close_survey(survey, actor=officer)
    assert survey.state() == "closed"
    with pytest.raises(DomainError, match="not open"):
        close_survey(survey, actor=officer)
    actions = db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["survey.publish", "survey.close"]


def answered(db, survey):
    insert_responses(survey, [BulkResponse(utcnow(), [(survey.questions[0].id, survey.questions[0].options[0].id,
                                                      None, None, None)])])  # fmt: skip
    db.session.commit()


def test_after_the_first_answer_only_safe_changes_are_allowed(app, db, team, officer):
    survey = build_survey(db, team, title="Locked", questions=[
        details(), QuestionDetails("yesno", "Seen us?", required=False), QuestionDetails("short_text", "Why?"),
    ])  # fmt: skip
    answered(db, survey)
    first, second, third = survey.questions
    refused = [
        lambda: add_question(survey, QuestionDetails("yesno", "New?"), actor=officer),
        lambda: delete_question(third, actor=officer),
        lambda: update_question(first, details(text="How often, really?"), actor=officer),
        lambda: update_question(first, details(options=["Often", "Sometimes", "Never", "Daily"]), actor=officer),
        lambda: update_question(first, details(allow_other=True), actor=officer),
        lambda: update_question(second, QuestionDetails("yesno", "Seen us?", required=True), actor=officer),
        lambda: save_survey(survey, SurveyDetails(title="Locked", team=team, mode="identified",
                                                  closes_at=survey.closes_at), actor=officer),
        lambda: delete_survey(survey, actor=officer),
    ]  # fmt: skip
    for change in refused:
        with pytest.raises(Locked):
            change()
        db.session.rollback()
    # Safe: the hint, a page break, making a question optional, moving, the title and dates.
    update_question(first, details(hint="Think of the last month", required=False, new_page=True), actor=officer)
    move_question(third, "up", actor=officer)
    save_survey(survey, SurveyDetails(title="Still locked", team=team, closes_at=survey.closes_at), actor=officer)
    db.session.commit()
    assert (first.hint, first.required) == ("Think of the last month", False)
    assert [x.text for x in survey.questions] == ["How often?", "Why?", "Seen us?"]
    # A copy is a fresh draft that can change freely.
    copy = copy_survey(survey, actor=officer)
    db.session.commit()
    assert copy.status == "draft" and copy.title == "Copy of Still locked" and copy.code != survey.code
    assert [x.text for x in copy.questions] == ["How often?", "Why?", "Seen us?"]
    assert [o.label for o in copy.questions[0].options] == ["Often", "Sometimes", "Never"]
    update_question(copy.questions[0], details(text="How often, really?"), actor=officer)
    delete_survey(copy, actor=officer)
    db.session.commit()


# --- the staff screens ----------------------------------------------------------------------------------


def test_create_survey_through_the_form_in_uk_time(app, db, client, team, officer, login_as):
    login_as(officer)
    assert client.get("/staff/surveys/new").status_code == 200
    form = {"csrf_token": csrf_token(client), "scope": f"team:{team.id}", "title": "Street lighting",
            "introduction": "Which streets are too dark?", "mode": "anonymous", "opens_date": "1/6/2027",
            "opens_time": "09:00", "closes_date": "30/6/2027", "closes_time": "", "feedback_for": ""}  # fmt: skip
    response = client.post("/staff/surveys/new", data=form)
    survey = db.session.scalars(db.select(Survey)).one()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/staff/surveys/{survey.id}")
    assert survey.opens_at == datetime(2027, 6, 1, 8, 0, tzinfo=UTC)  # 9am BST
    assert survey.closes_at == datetime(2027, 6, 30, 22, 59, tzinfo=UTC)  # blank time: 23:59 BST
    bad = client.post("/staff/surveys/new", data={**form, "scope": "team:999999", "closes_date": "31/2/2027"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Choose who the survey is for" in html and "Enter a real date" in html
    assert 'value="Street lighting"' in html  # typed answers stay


def test_add_edit_and_locked_questions_through_the_screens(app, db, client, team, officer, login_as):
    survey = build_survey(db, team, title="Screens", questions=[details()], publish=False)
    login_as(officer)
    assert "What type of question?" in client.get(f"/staff/surveys/{survey.id}/questions/new").get_data(as_text=True)
    assert client.get(f"/staff/surveys/{survey.id}/questions/new?kind=essay").status_code == 400
    url = f"/staff/surveys/{survey.id}/questions/new?kind=multiple"
    response = client.post(url, data={"csrf_token": csrf_token(client), "text": "Which?", "options": "A\r\n\r\nB\r\nC",
                                      "allow_other": "y", "required": "y", "new_page": "y"})  # fmt: skip
    assert response.status_code == 302
    question = q(survey, "multiple")
    assert [o.label for o in question.options] == ["A", "B", "C"] and question.allow_other
    html = client.get(f"/staff/surveys/{survey.id}").get_data(as_text=True)
    assert "Which?" in html and "Multiple choice" in html and "Add a question" in html
    dashboard = client.get("/staff/").get_data(as_text=True)
    assert f'href="/staff/surveys/{survey.id}">Screens</a>' in dashboard and "Draft" in dashboard
    publish = client.post(f"/staff/surveys/{survey.id}/publish", data={"csrf_token": csrf_token(client)})
    assert publish.status_code == 302
    answered(db, survey)
    edit = f"/staff/surveys/{survey.id}/questions/{question.id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert "People have already answered this survey" in page
    refused = client.post(edit, data={"csrf_token": csrf_token(client), "text": "Which ones?", "options": "A\nB\nC",
                                      "allow_other": "y", "required": "y", "new_page": "y"})  # fmt: skip
    assert refused.status_code == 400 and "make a copy of the survey" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert q(survey, "multiple").text == "Which?"
    copied = client.post(f"/staff/surveys/{survey.id}/copy", data={"csrf_token": csrf_token(client)})
    copy = db.session.scalars(db.select(Survey).where(Survey.copied_from_id == survey.id)).one()
    assert copied.headers["Location"].endswith(f"/staff/surveys/{copy.id}")


def test_officers_of_other_teams_get_403(app, db, client, survey, outsider, login_as):
    login_as(outsider)
    for path in ("", "/edit", "/results", "/responses.csv", "/summary.csv", "/outcome", "/questions/new"):
        assert client.get(f"/staff/surveys/{survey.id}{path}").status_code == 403, path
    assert client.post(f"/staff/surveys/{survey.id}/close", data={"csrf_token": csrf_token(client)}).status_code == 403
    listed = client.get("/staff/surveys").get_data(as_text=True)
    assert "Feeling safe in Ladywood" not in listed
    assert client.get("/staff/surveys/2147483647").status_code == 404
