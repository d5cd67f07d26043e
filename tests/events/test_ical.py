"""Calendar feeds read back by real parsers: icalendar parses, recurring-ical-events expands,
and the expanded dates must equal the site's own list for the next 12 months."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import recurring_ical_events
from icalendar import Calendar
from sqlalchemy import select

from engagement.core.db import utcnow
from engagement.events import series
from engagement.events.calendar_feeds import FEED_CACHE
from engagement.events.details import When
from engagement.events.models import CANCELLED, Event, Occurrence
from engagement.events.recurrence import RepeatPattern
from engagement.events.services import cancel_event
from tests.support.queries import count_queries


def next_weekday(weekday: int, days_ahead: int = 3) -> date:
    day = date.today() + timedelta(days=days_ahead)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


@pytest.fixture
def dataset(db, make_event, officer, other_venue):
    """Series crossing a clock change, a moved and a cancelled date, a cancelled one-off, an all-day event,
    a split series and a draft (which must never appear)."""
    now = utcnow()
    tuesday = next_weekday(1)
    weekly = make_event(
        at(tuesday, 18),
        at(tuesday, 19, 30),
        pattern=RepeatPattern("weekly", count=40),
        now=now,
        title="Weekly surgery with a long, non-ASCII title: Café ☕ à la Ladywood — Sparkbrook "
        "& Balsall Heath; commas, semicolons",
    )
    moved, cancelled = weekly.occurrences[3], weekly.occurrences[5]
    series.move_occurrence(
        moved,
        actor=officer,
        when=When(at(moved.original_local_start.date(), 18, 30), at(moved.original_local_start.date(), 20)),
        venue=other_venue,
        now=now,
    )
    series.cancel_occurrence(cancelled, actor=officer, reason="Cancelled due to operational demands", now=now)
    fortnightly = make_event(
        at(tuesday + timedelta(days=2), 10, 30),
        at(tuesday + timedelta(days=2), 11, 30),
        pattern=RepeatPattern("fortnightly", count=20),
        now=now,
        type_slug="cuppa-with-a-copper",
        title="Cuppa with a Copper",
    )
    split_day = fortnightly.occurrences[4].original_local_start.date()
    series.change_following(
        fortnightly.occurrences[4],
        actor=officer,
        when=When(at(split_day, 11), at(split_day, 12)),
        pattern=RepeatPattern("fortnightly", count=16),
        venue=fortnightly.venue,
        now=now,
    )
    one_off = make_event(
        at(tuesday + timedelta(days=8), 19),
        at(tuesday + timedelta(days=8), 21),
        now=now,
        type_slug="neighbourhood-watch-meeting",
        title="Neighbourhood Watch meeting",
    )
    cancel_event(one_off, actor=officer, reason="Venue unavailable", now=now)
    make_event(
        at(tuesday + timedelta(days=20), 0),
        at(tuesday + timedelta(days=21), 0),
        all_day=True,
        now=now,
        type_slug="public-meeting",
        title="Community fun day",
    )
    make_event(
        at(tuesday + timedelta(days=4), 9),
        at(tuesday + timedelta(days=4), 10),
        publish=False,
        now=now,
        title="Secret draft",
    )
    db.session.commit()
    FEED_CACHE.clear()
    return {"weekly": weekly, "moved": moved, "cancelled": cancelled, "one_off": one_off}


def site_dates(db, start: datetime, end: datetime) -> set:
    rows = db.session.scalars(
        select(Occurrence)
        .join(Occurrence.event)
        .where(Event.published_at.is_not(None), Occurrence.starts_at >= start, Occurrence.starts_at < end)
    ).all()
    out = set()
    for row in rows:
        status = "CANCELLED" if CANCELLED in (row.status, row.event.status) else "CONFIRMED"
        if row.event.all_day:
            out.add((row.event.uid, "D" + row.starts_at.astimezone(_london()).date().isoformat(), status))
        else:
            out.add((row.event.uid, row.starts_at.isoformat(), row.ends_at.isoformat(), status))
    return out


def _london():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/London")


def feed_dates(body: bytes, start: datetime, end: datetime) -> set:
    cal = Calendar.from_ical(body)
    out = set()
    for component in recurring_ical_events.of(cal).between(start, end):
        dtstart, dtend = component.decoded("dtstart"), component.decoded("dtend")
        status = str(component.get("status"))
        if not isinstance(dtstart, datetime):
            out.add((str(component["uid"]), "D" + dtstart.isoformat(), status))
        else:
            out.add(
                (str(component["uid"]), dtstart.astimezone(UTC).isoformat(), dtend.astimezone(UTC).isoformat(), status)
            )
    return out


def test_expanded_feed_equals_the_site_list_for_12_months(client, db, dataset, team):
    start = utcnow()
    end = start + timedelta(days=365)
    response = client.get("/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    expected = site_dates(db, start, end)
    assert len(expected) >= 60
    assert feed_dates(response.data, start, end) == expected
    team_feed = client.get(f"/teams/{team.slug}/calendar.ics").data
    assert feed_dates(team_feed, start, end) == expected


def test_feed_has_the_required_calendar_properties(client, db, dataset, team):
    body = client.get(f"/teams/{team.slug}/calendar.ics").data
    text = body.decode()
    assert all(line.endswith("\r") or line == "" for line in text.split("\n"))
    assert max(len(line) for line in body.split(b"\r\n")) <= 75
    cal = Calendar.from_ical(body)
    assert cal["VERSION"] == "2.0" and cal["METHOD"] == "PUBLISH" and cal["CALSCALE"] == "GREGORIAN"
    assert cal["X-WR-CALNAME"] == f"{team.name} Neighbourhood Team events" == cal["NAME"]
    assert cal["X-WR-TIMEZONE"] == "Europe/London"
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text and "X-PUBLISHED-TTL:PT1H" in text
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/London" in text and "RDATE" not in text
    assert "BEGIN:VALARM" not in text and "Secret draft" not in text
    weekly = dataset["weekly"]
    masters = [c for c in cal.walk("VEVENT") if str(c["UID"]) == weekly.uid and "RECURRENCE-ID" not in c]
    overrides = [c for c in cal.walk("VEVENT") if str(c["UID"]) == weekly.uid and "RECURRENCE-ID" in c]
    assert len(masters) == 1 and len(overrides) == 2
    master = masters[0]
    assert master["DTSTART"].params["TZID"] == "Europe/London"
    assert str(master["UID"]).endswith("@localhost")
    assert master.decoded("RRULE")["COUNT"] == [40]
    assert str(master["CATEGORIES"].cats[0]) == "Police surgery"
    for key in (
        "DTSTAMP",
        "CREATED",
        "LAST-MODIFIED",
        "SUMMARY",
        "DESCRIPTION",
        "LOCATION",
        "URL",
        "STATUS",
        "SEQUENCE",
    ):
        assert key in master, key
    assert "Details: http://localhost/events/" in str(master["DESCRIPTION"])
    cancelled = next(o for o in overrides if o["STATUS"] == "CANCELLED")
    assert str(cancelled["SUMMARY"]).startswith("Cancelled: ")
    assert "Cancelled due to operational demands" in str(cancelled["DESCRIPTION"])
    moved = next(o for o in overrides if o["STATUS"] == "CONFIRMED")
    assert moved.decoded("DTSTART").hour == 18 and moved.decoded("DTSTART").minute == 30
    assert moved["RECURRENCE-ID"].params["TZID"] == "Europe/London"
    assert str(master["LOCATION"]) == "Ladywood Community Library, Ladywood Middleway, B16 8HA"
    assert str(moved["LOCATION"]) == "St John's Church Hall, Monument Road, B16 8UU"  # the date's own venue
    # the long, non-ASCII title folds and round-trips exactly
    assert str(master["SUMMARY"]) == weekly.title


def test_cancelled_one_off_stays_marked(client, db, dataset):
    cal = Calendar.from_ical(client.get("/calendar.ics").data)
    one_off = next(c for c in cal.walk("VEVENT") if str(c["UID"]) == dataset["one_off"].uid)
    assert one_off["STATUS"] == "CANCELLED" and str(one_off["SUMMARY"]) == "Cancelled: Neighbourhood Watch meeting"


def test_sequence_rises_after_a_move(client, db, dataset, officer):
    def override_sequence(rid):
        cal = Calendar.from_ical(client.get("/calendar.ics").data)
        return next(
            int(c["SEQUENCE"])
            for c in cal.walk("VEVENT")
            if "RECURRENCE-ID" in c and c.decoded("RECURRENCE-ID").replace(tzinfo=None) == rid
        )

    moved = db.session.get(Occurrence, dataset["moved"].id)
    rid = moved.original_local_start
    before = override_sequence(rid)
    day = rid.date()
    series.move_occurrence(moved, actor=officer, when=When(at(day, 19), at(day, 20, 30)), now=utcnow())
    db.session.commit()
    assert override_sequence(rid) == before + 1


def test_conditional_get_and_no_rebuild_when_unchanged(client, db, dataset, officer):
    first = client.get("/calendar.ics")
    builds = FEED_CACHE.builds
    assert client.get("/calendar.ics", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get("/calendar.ics", headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    again = client.get("/calendar.ics")
    assert again.data == first.data and FEED_CACHE.builds == builds
    head = client.head("/calendar.ics")
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=300"
    assert first.headers["Last-Modified"]
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    row = db.session.get(Occurrence, dataset["weekly"].occurrences[8].id)
    series.cancel_occurrence(row, actor=officer, reason="Officers needed elsewhere", now=utcnow())
    db.session.commit()
    changed = client.get("/calendar.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert FEED_CACHE.builds == builds + 1


def test_filters_and_unknown_names(client, db, dataset, team):
    only_cuppa = Calendar.from_ical(client.get("/calendar.ics?type=cuppa-with-a-copper").data)
    assert {str(c["SUMMARY"]) for c in only_cuppa.walk("VEVENT")} == {"Cuppa with a Copper"}
    both = client.get(f"/calendar.ics?team={team.slug}&area=Birmingham&type=police-surgery&type=public-meeting")
    assert {str(c["CATEGORIES"].cats[0]) for c in Calendar.from_ical(both.data).walk("VEVENT")} == {
        "Police surgery",
        "Public meeting",
    }
    for url, text in [
        ("/calendar.ics?team=atlantis", "no team called"),
        ("/teams/atlantis/calendar.ics", "no team"),
        ("/calendar.ics?type=rave", "no kind of event"),
        ("/calendar.ics?area=Narnia", "no area"),
    ]:
        response = client.get(url)
        assert response.status_code == 404 and text in response.get_data(as_text=True)
        assert response.mimetype == "text/plain"


def test_single_occurrence_download(client, db, dataset):
    moved = dataset["moved"]
    response = client.get(f"/events/{moved.id}.ics")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    cal = Calendar.from_ical(response.data)
    (component,) = cal.walk("VEVENT")
    assert str(component["UID"]) == dataset["weekly"].uid and "RECURRENCE-ID" in component
    assert client.get("/events/999999.ics").status_code == 404


def test_feed_query_count_is_constant(app, client, db, make_event):
    """Counted on both engines a feed uses (core.http_cache.read_engine and the main one). A body
    rebuilt from stored entries costs two statements; one whose events changed costs four (those
    events are loaded and their entries stored): see tests/events/test_feed_fragments.py."""
    from engagement.core.http_cache import read_engine

    def feed_queries(url):
        FEED_CACHE.clear()
        with count_queries(read_engine()) as reads, count_queries(db.engine) as writes:
            assert client.get(url).status_code == 200
        return len(reads) + len(writes)

    day = next_weekday(2)
    make_event(at(day, 10), at(day, 11), pattern=RepeatPattern("weekly", count=10))
    changed_few = feed_queries("/calendar.ics")
    few = feed_queries("/calendar.ics")
    for n in range(30):
        make_event(
            at(day + timedelta(days=n), 14),
            at(day + timedelta(days=n), 15),
            pattern=RepeatPattern("weekly", count=5) if n % 3 == 0 else None,
        )
    changed_many = feed_queries("/calendar.ics")
    many = feed_queries("/calendar.ics")
    assert few == many <= 3 and changed_few == changed_many == 4


def test_any_change_a_feed_shows_changes_its_etag(client, db, dataset, venue):
    """The feed version is a counter bumped on flush: a venue rename must reach subscribers."""
    first = client.get("/calendar.ics")
    assert client.get("/calendar.ics", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    venue.name = "Ladywood Library (renamed)"
    db.session.commit()
    second = client.get("/calendar.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and b"Ladywood Library (renamed)" in second.data
