"""Residents' survey pages: the short link, answering page by page, thanks, email confirmation, posters.

Answering is one POST form per page: answers from earlier pages travel as hidden fields,
so it works without JavaScript or server-side drafts, and nothing is stored until the last
page.
"""

from __future__ import annotations

from flask import abort, current_app, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engagement.accounts.services import normalise_email
from engagement.core.actions import perform
from engagement.core.errors import DomainError
from engagement.core.ratelimits import SHARED_CONNECTION, answered, email_key, keeps_answers_when_limited, limited
from engagement.core.urls import public_url
from engagement.extensions import db, limiter
from engagement.surveys import answering, outcomes
from engagement.surveys.charts import bar_chart
from engagement.surveys.models import Question, Survey
from engagement.surveys.qr import qr_svg
from engagement.surveys.questions import pages
from engagement.surveys.results import compile_results
from engagement.surveys.services import may_manage, scope_label

# Documented limits (README, "Rate limits"): page steps and finished responses per IP address (sized for a
# shared connection: anonymous surveys also allow one response per browser), confirmation emails per address.
STEPS_PER_IP = "120 per minute"
RESPONSES_PER_IP = SHARED_CONNECTION
EMAILS_PER_ADDRESS = "3 per hour; 10 per day"
MAX_FORM_BYTES = 256 * 1024


def _address_key() -> str:
    return email_key("survey", normalise_email)


def _wait_text(wait) -> str:
    who = (
        "We have sent several confirmation emails to this address in a short time."
        if wait.per_person
        else "Many answers have been sent from this internet connection in a short time."
    )
    return f"{who} Your answers are still here: wait {wait.words}, then press the button again."


def _load(survey_id: int) -> Survey:
    """A survey with everything the answer pages need; drafts only for the staff who may see them."""
    survey = db.session.scalar(
        select(Survey)
        .where(Survey.id == survey_id)
        .options(
            selectinload(Survey.questions).selectinload(Question.options),
            selectinload(Survey.team),
            selectinload(Survey.outcome),
        )
    )
    viewer = current_user if current_user.is_authenticated else None
    if survey is None or (survey.status != "published" and not (viewer and may_manage(viewer, survey))):
        abort(404, "We could not find that survey. It may have been taken down. Check the web address.")
    return survey


def survey_list():
    return render_template("surveys/list.html", surveys=outcomes.open_surveys(),
                           outcomes=outcomes.recent_outcomes(limit=6))  # fmt: skip


def short_link(code: str):
    survey_id = db.session.scalar(select(Survey.id).where(Survey.code == code.strip().lower()[:12]))
    if survey_id is None:
        abort(404, "We could not find a survey at that address. Check you copied all of it.")
    return redirect(url_for("surveys.answer", survey_id=survey_id))


def _start(survey: Survey, status: int = 200, message: str | None = None):
    state = survey.state()
    already = not survey.identified and survey.id in answering.answered_ids(request.cookies.get(answering.COOKIE_NAME))
    headline = None
    if state == "closed" and survey.outcome and survey.outcome.is_public:
        headline = _headline_charts(survey)
    return render_template(
        "surveys/start.html", survey=survey, state=state, already=already, message=message, headline=headline,
        page_count=len(pages(survey)), question_count=len(survey.questions), scope=scope_label(survey),
        keep_days=answering.EMAIL_KEEP_DAYS,
    ), status  # fmt: skip


def _headline_charts(survey: Survey) -> tuple[list, int]:
    results = compile_results(survey)
    chosen = set(survey.outcome.headline_question_ids or [])
    return [
        (result, bar_chart(f"headline-{result.question.id}", result.question.text, result.rows))
        for result in results.questions
        if result.question.id in chosen
    ], results.total


def _page_count(survey: Survey) -> int:
    return len(pages(survey)) + (1 if survey.identified else 0)


def _render_page(survey: Survey, number: int, form, errors: dict | None = None, status: int = 200, notice=None):
    all_pages = pages(survey)
    questions = all_pages[number - 1] if number <= len(all_pages) else []
    shown = {q.id for q in questions}
    carried = []
    for question in survey.questions:
        if question.id not in shown:
            for name in (question.field, question.other_field):
                carried += [(name, value) for value in form.getlist(name)]
    email_page = number > len(all_pages)
    if not email_page and form.get("email"):
        carried.append(("email", form.get("email")))
    return render_template(
        "surveys/page.html", survey=survey, number=number, total=_page_count(survey), questions=questions,
        email_page=email_page, values=form, errors=errors or {}, notice=notice, carried=carried,
        days=answering.VERIFY_DAYS,
        keep_days=answering.EMAIL_KEEP_DAYS,
        has_free_text=any(q.kind in ("short_text", "long_text") or q.allow_other for q in questions),
    ), status  # fmt: skip


def _page_of(survey: Survey, field: str) -> int:
    for number, questions in enumerate(pages(survey), start=1):
        if any(field in (q.field, q.other_field) for q in questions):
            return number
    return _page_count(survey)


@limiter.limit(STEPS_PER_IP, methods=["POST"])
@limiter.limit(RESPONSES_PER_IP, methods=["POST"], deduct_when=answered)
@limiter.limit(EMAILS_PER_ADDRESS, methods=["POST"], key_func=_address_key, deduct_when=answered,
               exempt_when=lambda: not request.form.get("email"))  # fmt: skip
@keeps_answers_when_limited
def answer(survey_id: int):
    survey = _load(survey_id)
    if request.method == "GET":
        return _start(survey)
    if (request.content_length or 0) > MAX_FORM_BYTES:
        abort(413)
    form = request.form
    cookie = request.cookies.get(answering.COOKIE_NAME)
    try:
        answering.require_answerable(survey, cookie)
    except DomainError as exc:
        return _start(survey, exc.status, exc.message)
    total = _page_count(survey)
    number = min(max(form.get("page", 0, type=int), 0), total)
    if wait := limited():  # a limit was hit: the same page again, every answer kept (429 from core.ratelimits)
        return _render_page(survey, max(number, 1), form, notice=_wait_text(wait), status=429)
    if form.get("action") == "back":
        return _render_page(survey, max(number - 1, 1), form)
    if 1 <= number <= len(pages(survey)):
        _answers, errors = answering.check_page(pages(survey)[number - 1], form)
        if errors:
            return _render_page(survey, number, form, errors, 400)
    if number < total:
        return _render_page(survey, number + 1, form)
    return _store(survey, form, cookie)


def _store(survey: Survey, form, cookie: str | None):
    """The last page: check everything again, then store the response (or email its confirmation link)."""
    _answers, errors = answering.check_all(survey, form)
    if errors:
        first = next(iter(errors))
        return _render_page(survey, _page_of(survey, first), form, errors, 400)

    def refused(exc: DomainError):
        if exc.field == "email":
            return _render_page(survey, _page_count(survey), form, {"email": exc.message}, 400)
        return _start(survey, exc.status, exc.message)

    if survey.identified:
        return perform(lambda: answering.submit_identified(survey, form, form.get("email", "")),
                       success=lambda _response: _check_email(survey, form), failure=refused)  # fmt: skip
    return perform(lambda: answering.submit_anonymous(survey, form, answered_cookie_value=cookie),
                   success=lambda _response: _thanks_with_cookie(survey, cookie), failure=refused)  # fmt: skip


def _check_email(survey: Survey, form) -> str:
    session["survey_email"] = normalise_email(form.get("email", ""))
    return url_for("surveys.check_email", survey_id=survey.id)


def _thanks_with_cookie(survey: Survey, cookie: str | None):
    """Thanks, and remember in the browser's cookie that it has answered this survey."""
    response = make_response(redirect(url_for("surveys.thanks", survey_id=survey.id)))
    response.set_cookie(
        answering.COOKIE_NAME,
        answering.answered_cookie(cookie, survey.id),
        max_age=answering.COOKIE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


def thanks(survey_id: int):
    survey = _load(survey_id)
    return render_template("surveys/thanks.html", survey=survey)


def check_email(survey_id: int):
    survey = _load(survey_id)
    return render_template("surveys/check_email.html", survey=survey, email=session.get("survey_email"),
                           days=answering.VERIFY_DAYS)  # fmt: skip


def _bad_link(exc: DomainError):
    return render_template("surveys/bad_link.html", message=exc.message), exc.status


@limiter.limit("30 per minute", methods=["POST"])
def verify(token: str):
    """One Confirm button: the GET changes nothing (mail scanners follow links), the POST counts the answers."""
    try:
        response = answering.response_for_token(token)
    except DomainError as exc:
        return _bad_link(exc)
    if request.method == "POST":
        return perform(lambda: answering.confirm_response(response), failure=_bad_link,
                       success=url_for("surveys.thanks", survey_id=response.survey_id))  # fmt: skip
    return render_template("surveys/verify.html", survey=response.survey, response=response)


def poster(survey_id: int):
    survey = _load(survey_id)
    link = public_url("surveys.short_link", code=survey.code)
    qr = qr_svg(link, f"QR code for {survey.title}: {link}", size="100%")
    return render_template("surveys/poster.html", survey=survey, link=link, qr=qr, scope=scope_label(survey))


def qr_code(survey_id: int):
    survey = _load(survey_id)
    link = public_url("surveys.short_link", code=survey.code)
    svg = qr_svg(link, f"QR code for {survey.title}: {link}", size="400")
    response = make_response(str(svg))
    response.headers["Content-Type"] = "image/svg+xml; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="survey-{survey.code}-qr.svg"'
    return response
