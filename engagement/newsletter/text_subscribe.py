"""Subscribing to a team's text alerts with a mobile number: the 6-digit code, STOP, and replies.

Rules residents rely on (issue 16):
- Nothing is texted to a number but its code until the code is typed on the page (double opt-in).
- A code works for 15 minutes and for 5 tries; then a new code is needed. At most 3 codes are sent to
  one number in 24 hours, so the form cannot be used to pester someone else's phone.
- Codes are kept only as an HMAC keyed with the app's secret, so the table alone does not give them away.
- STOP (any case, spaces anywhere: "stop", " S T O P ") ends every team's alerts for the number and is
  confirmed by one text; a second STOP changes nothing and sends nothing.
- Any other reply is kept for the team to read on its Replies page: the team of the last alert (or
  booking text) the number got.
- The code and the STOP confirmation are texted in the language of the page the number last asked
  on (TextNumber.language, core.i18n); an officer's alert itself is sent as the officer wrote it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from engagement.core.db import utcnow
from engagement.core.errors import DomainError
from engagement.core.i18n import _, force_language, language_for_record, ngettext
from engagement.core.mail import OutboxMessage
from engagement.extensions import db
from engagement.newsletter.text_models import AlertSubscription, TextCode, TextNumber, TextReply
from engagement.teams.models import Team

CODE_MINUTES = 15
CODE_TRIES = 5
CODES_PER_DAY = 3
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "CANCEL"}


class CodeRefused(DomainError):
    """No new code now (3 sent in 24 hours): the message says what to do next."""


def consent_text(teams) -> str:
    """The words shown next to the button that sends the code, stored with each alert subscription."""
    force = current_app.config["FORCE_NAME"]
    names = ", ".join(_("%(team)s Neighbourhood Team", team=t.name) for t in teams)
    return " ".join((
        _("I want %(force)s to text me short alerts from %(teams)s: new events, cancellations and urgent appeals.",
          force=force, teams=names),
        _("My mobile number will be used only to send me these alerts."),
        _("I can stop them at any time by replying STOP."),
    ))  # fmt: skip


def teams_for_alerts(teams: list[Team], areas: list[str]) -> list[Team]:
    """Alerts come from teams: a whole area means each of its teams."""
    chosen = {t.id: t for t in teams}
    if areas:
        for team in db.session.scalars(select(Team).where(Team.area.in_(areas)).order_by(Team.name)):
            chosen.setdefault(team.id, team)
    return sorted(chosen.values(), key=lambda t: t.name)


def _hash(number: TextNumber, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"text-code:{number.id}:{code}".encode(), hashlib.sha256).hexdigest()


def find_number(mobile: str) -> TextNumber | None:
    return db.session.scalar(select(TextNumber).where(TextNumber.mobile == mobile))


def request_alerts(mobile_typed: str, teams: list[Team], *, now: datetime | None = None) -> TextNumber:
    """Record what the resident asked for and text them a code (refused past 3 codes in 24 hours)."""
    from engagement.core.sms import InvalidMobile, normalise_uk_mobile

    now = now or utcnow()
    try:
        mobile = normalise_uk_mobile(mobile_typed)
    except InvalidMobile as exc:
        raise DomainError(exc.message, field="mobile") from exc
    if not teams:
        raise DomainError(_("Select at least one team"), field="mobile")
    number = find_number(mobile)
    if number is None:
        number = TextNumber(mobile=mobile, created_at=now)
        db.session.add(number)
        db.session.flush()
    elif language_for_record() is not None:
        number.language = language_for_record()  # asked again on a page: its texts follow that language
    text = consent_text(teams)
    have = {s.team_id: s for s in number.subscriptions}
    for team in teams:
        sub = have.get(team.id)
        if sub is None:
            number.subscriptions.append(AlertSubscription(team=team, requested_at=now, consent_text=text))
        elif sub.confirmed_at is None:
            sub.requested_at, sub.consent_text = now, text
    send_code(number, now=now)
    return number


def send_code(number: TextNumber, *, now: datetime | None = None) -> TextCode:
    """A new 6-digit code by text; earlier codes stop working. At most CODES_PER_DAY in 24 hours."""
    from engagement.core.sms import MobileBlocked, queue_sms

    now = now or utcnow()
    sent = db.session.scalar(
        select(func.count())
        .select_from(TextCode)
        .where(TextCode.number_id == number.id, TextCode.created_at > now - timedelta(days=1))
    )
    if sent >= CODES_PER_DAY:
        raise CodeRefused(
            _("We have already sent %(count)s codes to this number today. Use the newest one, or try again tomorrow.",
              count=CODES_PER_DAY),
            field="mobile",
        )  # fmt: skip
    for old in db.session.scalars(select(TextCode).where(TextCode.number_id == number.id, TextCode.used_at.is_(None))):
        old.used_at = now  # only the newest code works
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = TextCode(number_id=number.id, code_hash=_hash(number, code), created_at=now,
                   expires_at=now + timedelta(minutes=CODE_MINUTES))  # fmt: skip
    db.session.add(row)
    with force_language(number.language):
        body = " ".join((
            _("%(code)s is your code for %(force)s text alerts.", code=code, force=current_app.config["FORCE_NAME"]),
            _("It works for %(minutes)s minutes.", minutes=CODE_MINUTES),
            _("If you did not ask for alerts, ignore this text."),
        ))  # fmt: skip
    try:
        queue_sms(number.mobile, body, purpose="alerts-code")
    except MobileBlocked as exc:
        raise DomainError(_("Texts to this number have failed before, so we cannot send a code to it."),
                          field="mobile") from exc  # fmt: skip
    return row


@dataclass(frozen=True)
class CodeCheck:
    """What a typed code came to: the teams now confirmed, or the message for the code field."""

    names: tuple[str, ...] = ()
    error: str | None = None


def check_code(number: TextNumber, typed: str, *, now: datetime | None = None, confirm: bool = True) -> CodeCheck:
    """Confirm the number's waiting alert subscriptions if `typed` is its newest live code.

    Each wrong try counts, so a wrong code is an answer (CodeCheck.error), not an exception: the
    caller commits either way and the tries are kept. The 5th wrong try, or a code older than 15
    minutes, needs a new code. With confirm=False (managing alerts, text_manage) a right code only
    proves the number: nothing waiting is confirmed, and a number that replied STOP stays stopped."""
    now = now or utcnow()
    typed = "".join((typed or "").split())
    if not (len(typed) == 6 and typed.isdigit()):
        return CodeCheck(error=_("Enter the 6-digit code from the text, like 123456"))
    code = db.session.scalar(
        select(TextCode)
        .where(TextCode.number_id == number.id, TextCode.used_at.is_(None))
        .order_by(TextCode.created_at.desc(), TextCode.id.desc())
        .limit(1)
    )
    if code is None or code.tries >= CODE_TRIES:
        return CodeCheck(error=_("This code can no longer be used. Ask for a new code."))
    if code.expires_at <= now:
        return CodeCheck(
            error=_(
                "This code has expired: codes work for %(minutes)s minutes. Ask for a new code.", minutes=CODE_MINUTES
            )
        )
    code.tries += 1
    if not hmac.compare_digest(code.code_hash, _hash(number, typed)):
        left = CODE_TRIES - code.tries
        if left <= 0:
            return CodeCheck(error=_("That code is not right, and it has had %(count)s tries. Ask for a new code.",
                                     count=CODE_TRIES))  # fmt: skip
        return CodeCheck(error=ngettext("That code is not right. Check the text and try again (%(num)d try left).",
                                        "That code is not right. Check the text and try again (%(num)d tries left).",
                                        left))  # fmt: skip
    code.used_at = now
    if not confirm:  # the manage pages: the code proves the number, it agrees to nothing new
        number.verified_at = now
        return CodeCheck()
    number.verified_at, number.stopped_at = now, None
    names = []
    for sub in number.subscriptions:
        if sub.confirmed_at is None:
            sub.confirmed_at = now
            names.append(_("%(team)s Neighbourhood Team", team=sub.team.name))
    return CodeCheck(names=tuple(names))


def live_teams(number: TextNumber) -> list[str]:
    return [_("%(team)s Neighbourhood Team", team=s.team.name) for s in number.subscriptions
            if s.confirmed_at is not None]  # fmt: skip


# --- replies (core.sms hands each received text to these, lowest order first) ------------------


def is_stop(content: str) -> bool:
    """'stop', 'STOP', ' S T O P ', 'Stop.' all mean stop."""
    squeezed = "".join(ch for ch in (content or "").upper() if ch.isalnum())
    return squeezed in STOP_WORDS


def handle_stop(number: str, content: str, received_at: datetime, notify_id: str) -> bool:
    """STOP ends every team's alerts for the number, confirmed by one text (a repeat sends nothing)."""
    from engagement.core.sms import MobileBlocked, queue_sms

    if not is_stop(content):
        return False
    row = find_number(number)
    if row is None:
        return True  # nothing to stop; the reply is not kept (it holds nothing for a team to read)
    had = [s for s in row.subscriptions if s.confirmed_at is not None]
    row.subscriptions.clear()
    db.session.execute(TextCode.__table__.delete().where(TextCode.number_id == row.id))
    if had or row.stopped_at is None:
        row.stopped_at = received_at
        if had:
            with force_language(row.language):  # a reply reaches the worker, not a page: the stored language
                body = " ".join((_("You will get no more text alerts from %(force)s.",
                                   force=current_app.config["FORCE_NAME"]),
                                 _("To start them again, subscribe on our website.")))  # fmt: skip
            try:
                queue_sms(number, body, purpose="alerts-stopped")
            except MobileBlocked:
                pass
    return True


def _team_last_texted(number: str) -> int | None:
    """The team whose text the number got last: the one a reply is most likely answering."""
    return db.session.scalar(
        select(OutboxMessage.team_id)
        .where(OutboxMessage.to_addr == number, OutboxMessage.team_id.is_not(None))
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )


def store_reply(number: str, content: str, received_at: datetime, notify_id: str) -> bool:
    """Keep any reply nobody else consumed, once per Notify id, for the team to read."""
    if notify_id and db.session.scalar(select(TextReply.id).where(TextReply.notify_id == notify_id)):
        return True
    db.session.add(TextReply(team_id=_team_last_texted(number), mobile=number[:16], content=(content or "")[:2000],
                             received_at=received_at, notify_id=notify_id or None))  # fmt: skip
    return True
