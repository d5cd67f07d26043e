# ruff: noqa: F811 - the events fixtures are imported by name and then requested by name
"""Issue 13 §2: values at the edge of their type (year 1, year 9999, huge durations) never answer 500.

Dates a team can schedule have a documented range (limits.py: today − 1 year to today + 5 years
from the staff forms; 2000 to today + 5 years for imports): outside it, a field error. Date
filters at the ends of the calendar work. And one broken row never takes a feed down: the feed
builder leaves it out and logs it.
"""

from __future__ import annotations

import logging
import time as clock
from datetime import UTC, date, datetime, timedelta

import pytest

from engagement.core.errors import DomainError
from engagement.events import limits
from engagement.events.calendar_feeds import FEED_CACHE
from engagement.events.details import EventDetails, When
from engagement.events.ics_import import ImportRejected, import_ics
from engagement.events.models import Event, Occurrence
from engagement.events.recurrence import RepeatPattern
from engagement.events.series import move_occurrence
from engagement.events.services import create_event
from tests.conftest import csrf_token
from tests.events.conftest import officer, team, types, venue  # noqa: F401 - fixtures
from tests.events.helpers import form_fields

TODAY = date.today()
NOW = datetime.now(UTC)


def count(db, model) -> int:
    return db.session.scalar(db.select(db.func.count(model.id)))


# --- the staff form ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"date": "9999-12-31"},
        {"date": "9999-12-31", "all_day": "y", "start_time": "", "end_time": ""},
        {"date": "9999-12-31", "end_date": "9999-12-31", "all_day": "y", "start_time": "", "end_time": ""},
        {"date": "0001-01-01"},
        {"date": (TODAY + timedelta(days=5 * 366 + 1)).isoformat()},
        {"date": (TODAY - timedelta(days=400)).isoformat()},
        {"date": "9999-12-31", "repeat": "weekly", "repeat_count": "3"},
        {"date": (TODAY + timedelta(days=30)).isoformat(), "repeat": "weekly", "repeat_until": "9999-12-31"},
        {
            "date": (TODAY + timedelta(days=5 * 365)).isoformat(),
            "repeat": "weekly",
            "repeat_until": (TODAY + timedelta(days=6 * 365)).isoformat(),
        },
    ],
)
def test_a_date_outside_the_range_is_a_field_error_and_saves_nothing(
    client, db, login_as, officer, team, types, venue, fields
):
    login_as(officer)
    data = {"csrf_token": csrf_token(client), **form_fields(team, types, venue, officer), **fields}
    response = client.post("/staff/events/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    assert "There is a problem" in page
    assert count(db, Event) == 0 and count(db, Occurrence) == 0


def test_the_range_message_says_which_dates_can_be_used(db, officer, team, types, venue):
    first, last = limits.schedule_range(NOW)
    with pytest.raises(DomainError) as caught:
        create_event(
            actor=officer,
            details=EventDetails(team=team, event_type=types["police-surgery"], title="Far", venue=venue),
            when=When(datetime(9999, 12, 31, 23, 0), None),
            now=NOW,
        )
    assert caught.value.field == "date"
    assert f"{first.day} " in caught.value.message and str(last.year) in caught.value.message


def test_dates_at_the_ends_of_the_range_are_accepted(db, officer, team, types, venue):
    first, last = limits.schedule_range(NOW)
    for day in (first, last):
        event = create_event(
            actor=officer,
            details=EventDetails(team=team, event_type=types["police-surgery"], title="Edge", venue=venue),
            when=When(datetime.combine(day, datetime.min.time()).replace(hour=12), None),
            now=NOW,
        )
        assert event.occurrences
    with pytest.raises(DomainError, match="The repeat end date must be between"):
        create_event(
            actor=officer,
            details=EventDetails(team=team, event_type=types["police-surgery"], title="Edge", venue=venue),
            when=When(datetime.combine(last, datetime.min.time()).replace(hour=12), None),
            pattern=RepeatPattern("weekly", until=date(9999, 12, 31)),
            now=NOW,
        )


def test_moving_a_date_past_the_range_is_refused(db, officer, team, types, venue):
    start = datetime.combine(TODAY + timedelta(days=14), datetime.min.time()).replace(hour=18)
    event = create_event(
        actor=officer,
        details=EventDetails(team=team, event_type=types["police-surgery"], title="Series", venue=venue),
        when=When(start, None),
        pattern=RepeatPattern("weekly", count=3),
        now=NOW,
    )
    with pytest.raises(DomainError, match="must be between") as caught:
        move_occurrence(event.occurrences[1], actor=officer, when=When(datetime(9999, 12, 31, 23, 0), None))
    assert caught.value.field == "date"


# --- imports -------------------------------------------------------------------------------------


def _ics(dtstart: str, extra: str = "DTEND:{end}\r\n", end: str = "") -> bytes:
    body = extra.format(end=end)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:edge@example.org\r\n"
        f"SUMMARY:Edge of time\r\nDTSTART:{dtstart}\r\n{body}END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (_ics("99991231T230000Z", end="99991231T235959Z"), "DTSTART is outside the dates we can import"),
        (_ics("99991231T230000Z", extra=""), "DTSTART is outside the dates we can import"),
        (_ics("00010101T000000Z", end="00010101T010000Z"), "DTSTART is outside the dates we can import"),
        (_ics("00010101T000000", extra=""), "DTSTART is outside the dates we can import"),
        (_ics("19991231T180000Z", end="19991231T190000Z"), "DTSTART is outside the dates we can import"),
        (_ics(f"{TODAY.year + 1}0302T180000Z", extra="DURATION:P99999999D\r\n"), "lasts more than 14 days"),
        (_ics(f"{TODAY.year + 1}0302T180000Z", extra="DURATION:P15D\r\n"), "lasts more than 14 days"),
        (_ics(f"{TODAY.year + 1}0302T180000Z", end="99991231T235959Z"), "DTEND is outside the dates we can import"),
        (_ics(f"{TODAY.year + 1}0302T180000Z", end="00010101T000000Z"), "DTEND is outside the dates we can import"),
        (
            _ics(
                f"{TODAY.year + 1}0302T180000Z",
                extra="DTEND:{end}\r\nRRULE:FREQ=WEEKLY;UNTIL=00010101T000000\r\n",
                end=f"{TODAY.year + 1}0302T190000Z",
            ),
            "its repeat rule cannot be used",
        ),
        (
            _ics(
                f"{TODAY.year + 1}0302T180000Z",
                extra="DTEND:{end}\r\nRRULE:FREQ=WEEKLY;UNTIL=2027\r\n",
                end=f"{TODAY.year + 1}0302T190000Z",
            ),
            "RRULE: Expected datetime",
        ),
    ],
)
def test_an_import_at_the_ends_of_the_calendar_is_refused_with_the_event_named(db, team, types, data, reason):
    with pytest.raises(ImportRejected) as caught:
        import_ics(team, data, actor=None, default_type=types["public-meeting"])
    assert reason in caught.value.message
    assert "Event “Edge of time” at line 4, UID edge@example.org" in caught.value.message
    db.session.rollback()
    assert count(db, Event) == 0


def test_an_import_keeps_past_events_in_the_range_and_far_rule_ends(db, team, types):
    """2005 is history worth keeping; a rule that ends in 9999 is simply open-ended in practice."""
    old = _ics("20050301T180000Z", end="20050301T190000Z")
    far = _ics(
        f"{TODAY.year + 1}0302T180000Z",
        extra="DTEND:{end}\r\nRRULE:FREQ=WEEKLY;UNTIL=99991231T235959Z\r\nEXDATE:00010101T000000Z\r\n",
        end=f"{TODAY.year + 1}0302T190000Z",
    )
    import_ics(team, old, actor=None, default_type=types["public-meeting"])
    db.session.commit()
    far = far.replace(b"edge@example.org", b"far@example.org")
    import_ics(team, far, actor=None, default_type=types["public-meeting"])
    db.session.commit()
    # A UTC series keeps its instants as dated events (events.ics_instants, issue 21): a year of them.
    dated = db.session.scalars(db.select(Event).where(Event.uid.like("far@example.org#%"))).all()
    assert 50 <= len(dated) <= 60 and {e.starts_at.hour for e in dated} == {18}


def test_a_police_uk_item_at_the_ends_of_the_calendar_is_refused(app, db, tmp_path, team, types):
    for value in ("9999-12-31T23:00:00", "0001-01-01T00:00:00+01:00", "1999-12-31T18:00:00"):
        path = tmp_path / "events.json"
        path.write_text(f'[{{"title": "Edge", "address": "Library, B1 1AA", "start_date": "{value}"}}]')
        result = app.test_cli_runner().invoke(args=["events", "import-police-uk", "--team", team.slug, str(path)])
        assert result.exit_code == 1 and "rejected, nothing was imported" in result.output, result.output
        assert "item 1 (index 0): start_date" in result.output
    db.session.rollback()
    assert count(db, Event) == 0


# --- date filters at the ends of the calendar ----------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "to_date=9999-12-31",
        "from_date=0001-01-01",
        "from_date=0001-01-01&to_date=9999-12-31",
        "from_date=9999-12-31",
        "to_date=0001-01-01",
        "from_date=9999-12-30&to_date=9999-12-31",
    ],
)
def test_the_events_list_takes_any_real_date(client, db, team, types, venue, officer, query):
    start = datetime.combine(TODAY + timedelta(days=3), datetime.min.time()).replace(hour=18)
    create_event(
        actor=officer,
        details=EventDetails(team=team, event_type=types["police-surgery"], title="Soon", venue=venue),
        when=When(start, None),
        publish=True,
    )
    db.session.commit()
    response = client.get(f"/events?{query}")
    assert response.status_code == 200
    shown = "Soon" in response.get_data(as_text=True)
    assert shown == (query in ("to_date=9999-12-31", "from_date=0001-01-01", "from_date=0001-01-01&to_date=9999-12-31"))


def test_the_sign_up_export_takes_any_real_date(client, db, login_as, officer, team):
    login_as(officer)
    for query in ("to_date=9999-12-31", "from_date=0001-01-01&to_date=9999-12-31", "from_date=9999-12-31"):
        response = client.get(f"/staff/signups/export?format=csv&columns=name&{query}")
        assert response.status_code == 200, response.get_data(as_text=True)[:300]


def test_the_staff_calendar_takes_any_real_start(client, login_as, officer, team):
    login_as(officer)
    for start in ("9999-12-31", "0001-01-01", "1969-12-29"):
        assert client.get(f"/staff/teams/{team.slug}/calendar?start={start}").status_code == 200


def test_day_bounds_never_overflow():
    assert limits.day_end_utc(date.max) is None and limits.day_start_utc(date.min) is None
    assert limits.day_end_utc(date(2027, 3, 2)) == datetime(2027, 3, 3, 0, 0, tzinfo=UTC)
    assert limits.day_start_utc(date(2027, 7, 1)) == datetime(2027, 6, 30, 23, 0, tzinfo=UTC)  # BST


# --- one broken row never takes a feed down ------------------------------------------------------


def _raw_event(db, team, types, venue, uid: str, start: datetime, **columns) -> Event:
    """An event and its one date written straight to the tables, as old data or a bad migration might leave it."""
    now = datetime.now(UTC)
    event = Event(
        uid=uid, team=team, event_type=types["public-meeting"], title=uid, venue=venue, starts_at=start,
        ends_at=start + timedelta(minutes=30), dtstart_local=columns.pop("dtstart_local", start.strftime("%Y%m%dT%H%M%S")),
        status="published", published_at=now, **columns,
    )  # fmt: skip
    event.occurrences.append(
        Occurrence(recurrence_id=event.dtstart_local[:15], starts_at=start, ends_at=event.ends_at, status="scheduled")
    )
    db.session.add(event)
    db.session.commit()
    return event


def test_one_broken_row_never_takes_a_feed_down(client, db, caplog, team, types, venue, officer):
    good_start = datetime.combine(TODAY + timedelta(days=3), datetime.min.time()).replace(hour=18)
    good = create_event(
        actor=officer,
        details=EventDetails(team=team, event_type=types["police-surgery"], title="Good surgery", venue=venue),
        when=When(good_start, None),
        publish=True,
    )
    db.session.commit()
    far = _raw_event(db, team, types, venue, "year-9999@example.org", datetime(9999, 12, 31, 23, 0, tzinfo=UTC))
    _raw_event(db, team, types, venue, "year-0001@example.org", datetime(1, 1, 1, 0, 0, tzinfo=UTC))
    bad_rule = _raw_event(db, team, types, venue, "bad-rule@example.org", NOW + timedelta(days=5), rrule="FREQ=NOPE;;")
    bad_start = _raw_event(
        db, team, types, venue, "bad-start@example.org", NOW + timedelta(days=6), dtstart_local="not-a-date-time",
        rrule="FREQ=WEEKLY",
    )  # fmt: skip
    FEED_CACHE.clear()
    caplog.set_level(logging.ERROR)
    for url in ("/calendar.ics", f"/teams/{team.slug}/calendar.ics"):
        began = clock.perf_counter()
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert clock.perf_counter() - began < 3
        assert good.uid in body and "year-9999@example.org" in body  # far, but writable: kept
        assert "bad-rule@example.org" not in body and "bad-start@example.org" not in body
    left_out = [r.getMessage() for r in caplog.records if "left out" in r.getMessage()]
    assert any(f"event {bad_rule.id} left out" in m for m in left_out)
    assert any(f"event {bad_start.id} left out" in m for m in left_out)
    for url in ("/events", f"/teams/{team.slug}", f"/teams/{team.slug}/events.json", f"/events/{far.occurrences[0].id}",
                f"/events/{far.occurrences[0].id}.ics", f"/embed/teams/{team.slug}", "/api/v1/events",
                f"/teams/{team.slug}/events.rss"):  # fmt: skip
        assert client.get(url).status_code == 200, url


def test_an_oversized_request_body_is_a_413_with_a_message(app, client):
    """MAX_CONTENT_LENGTH stops a huge upload before it is parsed or written to disk."""
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"email": "x" * 4096, "password": "y"})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_a_stored_date_at_the_calendar_edge_is_shown_not_crashed(app):
    from datetime import UTC, datetime

    from engagement.core.timeutil import to_local

    assert to_local(datetime(1, 1, 1, tzinfo=UTC)).year == 1
    assert to_local(datetime(9999, 12, 31, 23, 30, tzinfo=UTC)).year == 9999
