"""The force's letter wording: one plain-text template per step, with {placeholders} filled per letter.

Staff edit the text without touching HTML: blank lines separate paragraphs. Only the placeholders
below are allowed (an unknown one is refused when saving, so no letter goes out with "{spede}").
"""

from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import select

from engagement.core import audit
from engagement.core.errors import DomainError
from engagement.core.timeutil import format_date, format_time
from engagement.extensions import db
from engagement.speedwatch.letters.models import FIRST_LETTER, LETTER_STEPS, SECOND_LETTER, STEP_LABELS, LetterTemplate
from engagement.speedwatch.returns.plates import display

BODY_MAX = 6000
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
PLACEHOLDERS = {
    "keeper_name": "the registered keeper's name",
    "registration": "the vehicle's registration, for example AB12 CDE",
    "make": "the make written on the return",
    "colour": "the colour written on the return",
    "date": "the day it was seen, for example Tuesday 3 March 2027",
    "time": "the time it was seen, for example 8:15am",
    "place": "the site and road",
    "speed": "the speed recorded (mph)",
    "limit": "the speed limit there (mph)",
    "step": "which letter this is, for example first advisory letter",
    "team": "the neighbourhood team",
    "force": "the police force",
}

DEFAULTS = {
    FIRST_LETTER: """Dear {keeper_name}

Community Speed Watch: {step}

On {date} at {time}, volunteers from the {team} Community Speed Watch group recorded the vehicle {registration} ({colour} {make}) travelling at {speed} mph on {place}, where the speed limit is {limit} mph.

Community Speed Watch volunteers are trained local residents who work with their neighbourhood policing team to make roads safer. This letter is advice, not a fine: no further action is being taken about this sighting.

Please make sure that everyone who drives this vehicle keeps to the speed limit. Speeding puts people who live and walk here at risk.

Yours sincerely

{team} Neighbourhood Policing Team
{force}""",
    SECOND_LETTER: """Dear {keeper_name}

Community Speed Watch: {step}

We wrote to you recently because the vehicle {registration} was recorded speeding. On {date} at {time} it was recorded again by the {team} Community Speed Watch group, travelling at {speed} mph on {place}, where the speed limit is {limit} mph.

If this vehicle is recorded speeding again, the {team} Neighbourhood Policing Team may visit the keeper, and the police may take enforcement action at this location.

Please make sure that everyone who drives this vehicle keeps to the speed limit.

Yours sincerely

{team} Neighbourhood Policing Team
{force}""",
}


def template_body(step: str) -> str:
    row = db.session.get(LetterTemplate, step)
    return row.body if row is not None else DEFAULTS[step]


def check_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise DomainError("Enter the text of the letter", field="body")
    if len(body) > BODY_MAX:
        raise DomainError(f"The letter must be {BODY_MAX} characters or fewer", field="body")
    unknown = sorted({name for name in PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})
    if unknown:
        raise DomainError(
            f"{', '.join('{' + n + '}' for n in unknown)} is not a placeholder we can fill. "
            f"Use only: {', '.join('{' + n + '}' for n in PLACEHOLDERS)}",
            field="body",
        )
    if "<" in body or ">" in body:
        raise DomainError("Write the letter as plain text, without < or > characters", field="body")
    return body


def save_template(step: str, body: str, *, actor) -> LetterTemplate:
    if step not in LETTER_STEPS:
        raise DomainError("There is no letter for that step")
    body = check_body(body)
    row = db.session.get(LetterTemplate, step) or LetterTemplate(step=step)
    row.body, row.updated_by_id = body, getattr(actor, "id", None)
    db.session.add(row)
    db.session.flush()
    audit.record(
        "speedwatch.letter_template", actor=actor, summary=f"Changed the {STEP_LABELS[step].lower()}", step=step
    )
    return row


def values_for(letter) -> dict[str, str]:
    """Every placeholder's text for one letter."""
    return {
        "keeper_name": letter.keeper_name,
        "registration": display(letter.registration),
        "make": letter.make,
        "colour": letter.colour.lower(),
        "date": format_date(letter.seen_at),
        "time": format_time(letter.seen_at),
        "place": _place(letter.site_name, letter.road),
        "speed": str(letter.speed_mph),
        "limit": str(letter.speed_limit),
        "step": STEP_LABELS[letter.step].lower(),
        "team": letter.team.name,
        "force": current_app.config["FORCE_NAME"],
    }


def _place(site: str, road: str) -> str:
    """'Monument Road school crossing, Monument Road, Birmingham', without saying the road twice."""
    if not road or road.startswith(site):
        return road or site
    return f"{site}, {road}"


def fill(body: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def paragraphs(text: str) -> list[list[str]]:
    """Paragraphs (split on blank lines), each a list of its lines, for the PDF."""
    return [block.split("\n") for block in re.split(r"\n\s*\n", text.strip()) if block.strip()]


def all_templates() -> dict[str, str]:
    saved = {row.step: row.body for row in db.session.scalars(select(LetterTemplate))}
    return {step: saved.get(step, DEFAULTS[step]) for step in LETTER_STEPS}
