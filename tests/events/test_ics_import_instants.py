"""Imports that keep every instant (issue 21 item 6): series in UTC, New York and Dublin time across
both countries' clock changes, RDATE with and without EXDATE, and plain-text descriptions that
come back exactly. Each file is expanded by recurring-ical-events as the source calendar, and our
republished feed, expanded the same way, must give the same instants."""

from __future__ import annotations

from datetime import UTC, datetime

import recurring_ical_events
from icalendar import Calendar

from engagement.core.db import utcnow
from engagement.events.ics_import import import_ics
from engagement.events.models import Event
from engagement.extensions import db as _db

YEAR = utcnow().year + 1
WINDOW = (datetime(YEAR, 1, 1, tzinfo=UTC), datetime(YEAR + 1, 1, 1, tzinfo=UTC))

DUBLIN = """BEGIN:VTIMEZONE
TZID:Europe/Dublin
BEGIN:STANDARD
DTSTART:19710328T010000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
TZNAME:IST
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19711031T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
TZNAME:GMT
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
END:DAYLIGHT
END:VTIMEZONE
"""


def calendar(*events: str, zones: str = "") -> bytes:
    body = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n" + zones + "".join(events) + "END:VCALENDAR\n"
    return body.replace("\n", "\r\n").encode()


def vevent(uid: str, title: str, *lines: str) -> str:
    return (
        "BEGIN:VEVENT\n"
        + f"UID:{uid}\nSUMMARY:{title}\nDTSTAMP:20260101T000000Z\n"
        + "\n".join(lines)
        + "\nEND:VEVENT\n"
    )


def instants(data: bytes, title: str) -> set[tuple[datetime, datetime]]:
    cal = Calendar.from_ical(data)
    return {
        (c.decoded("DTSTART").astimezone(UTC), c.decoded("DTEND").astimezone(UTC))
        for c in recurring_ical_events.of(cal).between(*WINDOW)
        if str(c["SUMMARY"]) == title and str(c.get("STATUS", "")) != "CANCELLED"
    }


def imported(client, team, types, officer, data: bytes, title: str) -> set:
    import_ics(team, data, actor=officer, default_type=types["public-meeting"])
    _db.session.commit()
    feed = client.get(f"/teams/{team.slug}/calendar.ics")
    assert feed.status_code == 200
    return instants(feed.data, title)


def test_a_utc_series_keeps_its_instants_across_the_london_clock_changes(client, db, team, types, officer):
    data = calendar(
        vevent(
            "utc-check@example.org",
            "Radio check",
            f"DTSTART:{YEAR}0210T090000Z",
            f"DTEND:{YEAR}0210T093000Z",
            "RRULE:FREQ=WEEKLY;COUNT=40",
        )
    )
    source = instants(data, "Radio check")
    assert len(source) == 40 and {start.hour for start, _ in source} == {9}  # 09:00 UTC every week
    assert imported(client, team, types, officer, data, "Radio check") == source
    events = db.session.scalars(db.select(Event).where(Event.uid.like("utc-check@example.org#%"))).all()
    assert len(events) == 40 and all(e.rrule is None for e in events)
    summer = next(e for e in events if e.starts_at.month == 7)
    assert summer.local_start.hour == 10  # 10:00 in a London summer


def test_a_new_york_series_moves_against_london_in_the_weeks_between_the_changes(client, db, team, types, officer):
    data = calendar(
        vevent(
            "ny-call@example.org",
            "Call with New York",
            f"DTSTART;TZID=America/New_York:{YEAR}0226T100000",
            f"DTEND;TZID=America/New_York:{YEAR}0226T110000",
            f"RRULE:FREQ=WEEKLY;UNTIL={YEAR}1210T000000Z",
        )
    )
    source = instants(data, "Call with New York")
    hours = {start.astimezone(UTC).hour for start, _ in source}
    assert hours == {14, 15}  # 15:00 UTC in EST, 14:00 UTC in EDT
    assert imported(client, team, types, officer, data, "Call with New York") == source


def test_a_dublin_series_with_negative_dst_stays_a_series_with_the_same_instants(client, db, team, types, officer):
    data = calendar(
        vevent(
            "dublin@example.org",
            "Cross-border surgery",
            f"DTSTART;TZID=Europe/Dublin:{YEAR}0303T180000",
            f"DTEND;TZID=Europe/Dublin:{YEAR}0303T190000",
            "RRULE:FREQ=WEEKLY;COUNT=40",
        ),
        zones=DUBLIN,
    )
    source = instants(data, "Cross-border surgery")
    assert len(source) == 40
    assert imported(client, team, types, officer, data, "Cross-border surgery") == source
    (event,) = db.session.scalars(db.select(Event).where(Event.uid == "dublin@example.org")).all()
    assert event.rrule.startswith("FREQ=WEEKLY")  # Dublin's clocks are London's: kept as one series


def test_rdate_dates_are_imported_with_and_without_exdate(client, db, team, types, officer):
    plain = vevent(
        "rdate@example.org",
        "Surgery with extra dates",
        f"DTSTART;TZID=Europe/London:{YEAR}0105T180000",
        f"DTEND;TZID=Europe/London:{YEAR}0105T190000",
        "RRULE:FREQ=WEEKLY;COUNT=6",
        f"RDATE;TZID=Europe/London:{YEAR}0108T180000,{YEAR}0401T180000",
    )
    data = calendar(plain)
    source = instants(data, "Surgery with extra dates")
    assert len(source) == 8
    assert imported(client, team, types, officer, data, "Surgery with extra dates") == source
    without = calendar(plain.replace("END:VEVENT", f"EXDATE;TZID=Europe/London:{YEAR}0112T180000\nEND:VEVENT"))
    source = instants(without, "Surgery with extra dates")
    assert len(source) == 7
    assert (
        imported(client, team, types, officer, without, "Surgery with extra dates") == source
    )  # the date is cancelled


def test_plain_text_descriptions_round_trip_exactly(client, db, team, types, officer):
    text = "Files: \\\\server\\share\\notes.txt\n*not bold* and _not italic_\n# not a heading\n[not a link](x)\n1. not a list"
    escaped = text.replace("\\", "\\\\").replace("\n", "\\n")
    data = calendar(
        vevent(
            "notes@example.org",
            "Notes",
            f"DTSTART;TZID=Europe/London:{YEAR}0105T180000",
            f"DTEND;TZID=Europe/London:{YEAR}0105T190000",
            f"DESCRIPTION:{escaped}",
        )
    )
    import_ics(team, data, actor=officer, default_type=types["public-meeting"])
    db.session.commit()
    feed = Calendar.from_ical(client.get(f"/teams/{team.slug}/calendar.ics").data)
    (component,) = [c for c in feed.walk("VEVENT") if str(c["UID"]) == "notes@example.org"]
    assert str(component["DESCRIPTION"]).startswith(text + "\n\n")
    stored = db.session.scalar(db.select(Event.description).where(Event.uid == "notes@example.org"))
    import_ics(team, feed.to_ical(), actor=officer, default_type=types["public-meeting"])  # our own feed, re-imported
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(db.select(Event.description).where(Event.uid == "notes@example.org")) == stored
