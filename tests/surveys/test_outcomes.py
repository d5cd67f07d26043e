"""'You said, we did': only after closing, shown on the survey and team pages, and made into a news post."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engagement.core.db import utcnow
from engagement.core.errors import DomainError
from engagement.news.models import NewsPost
from engagement.surveys.bulk import BulkResponse, insert_responses
from engagement.surveys.outcomes import make_news_post, save_outcome
from tests.conftest import csrf_token
from tests.surveys.conftest import q


def close(db, survey):
    survey.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()


def test_outcome_waits_for_the_survey_to_close(app, db, survey):
    with pytest.raises(DomainError, match="Publish “You said, we did” first"):
        make_news_post(survey, actor=None, survey_url="http://x")
    with pytest.raises(DomainError, match="once the survey has closed"):
        save_outcome(survey, actor=None, said="x", will_do="y", headline_ids=[], publish=True)
    close(db, survey)
    with pytest.raises(DomainError, match="Say what the team will do"):
        save_outcome(survey, actor=None, said="You said things", will_do="", headline_ids=[], publish=True)
    with pytest.raises(DomainError, match="cannot contain HTML"):
        save_outcome(survey, actor=None, said="<script>x</script>", will_do="y", headline_ids=[], publish=True)
    draft = save_outcome(survey, actor=None, said="Draft", will_do="", headline_ids=["abc", 999999], publish=False)
    assert draft.published_at is None and draft.headline_question_ids == []


def test_published_outcome_on_survey_and_team_pages_and_as_news(app, db, client, survey, team, officer, login_as):
    rating = q(survey, "rating")
    insert_responses(survey, [BulkResponse(utcnow() - timedelta(hours=2), [(rating.id, None, n, None, None)])
                              for n in (2, 3, 4)])  # fmt: skip
    close(db, survey)
    login_as(officer)
    url = f"/staff/surveys/{survey.id}/outcome"
    response = client.post(url, data={"csrf_token": csrf_token(client), "headlines": [str(rating.id)],
                                      "said": "Most of you feel **unsafe** after dark.",
                                      "will_do": "- Patrol the towpath every evening", "action": "publish"})  # fmt: skip
    assert response.status_code == 302
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "You said, we did" in page and "<strong>unsafe</strong>" in page
    assert "3 people answered this survey." in page
    assert "Average: <strong>3.0</strong> out of 5, from 3 answers." in page
    assert 'aria-labelledby="headline-' in page and "<li>Patrol the towpath every evening</li>" in page
    team_page = client.get(f"/teams/{team.slug}").get_data(as_text=True)
    assert "You said, we did: Feeling safe in Ladywood" in team_page
    news = client.post(f"{url}/news", data={"csrf_token": csrf_token(client)})
    post = db.session.scalars(db.select(NewsPost)).one()
    assert news.status_code == 302 and news.headers["Location"].endswith(f"/staff/news/{post.id}/edit")
    assert post.status == "draft" and post.team_id == team.id
    assert post.title == "You said, we did: Feeling safe in Ladywood"
    assert "## We will\n\n- Patrol the towpath every evening" in post.body
    # Asking again opens the same post rather than making another.
    assert make_news_post(survey, actor=officer, survey_url="http://x").id == post.id
    unpublish = client.post(f"{url}/unpublish", data={"csrf_token": csrf_token(client)})
    assert unpublish.status_code == 302
    assert "You said, we did: Feeling safe" not in client.get(f"/teams/{team.slug}").get_data(as_text=True)
