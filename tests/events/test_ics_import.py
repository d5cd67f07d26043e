"""Importing .ics files: Outlook-style zones, series with EXDATE and overrides, re-import updates,
malformed files rejected whole with a line number, and an export → import → export round trip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import recurring_ical_events
from icalendar import Calendar

from engagement.core.db import utcnow
from engagement.events.calendar_feeds import FEED_CACHE
from engagement.events.ics_import import ImportRejected, import_ics
from engagement.events.models import CANCELLED, Event, Occurrence
from engagement.events.recurrence import RepeatPattern
from tests.events.test_ical import at, dataset, next_weekday  # noqa: F401 - fixture reused

YEAR = utcnow().year + 1  # always in the future

OUTLOOK = f"""BEGIN:VCALENDAR
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
VERSION:2.0
METHOD:PUBLISH
BEGIN:VTIMEZONE
TZID:GMT Standard Time
BEGIN:STANDARD
DTSTART:16011028T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
TZOFFSETFROM:+0100
TZOFFSETTO:-0000
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010325T010000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
TZOFFSETFROM:-0000
TZOFFSETTO:+0100
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:surgery-series-1@outlook.example
SUMMARY:Police surgery at Ladywood Library
CATEGORIES:Police surgery
LOCATION:Ladywood Community Library, Ladywood Middleway, B16 8HA
DESCRIPTION:Drop in and talk to us.\\nNo appointment needed.
DTSTART;TZID=GMT Standard Time:{YEAR}0302T180000
DTEND;TZID=GMT Standard Time:{YEAR}0302T193000
RRULE:FREQ=WEEKLY;COUNT=6;BYDAY=TU
EXDATE;TZID=GMT Standard Time:{YEAR}0316T180000
END:VEVENT
BEGIN:VEVENT
UID:surgery-series-1@outlook.example
RECURRENCE-ID;TZID=GMT Standard Time:{YEAR}0330T180000
SUMMARY:Police surgery at Ladywood Library
DTSTART;TZID=GMT Standard Time:{YEAR}0330T183000
DTEND;TZID=GMT Standard Time:{YEAR}0330T200000
END:VEVENT
BEGIN:VEVENT
UID:surgery-series-1@outlook.example
RECURRENCE-ID;TZID=GMT Standard Time:{YEAR}0323T180000
STATUS:CANCELLED
SUMMARY:Police surgery at Ladywood Library
DTSTART;TZID=GMT Standard Time:{YEAR}0323T180000
DTEND;TZID=GMT Standard Time:{YEAR}0323T193000
END:VEVENT
BEGIN:VEVENT
UID:fun-day@outlook.example
SUMMARY:Community fun day
DTSTART;VALUE=DATE:{YEAR}0612
DTEND;VALUE=DATE:{YEAR}0613
END:VEVENT
BEGIN:VTODO
UID:todo-1
SUMMARY:Order leaflets
END:VTODO
END:VCALENDAR
""".replace("\n", "\r\n").encode()


def _import(team, data, types, officer):
    summary = import_ics(team, data, actor=officer, default_type=types["public-meeting"])
    from engagement.extensions import db

    db.session.commit()
    return summary


def test_outlook_series_with_exdate_override_and_all_day(db, team, types, officer):
    summary = _import(team, OUTLOOK, types, officer)
    assert summary.created == ["Police surgery at Ladywood Library", "Community fun day"]
    assert ("1 task(s)", "only events are imported") in summary.skipped
    series_event = db.session.scalar(db.select(Event).where(Event.uid == "surgery-series-1@outlook.example"))
    assert series_event.event_type.slug == "police-surgery" and series_event.team_id == team.id
    assert series_event.venue.name == "Ladywood Community Library"
    rows = sorted(series_event.occurrences, key=lambda r: r.recurrence_id)
    assert [r.recurrence_id[4:8] for r in rows] == ["0302", "0309", "0323", "0330", "0406"]  # 16 March is an EXDATE
    by_day = {r.recurrence_id[4:8]: r for r in rows}
    assert by_day["0323"].status == CANCELLED
    assert by_day["0330"].moved and by_day["0330"].starts_at == datetime(YEAR, 3, 30, 17, 30, tzinfo=UTC)  # 18:30 BST
    assert by_day["0302"].starts_at == datetime(YEAR, 3, 2, 18, 0, tzinfo=UTC)  # 18:00 GMT
    fun_day = db.session.scalar(db.select(Event).where(Event.uid == "fun-day@outlook.example"))
    assert fun_day.all_day and fun_day.event_type.slug == "public-meeting"


def test_reimport_updates_instead_of_duplicating(db, team, types, officer):
    _import(team, OUTLOOK, types, officer)
    count = db.session.scalar(db.select(db.func.count(Event.id)))
    ids = set(db.session.scalars(db.select(Occurrence.id)))
    again = _import(team, OUTLOOK, types, officer)
    assert again.created == [] and len(again.updated) == 2
    assert db.session.scalar(db.select(db.func.count(Event.id))) == count
    assert set(db.session.scalars(db.select(Occurrence.id))) == ids  # the same dates keep their ids
    moved = OUTLOOK.replace(b"0302T193000", b"0302T200000")
    _import(team, moved, types, officer)
    event = db.session.scalar(db.select(Event).where(Event.uid == "surgery-series-1@outlook.example"))
    assert event.revision >= 1


@pytest.mark.parametrize(
    "data,message",
    [
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nthis is not ical\r\nEND:VCALENDAR\r\n", "Line 3 is not a valid"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VCALENDAR\r\n", "Line 4: END:VCALENDAR does not close"),
        (b"BEGIN:VEVENT\r\nEND:VEVENT\r\n", "must start with BEGIN:VCALENDAR"),
        (
            b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:not-a-date\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "DTSTART",
        ),
        (
            b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:y\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "DTSTART is missing",
        ),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"", "empty"),
    ],
)
def test_malformed_files_are_rejected_whole(db, team, types, officer, data, message):
    good_then_bad = data
    with pytest.raises(ImportRejected) as excinfo:
        import_ics(team, good_then_bad, actor=officer, default_type=types["public-meeting"])
    assert message in excinfo.value.message
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Event.id))) == 0


def test_a_bad_event_after_good_ones_saves_nothing(db, team, types, officer):
    bad = OUTLOOK.replace(b"END:VCALENDAR", b"BEGIN:VEVENT\r\nUID:broken\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR")
    with pytest.raises(ImportRejected, match="broken: DTSTART is missing"):
        import_ics(team, bad, actor=officer, default_type=types["public-meeting"])
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Event.id))) == 0


def test_export_import_export_round_trip(client, db, dataset, other_team, types, officer, make_user):  # noqa: F811
    from engagement.events.models import Venue

    source = dataset["weekly"].team
    exported = client.get(f"/teams/{source.slug}/calendar.ics").data
    # a second team, empty; UIDs are matched globally, so import a copy with fresh UIDs
    fresh = exported.replace(b"@localhost", b"@copy.example")
    coordinator = make_user(role="coordinator")
    summary = import_ics(other_team, fresh, actor=coordinator, default_type=types["public-meeting"])
    db.session.commit()
    assert len(summary.created) == len({c["UID"] for c in Calendar.from_ical(fresh).walk("VEVENT")})
    FEED_CACHE.clear()
    again = client.get(f"/teams/{other_team.slug}/calendar.ics").data

    def dates(body):
        start, end = utcnow(), utcnow() + timedelta(days=365)
        cal = Calendar.from_ical(body)
        return sorted(
            (str(c["SUMMARY"]), c.decoded("DTSTART").isoformat(), c.decoded("DTEND").isoformat(), str(c.get("STATUS")))
            for c in recurring_ical_events.of(cal).between(start, end)
        )

    assert dates(again) == dates(exported)
    assert db.session.scalar(db.select(db.func.count(Venue.id)).where(Venue.team_id == other_team.id)) >= 1


def test_cli_and_upload_form(app, client, db, team, types, officer, login_as, tmp_path):
    path = tmp_path / "calendar.ics"
    path.write_bytes(OUTLOOK)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["events", "import-ics", "--team", team.slug, str(path)])
    assert result.exit_code == 0, result.output
    assert "Created 2, updated 0, skipped 1." in result.output
    bad = tmp_path / "bad.ics"
    bad.write_bytes(b"BEGIN:VCALENDAR\r\nnope\r\nEND:VCALENDAR\r\n")
    rejected = runner.invoke(args=["events", "import-ics", "--team", team.slug, str(bad)])
    assert rejected.exit_code != 0 and "Line 2 is not a valid iCalendar line" in rejected.output
    assert runner.invoke(args=["events", "import-ics", "--team", "atlantis", str(path)]).exit_code != 0

    from io import BytesIO

    from tests.conftest import csrf_token

    login_as(officer)
    page = client.post(
        f"/staff/teams/{team.slug}/import-ics",
        data={
            "csrf_token": csrf_token(client),
            "event_type": str(types["public-meeting"].id),
            "file": (BytesIO(OUTLOOK), "calendar.ics"),
        },
        content_type="multipart/form-data",
    )
    assert page.status_code == 200 and "Created 0, updated 2, skipped 1." in page.get_data(as_text=True)
    failed = client.post(
        f"/staff/teams/{team.slug}/import-ics",
        data={
            "csrf_token": csrf_token(client),
            "event_type": str(types["public-meeting"].id),
            "file": (BytesIO(b"BEGIN:VCALENDAR\r\nnope\r\nEND:VCALENDAR\r\n"), "bad.ics"),
        },
        content_type="multipart/form-data",
    )
    assert failed.status_code == 400
    assert "Nothing was imported. Line 2 is not a valid iCalendar line" in failed.get_data(as_text=True)


def test_officer_of_another_team_cannot_upload(client, team, outsider, login_as):
    login_as(outsider)
    assert client.get(f"/staff/teams/{team.slug}/import-ics").status_code == 403


def test_series_pattern_reexport_keeps_rule(db, team, types, officer, make_event):
    make_event(at(next_weekday(3), 18), at(next_weekday(3), 19), pattern=RepeatPattern("weekly", count=5))
    assert db.session.scalar(db.select(Event.rrule)).startswith("FREQ=WEEKLY")


def test_our_own_feed_text_does_not_pile_up(client, db, dataset, other_team, types, make_user):  # noqa: F811
    source = dataset["one_off"]
    exported = client.get(f"/events/{source.occurrences[0].id}.ics").data.replace(b"@localhost", b"@copy.example")
    import_ics(other_team, exported, actor=make_user(role="admin"), default_type=types["public-meeting"])
    copy = db.session.scalar(db.select(Event).where(Event.team_id == other_team.id))
    assert copy.title == source.title and copy.description == source.description
    assert copy.status == CANCELLED and copy.cancel_reason == "Venue unavailable"
