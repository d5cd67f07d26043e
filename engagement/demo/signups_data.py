"""Demo sign-ups: so the whole journey (book, full, waiting list, attendance) can be tried at once.

Per demo team: the fortnightly Cuppa with a Copper gets 8 to 12 places; its first date is
full with a short waiting list, the next two are partly booked. The first Neighbourhood Watch
meeting needs sign-up, with 20 places, about two thirds taken. Residents are fictional, with
example.org addresses and phone numbers from Ofcom's range for drama (0121 496 0xxx), and
no emails are queued for them.

Idempotent: a team with any sign-up already gets no more.
"""

from __future__ import annotations

from sqlalchemy import select

from engagement.core.db import utcnow
from engagement.events.models import Event, EventType, Occurrence
from engagement.extensions import db
from engagement.signups.models import Signup
from engagement.signups.services import sign_up
from engagement.teams.models import Team

RESIDENTS = [
    ("Margaret Hughes", "", "Uses a walking frame: a chair near the door, please"),
    ("Imran Hussain", "0121 496 0118", ""),
    ("Grace Okafor", "", ""),
    ("Tomasz Nowak", "", ""),
    ("Priya Patel", "0121 496 0342", ""),
    ("Daniel Murphy", "", ""),
    ("Aaliyah Begum", "", "I will bring my assistance dog"),
    ("Kwame Mensah", "", ""),
    ("Siobhan O'Neill", "0121 496 0777", ""),
    ("Harjit Bains", "", ""),
    ("Chloe Evans", "", ""),
    ("Yusuf Ali", "", "Hearing aid user: the hearing loop helps"),
    ("Beverley Thompson", "0121 496 0561", ""),
    ("Ravi Sharma", "", ""),
    ("Ellie Morgan", "", ""),
    ("Abdi Warsame", "", ""),
    ("Joan Fletcher", "0121 496 0903", "Wheelchair user"),
    ("Marcus Campbell", "", ""),
    ("Nadia Rahman", "", ""),
    ("Peter Walsh", "", ""),
    ("Sandra Clarke", "", ""),
    ("Tariq Mahmood", "0121 496 0224", ""),
    ("Gareth Price", "", ""),
    ("Mei Ling Chen", "", "Large print, please"),
]
CUPPA_PLACES = (12, 8, 10, 12, 8, 10, 12)


def _email(name: str, team_slug: str) -> str:
    local = "".join(ch for ch in name.lower().replace(" ", ".") if ch.isalnum() or ch == ".")
    return f"{local}.{team_slug.split('-')[0]}@example.org"


def _upcoming(team: Team, type_slug: str, now) -> list[Occurrence]:
    query = (
        select(Occurrence)
        .join(Event, Event.id == Occurrence.event_id)
        .join(EventType, EventType.id == Event.event_type_id)
        .where(Event.team_id == team.id, EventType.slug == type_slug, Event.status == "published")
        .where(Occurrence.starts_at > now, Occurrence.status == "scheduled")
        .order_by(Occurrence.starts_at)
    )
    return list(db.session.scalars(query))


def _book(row: Occurrence, team: Team, people: list, places_of) -> int:
    made = 0
    for n, (name, phone, needs) in enumerate(people):
        sign_up(
            row,
            name=name,
            email=_email(name, team.slug),
            phone=phone,
            places=min(places_of(n), row.event.max_places_per_signup),
            access_needs=needs,
            send_email=False,
        )
        made += 1
    return made


def load_signups_demo() -> dict[str, int]:
    now = utcnow()
    added = 0
    teams = db.session.scalars(select(Team).order_by(Team.name)).all()
    for index, team in enumerate(teams):
        has_any = db.session.scalar(
            select(Signup.id).join(Occurrence).join(Event).where(Event.team_id == team.id).limit(1)
        )
        if has_any:
            continue
        people = RESIDENTS[index % 5 :] + RESIDENTS[: index % 5]
        cuppas = _upcoming(team, "cuppa-with-a-copper", now)
        if cuppas:
            event = cuppas[0].event
            event.capacity = CUPPA_PLACES[index % len(CUPPA_PLACES)]
            event.max_places_per_signup = 2
            db.session.flush()
            # The first date: full, with a waiting list (some come as a couple).
            added += _book(cuppas[0], team, people[: event.capacity + 1], lambda n: 2 if n % 4 == 1 else 1)
            for row, count in zip(cuppas[1:3], (event.capacity // 2, 2), strict=False):
                added += _book(row, team, people[3 : 3 + count], lambda n: 1)
        meetings = _upcoming(team, "neighbourhood-watch-meeting", now)
        if meetings:
            event = meetings[0].event
            event.capacity, event.signup_mode, event.max_places_per_signup = 20, "required", 4
            db.session.flush()
            added += _book(meetings[0], team, people[5:15], lambda n: 2 if n % 3 == 0 else 1)
    db.session.flush()
    return {"signups": added}
