"""Residents' pages: the short link, answering page by page without JavaScript, errors, thanks, email links."""

from __future__ import annotations

import re
from datetime import timedelta

from werkzeug.datastructures import MultiDict

from engagement.core.db import utcnow
from engagement.core.mail import OutboxMessage
from engagement.surveys.models import COMPLETE, Answer, Response
from tests.conftest import csrf_token, email_text
from tests.surveys.conftest import build_survey, option, q


def page_of(response) -> str:
    return response.get_data(as_text=True)


def hidden(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html)


def post_page(client, survey, page, data=(), action="next", token=None):
    payload = [("csrf_token", token or csrf_token(client)), ("page", str(page)), ("action", action), *data]
    return client.post(f"/surveys/{survey.id}", data=MultiDict(payload))


def carried(html: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in hidden(html) if k not in ("csrf_token", "page")]


def test_short_link_start_page_poster_and_listings(app, client, survey, team):
    response = client.get(f"/s/{survey.code.upper()}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/surveys/{survey.id}")
    assert client.get("/s/nothere").status_code == 404
    html = page_of(client.get(f"/surveys/{survey.id}"))
    assert '<h1 dir="auto">Feeling safe in Ladywood</h1>' in html  # the officer's words find their own direction
    assert "<em>how safe</em>" in html  # the introduction is Markdown
    assert "8 questions, on 7 short pages" in html
    assert "Anonymous: we do not ask your name or email." in html
    assert "This survey is not for reporting crime" in html and "Start now" in html
    html = page_of(client.get(f"/surveys/{survey.id}/poster"))
    assert f"http://localhost/s/{survey.code}" in html
    assert 'role="img"' in html and '<title id="qr-title">QR code for Feeling safe in Ladywood' in html
    svg = client.get(f"/surveys/{survey.id}/qr.svg")
    assert svg.status_code == 200 and svg.headers["Content-Type"].startswith("image/svg+xml")
    assert svg.get_data(as_text=True).startswith("<svg") and "<path" in svg.get_data(as_text=True)
    html = page_of(client.get("/surveys"))
    assert "Feeling safe in Ladywood" in html
    team_page = page_of(client.get(f"/teams/{team.slug}"))
    assert f'href="/surveys/{survey.id}">Feeling safe in Ladywood</a>' in team_page


def test_answering_page_by_page_keeps_answers_and_thanks(app, db, client, survey, team):
    token = csrf_token(client)
    single, multiple, rating = q(survey, "single"), q(survey, "multiple"), q(survey, "rating")
    first = post_page(client, survey, 0, token=token)
    html = page_of(first)
    assert first.status_code == 200 and 'id="' + single.field + '"' in html
    assert '<h1 class="question-heading">How often do you see officers where you live?</h1>' in html
    assert "page 1 of 7" in html

    # Missing a required answer: error summary linking to the field, 400, still page 1.
    missing = post_page(client, survey, 1, token=token)
    html = page_of(missing)
    assert missing.status_code == 400 and "<title>Error: " in html
    assert f'<a href="#{single.field}">Select an answer to' in html and 'class="error-message"' in html

    chosen = str(option(single, "Rarely").id)
    second = post_page(client, survey, 1, [(single.field, chosen)], token=token)
    assert "page 2 of 7" in page_of(second)
    assert carried(page_of(second)) == [(single.field, chosen)]

    # "Other" ticked without saying what: the error is next to the text box, the ticks stay.
    ticks = [(multiple.field, str(option(multiple, "Burglary").id)), (multiple.field, "other")]
    bad = post_page(client, survey, 2, [(single.field, chosen), *ticks], token=token)
    html = page_of(bad)
    assert bad.status_code == 400 and f'<a href="#{multiple.other_field}">Say what your other answer is</a>' in html
    assert f'value="{option(multiple, "Burglary").id}" checked' in html and 'value="other" checked' in html

    # Back keeps what was given on both pages.
    back = post_page(client, survey, 2, [(single.field, chosen), *ticks], action="back", token=token)
    assert f'value="{chosen}" checked' in page_of(back)
    assert sorted(carried(page_of(back))) == sorted(ticks)

    answers = [(single.field, chosen), *ticks, (multiple.other_field, "Fly-tipping <script>alert(1)</script>")]
    answers += [(rating.field, "4")]
    for page in (2, 3, 4):
        response = post_page(client, survey, page, answers, token=token)
        assert response.status_code == 200, page_of(response)
    text_page = page_of(response)  # page 5: two text questions under the survey's title, each with the warning
    assert '<h1 dir="auto">Feeling safe in Ladywood</h1>' in text_page and "page 5 of 7" in text_page
    assert text_page.count("This is not for reporting crime: in an emergency call 999, otherwise call 101.") == 2
    for page in (5, 6):
        assert post_page(client, survey, page, answers, token=token).status_code == 200
    answers += [(q(survey, "postcode").field, "B1 1AA")]
    done = post_page(client, survey, 7, answers, token=token)
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/surveys/{survey.id}/thanks")
    assert "surveys_answered=" in done.headers["Set-Cookie"] and "HttpOnly" in done.headers["Set-Cookie"]
    thanks = page_of(client.get(done.headers["Location"]))
    assert '<h1 class="panel-title">Thank you</h1>' in thanks

    stored = db.session.scalars(db.select(Response)).one()
    assert stored.status == COMPLETE and stored.team_id == team.id and stored.district == "B1"
    texts = db.session.scalars(db.select(Answer.text).where(Answer.text.is_not(None))).all()
    assert "Fly-tipping <script>alert(1)</script>" in texts

    # The same browser cannot answer again.
    again = client.get(f"/surveys/{survey.id}")
    assert "You have already answered this survey on this device" in page_of(again)
    refused = post_page(client, survey, 7, answers, token=token)
    assert refused.status_code == 409 and "already answered" in page_of(refused)
    assert db.session.scalar(db.select(db.func.count(Response.id))) == 1


def test_tampered_hidden_answers_are_caught_on_the_last_page(app, db, client, team):
    from engagement.surveys.questions import QuestionDetails

    survey = build_survey(db, team, title="Two pages", questions=[
        QuestionDetails("yesno", "Do you walk at night?"),
        QuestionDetails("number", "How many times a week?", min_value=0, max_value=14),
    ])  # fmt: skip
    walk, times = survey.questions
    response = post_page(client, survey, 2, [(walk.field, "perhaps"), (times.field, "3")])
    html = page_of(response)
    assert response.status_code == 400 and "Do you walk at night?" in html and "Select yes or no" in html
    assert db.session.scalar(db.select(db.func.count(Response.id))) == 0
    response = post_page(client, survey, 2, [(walk.field, "yes"), (times.field, "99")])
    assert response.status_code == 400 and "Enter a number between 0 and 14" in page_of(response)
    assert 'value="99"' in page_of(response)


def test_closed_and_future_surveys_say_so_and_take_nothing(app, db, client, team):
    future = build_survey(db, team, title="Future", opens=timedelta(days=3), closes=timedelta(days=10))
    html = page_of(client.get(f"/surveys/{future.id}"))
    assert "This survey opens on" in html and "Start now" not in html
    response = post_page(client, future, 0)
    assert response.status_code == 409 and "This survey opens on" in page_of(response)
    future.closes_at = utcnow() - timedelta(minutes=5)
    future.opens_at = utcnow() - timedelta(days=5)
    db.session.commit()
    html = page_of(client.get(f"/surveys/{future.id}"))
    assert "This survey closed on" in html
    assert post_page(client, future, 0).status_code == 409


def test_drafts_are_hidden_and_bad_requests_are_not_server_errors(app, db, client, survey, team, officer, login_as):
    draft = build_survey(db, team, title="Draft", publish=False)
    assert client.get(f"/surveys/{draft.id}").status_code == 404
    assert client.get(f"/surveys/{draft.id}/poster").status_code == 404
    assert client.get(f"/s/{draft.code}").status_code == 302  # the redirect says nothing; the page 404s
    login_as(officer)
    assert "Preview: this survey is a draft" in page_of(client.get(f"/surveys/{draft.id}"))
    big = post_page(client, survey, 1, [(q(survey, "long_text").field, "x" * 300_000)])
    assert big.status_code == 413
    assert client.get("/surveys/99999999999").status_code == 404
    # A page number beyond the end is read as the last page: everything is checked, the first gap shown.
    page = post_page(client, survey, 99999)
    assert page.status_code == 400 and f'<a href="#{q(survey, "single").field}">Select an answer to' in page_of(page)


def test_identified_survey_over_http(app, db, client, team):
    from engagement.surveys.questions import QuestionDetails

    survey = build_survey(db, team, mode="identified", title="Who answers",
                          questions=[QuestionDetails("yesno", "Is parking a problem on your street?")])  # fmt: skip
    question = survey.questions[0]
    email_page = post_page(client, survey, 1, [(question.field, "yes")])
    html = page_of(email_page)
    assert "What is your email address?" in html and "page 2 of 2" in html
    bad = post_page(client, survey, 2, [(question.field, "yes"), ("email", "not-an-email")])
    assert bad.status_code == 400 and '<a href="#email">Enter an email address in the correct format' in page_of(bad)
    assert 'value="not-an-email"' in page_of(bad)
    sent = post_page(client, survey, 2, [(question.field, "yes"), ("email", "resident@example.org")])
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/check-email")
    assert "resident@example.org" in page_of(client.get(sent.headers["Location"]))
    message = db.session.scalars(db.select(OutboxMessage)).one()
    url = next(line for line in email_text(message.raw).splitlines() if "/surveys/confirm/" in line).strip()
    path = url.replace("http://localhost", "")
    assert db.session.scalar(db.select(Response.status)) == "pending"
    page = client.get(path)  # the GET only shows a button
    assert "Confirm my answers" in page_of(page)
    assert db.session.scalar(db.select(Response.status)) == "pending"
    confirmed = client.post(path, data={"csrf_token": csrf_token(client)})
    assert confirmed.status_code == 302 and confirmed.headers["Location"].endswith("/thanks")
    db.session.expire_all()
    assert db.session.scalar(db.select(Response.status)) == COMPLETE
    assert client.get("/surveys/confirm/garbage").status_code == 400


def test_rate_limits_on_finished_responses_and_confirmation_emails(app, db, team):
    from engagement.surveys.questions import QuestionDetails

    anonymous = build_survey(db, team, title="One question", questions=[QuestionDetails("yesno", "Is it dark?")])
    question = anonymous.questions[0]
    for n in range(61):  # each from a fresh browser, so only the per-IP limit (60 an hour) can stop the 61st
        browser = app.test_client()
        response = post_page(browser, anonymous, 1, [(question.field, "yes")])
        assert response.status_code == (302 if n < 60 else 429), n
    assert "Your answers are still here" in page_of(response)
    assert db.session.scalar(db.select(db.func.count(Response.id))) == 60

    identified = build_survey(db, team, title="Who", mode="identified",
                              questions=[QuestionDetails("yesno", "Is it dark?")])  # fmt: skip
    question = identified.questions[0]
    from engagement.extensions import limiter

    limiter.reset()
    browser = app.test_client()
    codes = [post_page(browser, identified, 2, [(question.field, "no"), ("email", "Same@example.org")]).status_code
             for _ in range(4)]  # fmt: skip
    assert codes == [302, 302, 302, 429]  # three confirmation emails an hour per address
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 3
