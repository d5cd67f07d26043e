"""Answering a survey: checking each answer, and the one-response rules.

The answer form carries every answer given so far (earlier pages as hidden fields), so
nothing is stored until the last page is sent and everything is checked again then:
a tampered hidden field is caught like any other bad answer, and nothing is half-saved.

One response per person:
- anonymous surveys: a signed cookie lists the surveys this browser has answered (plus
  per-IP rate limits in the view). Clearing cookies or another browser gets round it;
  nothing about the person is kept.
- identified surveys: the resident gives an email address; the response is kept as
  pending and counts only when they follow the link we email (valid VERIFY_DAYS days,
  and only while the survey is open). One response per address per survey: a second
  submission before confirming replaces the first; after confirming it is refused,
  and the person is told so by email (the page never says whether an address answered).
  Addresses are deleted EMAIL_KEEP_DAYS after the survey closes; the answers stay, anonymous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from engagement.accounts.services import normalise_email
from engagement.core.db import utcnow
from engagement.core.errors import Conflict, DomainError
from engagement.core.i18n import _
from engagement.core.mail import queue_templated
from engagement.core.timeutil import format_datetime, to_local
from engagement.core.tokens import InvalidToken, make_token, read_token
from engagement.core.urls import public_url
from engagement.extensions import db
from engagement.surveys.models import (
    COMPLETE,
    LONG_TEXT,
    LONG_TEXT_MAX,
    MULTIPLE,
    NUMBER,
    NUMBER_LIMIT,
    OTHER_MAX,
    PENDING,
    POSTCODE,
    PUBLISHED,
    RATING,
    RATING_MAX,
    RATING_MIN,
    SHORT_TEXT,
    SHORT_TEXT_MAX,
    SINGLE,
    YESNO,
    Answer,
    Question,
    Response,
    Survey,
    new_secret,
)
from engagement.surveys.translations import text_of
from engagement.teams.models import TeamPostcode
from engagement.teams.services import InvalidPostcode, parse_postcode

OTHER = "other"
VERIFY_DAYS = 7
EMAIL_KEEP_DAYS = 30  # after the survey closes, then identified responses become anonymous
VERIFY_PURPOSE = "surveys.verify"
BROWSER_PURPOSE = "surveys.browser"
COOKIE_NAME = "surveys_answered"
COOKIE_DAYS = 365
COOKIE_KEEP = 50  # surveys remembered per browser; the oldest drop off
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class NotOpen(Conflict):
    """The survey is not taking answers (draft, not open yet, or closed)."""


class AlreadyAnswered(Conflict):
    pass


@dataclass
class Clean:
    """One question's checked answer, ready to store."""

    option_ids: list[int] = field(default_factory=list)
    other: str | None = None
    number: int | None = None
    text: str | None = None
    sector: str | None = None

    @property
    def empty(self) -> bool:
        return not self.option_ids and self.other is None and self.number is None and self.text is None


def _short(text: str) -> str:
    return text if len(text) <= 70 else text[:67].rstrip() + "…"


def _text(value) -> str:
    """Text as typed, without control characters (PostgreSQL refuses NUL) and outer spaces."""
    return _CONTROL.sub("", str(value or "")).replace("\r\n", "\n").strip()


def check_answer(question: Question, form) -> tuple[Clean, dict[str, str]]:
    """Check one question's answer in `form` (a MultiDict). Returns the clean answer and errors by field id."""
    name, quoted = question.field, f"“{_short(text_of(question, 'text'))}”"  # in the language it was shown in
    values = [_text(v) for v in form.getlist(name) if _text(v)]
    clean, errors = Clean(), {}
    kind = question.kind
    if kind in (SINGLE, MULTIPLE):
        allowed = {str(o.id): o.id for o in question.options}
        if question.allow_other:
            allowed[OTHER] = None
        if kind == SINGLE and len(values) > 1 or any(v not in allowed for v in values):
            errors[name] = f"Select one of the answers listed for {quoted}"
            return clean, errors
        chosen = list(dict.fromkeys(values))
        clean.option_ids = [allowed[v] for v in chosen if v != OTHER]
        if OTHER in chosen:
            other = " ".join(_text(form.get(question.other_field)).split())
            if not other:
                errors[question.other_field] = "Say what your other answer is"
            elif len(other) > OTHER_MAX:
                errors[question.other_field] = f"Your other answer must be {OTHER_MAX} characters or fewer"
            clean.other = other
        if not chosen and question.required:
            verb = "Select at least one answer to" if kind == MULTIPLE else "Select an answer to"
            errors[name] = f"{verb} {quoted}"
    elif kind in (RATING, YESNO):
        accepted = {str(n): n for n in range(RATING_MIN, RATING_MAX + 1)} if kind == RATING else {"yes": 1, "no": 0}
        if len(values) > 1 or (values and values[0] not in accepted):
            errors[name] = "Select a number from 1 to 5" if kind == RATING else "Select yes or no"
        elif values:
            clean.number = accepted[values[0]]
        elif question.required:
            errors[name] = f"Select an answer to {quoted}"
    elif kind in (SHORT_TEXT, LONG_TEXT):
        text = values[0] if len(values) == 1 else "\n".join(values)
        if kind == SHORT_TEXT:
            text = " ".join(text.split())
        limit = SHORT_TEXT_MAX if kind == SHORT_TEXT else LONG_TEXT_MAX
        if len(text) > limit:
            errors[name] = f"Your answer must be {limit:,} characters or fewer. You have written {len(text):,}."
        elif text:
            clean.text = text
        elif question.required:
            errors[name] = f"Enter an answer to {quoted}"
    elif kind == NUMBER:
        clean.number, message = _number(question, values, quoted)
        if message:
            errors[name] = message
    elif kind == POSTCODE:
        text = values[0] if len(values) == 1 else " ".join(values)
        if text:
            try:
                postcode = parse_postcode(text[:20])
            except InvalidPostcode:
                errors[name] = "Enter a real postcode, like B16 8QT"
            else:
                clean.text, clean.sector = postcode.district, postcode.sector
        elif question.required:
            errors[name] = f"Enter your postcode for {quoted}"
    return clean, errors


def _number(question: Question, values: list[str], quoted: str) -> tuple[int | None, str | None]:
    if not values:
        return None, (f"Enter a number for {quoted}" if question.required else None)
    raw = values[0].replace(",", "").replace(" ", "")
    if len(values) > 1 or len(raw) > 12 or not re.fullmatch(r"[-+]?\d+", raw):
        return None, f"Enter a whole number for {quoted}, like 12"
    number = int(raw)
    low = question.min_value if question.min_value is not None else -NUMBER_LIMIT
    high = question.max_value if question.max_value is not None else NUMBER_LIMIT
    if not low <= number <= high:
        if question.min_value is not None and question.max_value is not None:
            return None, f"Enter a number between {low:,} and {high:,}"
        if number < low:
            return None, f"Enter a number that is {low:,} or more"
        return None, f"Enter a number that is {high:,} or less"
    return number, None


def check_page(questions: list[Question], form) -> tuple[dict[int, Clean], dict[str, str]]:
    answers, errors = {}, {}
    for question in questions:
        clean, problems = check_answer(question, form)
        answers[question.id] = clean
        errors.update(problems)
    return answers, errors


def require_open(survey: Survey, now: datetime | None = None) -> None:
    state = survey.state(now)
    if state == "open":
        return
    if state == "scheduled":
        raise NotOpen(f"This survey opens on {format_datetime(survey.opens_at)}. Come back then to answer it.")
    if state == "closed":
        raise NotOpen(f"This survey closed on {format_datetime(survey.closes_at)}. Thank you for your interest.")
    raise NotOpen(_("This survey is not open."))


def require_answerable(survey: Survey, answered_cookie_value: str | None) -> None:
    """Before the first page: open (a draft is a staff preview, so it is not checked) and not yet
    answered on this device. Raises NotOpen or AlreadyAnswered."""
    if survey.status == PUBLISHED:
        require_open(survey)
    if not survey.identified and survey.id in answered_ids(answered_cookie_value):
        raise AlreadyAnswered(_("You have already answered this survey on this device. Thank you."))


# --- one response per browser (anonymous surveys) ---------------------------------------------


def answered_ids(cookie: str | None) -> list[int]:
    """Survey ids from the browser's signed cookie; anything unreadable counts as nothing."""
    if not cookie:
        return []
    try:
        ids = read_token(BROWSER_PURPOSE, cookie, max_age=None)
    except InvalidToken:
        return []
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def answered_cookie(cookie: str | None, survey_id: int) -> str:
    ids = [i for i in answered_ids(cookie) if i != survey_id] + [survey_id]
    return make_token(BROWSER_PURPOSE, ids[-COOKIE_KEEP:])


# --- saving --------------------------------------------------------------------------------------


def _team_for(survey: Survey, answers: dict[int, Clean], questions: dict[int, Question]) -> tuple[int | None, str]:
    """The team covering the first postcode answer (sector before district), else the survey's team."""
    for question_id, clean in answers.items():
        if questions[question_id].kind == POSTCODE and clean.text:
            prefixes = [p for p in (clean.sector, clean.text) if p]
            rows = dict(
                db.session.execute(
                    select(TeamPostcode.prefix, TeamPostcode.team_id).where(TeamPostcode.prefix.in_(prefixes))
                ).all()
            )
            team_id = next((rows[p] for p in prefixes if p in rows), None)
            return team_id or survey.team_id, clean.text
    return survey.team_id, None


def _answer_rows(answers: dict[int, Clean], questions: dict[int, Question]) -> list[Answer]:
    rows = []
    for question_id, clean in answers.items():
        kind = questions[question_id].kind
        rows += [Answer(question_id=question_id, option_id=option_id) for option_id in clean.option_ids]
        if clean.other is not None:
            rows.append(Answer(question_id=question_id, text=clean.other))
        if kind not in (SINGLE, MULTIPLE) and not clean.empty:
            rows.append(Answer(question_id=question_id, number=clean.number, text=clean.text, sector=clean.sector))
    return rows


def check_all(survey: Survey, form) -> tuple[dict[int, Clean], dict[str, str]]:
    return check_page(list(survey.questions), form)


def _complete(response: Response, now: datetime) -> None:
    response.status, response.completed_at = COMPLETE, now
    response.completed_on = to_local(now).date()


def submit_anonymous(survey: Survey, form, *, answered_cookie_value: str | None, now=None) -> Response:
    """Store an anonymous response that counts at once. Raises DomainError subclasses."""
    now = now or utcnow()
    require_open(survey, now)
    if survey.identified:
        raise DomainError(_("This survey needs an email address."))
    if survey.id in answered_ids(answered_cookie_value):
        raise AlreadyAnswered(_("You have already answered this survey on this device. Thank you."))
    answers, errors = check_all(survey, form)
    if errors:
        raise DomainError(next(iter(errors.values())), field=next(iter(errors)))
    questions = {q.id: q for q in survey.questions}
    team_id, district = _team_for(survey, answers, questions)
    response = Response(survey_id=survey.id, created_at=now, team_id=team_id, district=district)
    response.answers = _answer_rows(answers, questions)
    _complete(response, now)
    db.session.add(response)
    db.session.flush()
    return response


def submit_identified(survey: Survey, form, email: str, *, now=None) -> Response | None:
    """Keep a pending response and email its confirmation link. Returns None if the address already answered."""
    now = now or utcnow()
    require_open(survey, now)
    address = normalise_email(_text(email))
    answers, errors = check_all(survey, form)
    if errors:
        raise DomainError(next(iter(errors.values())), field=next(iter(errors)))
    existing = db.session.scalar(select(Response).where(Response.survey_id == survey.id, Response.email == address))
    if existing is not None and existing.status == COMPLETE:
        queue_templated(address, _("You have already answered: %(title)s", title=survey.title), "surveys/email/already",
                        survey=survey, survey_url=public_url("surveys.answer", survey_id=survey.id))  # fmt: skip
        return None
    questions = {q.id: q for q in survey.questions}
    team_id, district = _team_for(survey, answers, questions)
    response = existing or Response(survey_id=survey.id, email=address)
    response.created_at, response.team_id, response.district = now, team_id, district
    response.secret = new_secret()  # an earlier link for the replaced answers stops working
    response.answers = _answer_rows(answers, questions)
    db.session.add(response)
    db.session.flush()
    token = make_token(VERIFY_PURPOSE, {"r": response.id, "k": response.secret})
    queue_templated(address, _("Confirm your answers: %(title)s", title=survey.title), "surveys/email/verify", survey=survey,
                    confirm_url=public_url("surveys.verify", token=token), days=VERIFY_DAYS,
                    keep_days=EMAIL_KEEP_DAYS)  # fmt: skip
    return response


def response_for_token(token: str) -> Response:
    payload = read_token(VERIFY_PURPOSE, token, VERIFY_DAYS * 86400)
    response = db.session.get(Response, payload.get("r")) if isinstance(payload, dict) else None
    if response is None or response.secret != payload.get("k"):
        raise InvalidToken(_("This link is no longer valid. You may have sent newer answers: use the latest email."))
    return response


def confirm_response(response: Response, *, now=None) -> Response:
    """Count a pending response. Confirming twice is harmless."""
    now = now or utcnow()
    if response.status == COMPLETE:
        return response
    require_open(response.survey, now)
    _complete(response, now)
    return response


def purge_expired(now: datetime | None = None) -> int:
    """Worker task: delete unconfirmed responses once their link has expired, and forget the email
    addresses of identified responses EMAIL_KEEP_DAYS after their survey closed. Returns rows changed."""
    now = now or utcnow()
    stale = select(Response.id).where(
        Response.status == PENDING, Response.created_at < now - timedelta(days=VERIFY_DAYS)
    )
    db.session.execute(delete(Answer).where(Answer.response_id.in_(stale)))  # SQLite does not cascade
    deleted = db.session.execute(delete(Response).where(Response.id.in_(stale))).rowcount or 0
    closed = select(Survey.id).where(Survey.closes_at < now - timedelta(days=EMAIL_KEEP_DAYS))
    forgotten = db.session.execute(
        update(Response).where(Response.email.is_not(None), Response.survey_id.in_(closed)).values(email=None)
    ).rowcount
    db.session.commit()
    return deleted + (forgotten or 0)
