"""A force's worth of events for the list and page benchmarks, loaded in bulk (not through the services:
10,000 events through create_event would take longer than the measurements).

The shape follows West Midlands: 18 teams over the seven areas, the five standard kinds of event with
a third of the events volunteer-only Speed Watch shifts, and every event a weekly run of dates from a
year ago to well ahead, so most dates are in the past (as a force's history is) and the rest upcoming.
Also holds the throwaway PostgreSQL database helper the benchmarks share.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

TEAMS = (
    ("Ladywood", "Birmingham"), ("Aston", "Birmingham"), ("Erdington", "Birmingham"), ("Sparkbrook", "Birmingham"),
    ("Coventry City Centre", "Coventry"), ("Foleshill", "Coventry"), ("Tile Hill", "Coventry"),
    ("Dudley Central", "Dudley"), ("Brierley Hill", "Dudley"), ("West Bromwich", "Sandwell"),
    ("Smethwick", "Sandwell"), ("Solihull Town", "Solihull"), ("Chelmsley Wood", "Solihull"),
    ("Walsall South", "Walsall"), ("Bloxwich", "Walsall"), ("Wolverhampton City", "Wolverhampton"),
    ("Bilston", "Wolverhampton"), ("Wednesfield", "Wolverhampton"),
)  # fmt: skip
TYPE_CYCLE = (
    "police-surgery", "community-speed-watch", "cuppa-with-a-copper", "community-speed-watch",
    "neighbourhood-watch-meeting", "community-speed-watch", "public-meeting", "police-surgery", "cuppa-with-a-copper",
)  # fmt: skip


def temporary_postgres(server_url: str, prefix: str = "bench"):
    """A uniquely named empty database on that server, and a function that drops it."""
    from engagement.config import normalise_database_url

    server = make_url(normalise_database_url(server_url))
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


def slug(name: str) -> str:
    return name.lower().replace(" ", "-")


def load(db, *, events: int, dates_per_event: int = 10, now: datetime | None = None) -> dict:
    """Bulk-insert teams, venues, one contact, `events` events and their dates; returns names for URLs."""
    from engagement.accounts.models import User
    from engagement.events.models import Event, EventType, Occurrence, Venue
    from engagement.events.services import ensure_default_types
    from engagement.teams.models import Team

    now = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    ensure_default_types()
    db.session.execute(insert(Team), [{"slug": slug(n), "name": n, "area": a} for n, a in TEAMS])
    db.session.execute(insert(User), [{"email": "contact@example.org", "display_name": "PC Bench", "role": "officer"}])
    team_ids = db.session.scalars(db.select(Team.id).order_by(Team.id)).all()
    types = {t.slug: t for t in db.session.scalars(db.select(EventType))}
    contact = db.session.scalar(db.select(User.id))
    db.session.execute(insert(Venue), [
        {"team_id": team_ids[n % len(team_ids)], "name": f"Community Hall {n}", "address": f"{n} High Street",
         "postcode": f"B{n % 40 + 1} {n % 9 + 1}AA", "step_free": n % 2 == 0} for n in range(100)])  # fmt: skip
    venue_ids = db.session.scalars(db.select(Venue.id).order_by(Venue.id)).all()
    first = now - timedelta(days=365)
    rows, spans = [], []
    for n in range(events):
        kind = types[TYPE_CYCLE[(n // len(TEAMS)) % len(TYPE_CYCLE)]]  # every team runs every kind
        start = first + timedelta(days=(n * 7) % 700, hours=9 + n % 10)
        status = "draft" if n % 20 == 7 else "cancelled" if n % 20 == 13 else "published"
        rows.append({
            "uid": f"bench-{n}@example.org", "team_id": team_ids[n % len(team_ids)], "event_type_id": kind.id,
            "title": f"{kind.name} {n}", "description": "Come and talk to us about anything.",
            "venue_id": venue_ids[n % len(venue_ids)], "starts_at": start, "ends_at": start + timedelta(hours=1),
            "dtstart_local": start.strftime("%Y%m%dT%H%M%S"), "contact_id": contact, "capacity": 20,
            "signup_mode": kind.default_signup_mode, "status": status,
            "published_at": None if status == "draft" else first, "cancelled_at": now if status == "cancelled" else None,
            "rrule": f"FREQ=WEEKLY;COUNT={dates_per_event}",
        })  # fmt: skip
        spans.append(start)
    for chunk in range(0, len(rows), 2000):
        db.session.execute(insert(Event), rows[chunk : chunk + 2000])
    event_ids = db.session.scalars(db.select(Event.id).order_by(Event.id)).all()
    dates = []
    for event_id, start in zip(event_ids, spans, strict=True):
        for week in range(dates_per_event):
            at = start + timedelta(weeks=week)
            dates.append({"event_id": event_id, "recurrence_id": at.strftime("%Y%m%dT%H%M%S"), "starts_at": at,
                          "ends_at": at + timedelta(hours=1)})  # fmt: skip
        if len(dates) >= 5000:
            db.session.execute(insert(Occurrence), dates)
            dates = []
    if dates:
        db.session.execute(insert(Occurrence), dates)
    db.session.commit()
    return {"team": slug(TEAMS[0][0]), "now": now}
