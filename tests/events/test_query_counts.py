"""Lists state how they load: the public event list and the team page cost the same for 1 and 200 events."""

from __future__ import annotations

from datetime import datetime, timedelta

from engagement.events.details import EventDetails, When
from engagement.events.recurrence import RepeatPattern
from engagement.events.series import cancel_occurrence, move_occurrence
from engagement.events.services import create_event, save_venue
from tests.events.conftest import NOW
from tests.support.queries import count_queries

START = datetime(2031, 3, 4, 18, 0)


def add_events(db, team, types, contacts, n: int, offset: int) -> None:
    """n events with their own venues and varied contacts, so a lazy load per item would show.

    Every tenth is a short series with one date cancelled and one moved to another venue.
    """
    for i in range(offset, offset + n):
        venue = save_venue(None, actor=None, team=team, name=f"Hall {i}", address="", postcode=f"B1 {i % 9 + 1}AA")
        start = START + timedelta(hours=i)
        pattern = RepeatPattern("weekly", count=3) if i % 10 == 0 else None
        details = EventDetails(
            team=team,
            event_type=types["police-surgery"],
            title=f"Surgery {i}",
            venue=venue,
            contact=contacts[i % len(contacts)],
        )
        event = create_event(
            actor=None,
            details=details,
            when=When(start, start + timedelta(hours=1)),
            pattern=pattern,
            publish=True,
            now=NOW,
        )
        if pattern:
            cancel_occurrence(event.occurrences[1], actor=None, reason="Operational demands", now=NOW)
            moved = start + timedelta(weeks=2, hours=1)
            move_occurrence(
                event.occurrences[2],
                actor=None,
                when=When(moved, moved + timedelta(hours=1)),
                venue=save_venue(None, actor=None, team=team, name=f"Other {i}", address="", postcode="B1 1AB"),
                now=NOW,
            )
    db.session.commit()


def test_public_list_team_page_and_calendar_cost_the_same_for_1_and_200_events(
    app, db, client, types, team, officer, make_user, login_as
):
    urls = [
        "/events",
        f"/teams/{team.slug}",
        f"/events?team={team.slug}&type=police-surgery&area=Birmingham",
        f"/staff/teams/{team.slug}/calendar?start=2031-03-03",
    ]
    login_as(officer)

    def measure() -> dict[str, int]:
        counts = {}
        for url in urls:
            client.get(url)  # warm caches (templates, compiled statements)
            with count_queries(db.engine) as statements:
                response = client.get(url)
            assert response.status_code == 200, url
            counts[url] = len(statements)
        return counts

    contacts = [officer] + [make_user(role="officer", teams=[team], display_name=f"Officer {n}") for n in range(4)]
    add_events(db, team, types, contacts, 1, 0)
    one = measure()
    assert "Surgery 0" in client.get("/events").get_data(as_text=True)
    add_events(db, team, types, contacts, 199, 1)
    many = measure()
    assert "Surgery 19" in client.get("/events").get_data(as_text=True)  # a full page of 20
    assert "Surgery 20" not in client.get("/events").get_data(as_text=True)
    assert one == many
    # The team page also carries the priorities and people sections (two queries each with their loads).
    assert one["/events"] <= 8 and one[f"/teams/{team.slug}"] <= 12
