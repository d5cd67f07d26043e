"""`flask demo load` adds a believable quarter of events for every demo team, idempotently."""

from __future__ import annotations

from collections import Counter

from engagement.core.timeutil import to_local
from engagement.demo.cli import load_demo
from engagement.demo.data import TEAMS
from engagement.events.models import Event, Occurrence, Venue
from engagement.teams.models import Team


def test_demo_events_for_every_team_twice_is_the_same(app, db, client):
    first = load_demo()
    db.session.commit()
    assert first["venues"] == 4 * len(TEAMS) and first["events"] >= 5 * len(TEAMS)
    counts = (
        db.session.scalar(db.select(db.func.count(Event.id))),
        db.session.scalar(db.select(db.func.count(Occurrence.id))),
        db.session.scalar(db.select(db.func.count(Venue.id))),
    )
    again = load_demo()
    db.session.commit()
    assert (again["events"], again["venues"]) == (0, 0)
    assert counts == (
        db.session.scalar(db.select(db.func.count(Event.id))),
        db.session.scalar(db.select(db.func.count(Occurrence.id))),
        db.session.scalar(db.select(db.func.count(Venue.id))),
    )

    per_team = Counter(db.session.scalars(db.select(Team.slug).join(Event, Event.team_id == Team.id)).all())
    assert set(per_team) == {slug for slug, *_ in TEAMS} and min(per_team.values()) >= 5
    kinds = set(db.session.scalars(db.select(Event.title).join(Team).where(Team.slug == "ladywood")).all())
    assert {
        "Police surgery at Ladywood Community Library",
        "Cuppa with a Copper at Canalside Café",
        "Community Speed Watch: Icknield Port Road",
        "Ladywood Neighbourhood Watch meeting",
    } <= kinds

    rows = db.session.scalars(db.select(Occurrence).join(Event).join(Team).where(Team.slug == "ladywood")).all()
    assert sum(o.status == "cancelled" for o in rows) == 1 and sum(o.moved for o in rows) == 1
    assert db.session.scalar(db.select(db.func.count(Event.id)).where(Event.status == "cancelled")) == 1

    # Every surgery series runs eight months, so it crosses a clock change and keeps its wall-clock time.
    surgery = db.session.scalar(
        db.select(Event).join(Team).where(Team.slug == "edgbaston", Event.title.startswith("Police surgery"))
    )
    offsets = {to_local(o.starts_at).utcoffset() for o in surgery.occurrences}
    times = {to_local(o.starts_at).strftime("%H:%M") for o in surgery.occurrences}
    assert len(offsets) == 2 and times == {"10:30"}

    assert client.get("/teams/ladywood").status_code == 200
    assert "Cancelled due to operational demands" in client.get("/events?team=ladywood").get_data(as_text=True)
