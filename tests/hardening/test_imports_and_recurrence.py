# ruff: noqa: F811 - the events fixtures are imported by name and then requested by name
"""Issue 13 §1: imports and repeat rules never cost without bound.

Rules a team never schedules are refused up front with a message naming the VEVENT; every
expansion is bounded by a count and a window; files past the documented limits are refused
before they are parsed; a malformed police.uk file is a message, never a traceback; and a big
upload is imported by the worker, whole or not at all, while its page shows how it is going.
"""

from __future__ import annotations

import json
import time as clock
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest

from engagement.core.worker import run_once
from engagement.events import limits
from engagement.events.ics_import import ImportRejected, import_ics
from engagement.events.ics_parse import Deadline, parse
from engagement.events.import_jobs import DONE, FAILED, QUEUED, RUNNING, ImportJob, queue_import, run_import_jobs
from engagement.events.models import Event, Occurrence
from engagement.events.recurrence import RepeatPattern
from engagement.events.rrule_expansion import RecurrenceError, TooManyDates, local_starts, starts_before
from engagement.events.wall_clock import LONDON
from tests.conftest import csrf_token
from tests.events.conftest import officer, other_team, outsider, team, types, venue  # noqa: F401 - fixtures
from tests.events.helpers import form_fields

YEAR = date.today().year + 1


def vevent(uid: str, *, summary: str = "Police surgery", start: str = f"{YEAR}0302T180000", extra: str = "") -> str:
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:{summary}\r\nDTSTART;TZID=Europe/London:{start}\r\n"
        f"DTEND;TZID=Europe/London:{start[:9]}193000\r\n{extra}END:VEVENT\r\n"
    )


def calendar(*events: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + "".join(events) + "END:VCALENDAR\r\n").encode()


def count(db, model) -> int:
    return db.session.scalar(db.select(db.func.count(model.id)))


def refused(db, team_, types_, data: bytes) -> tuple[str, float]:
    """Import the file, expecting a refusal; (message, seconds) — and nothing may be written."""
    began = clock.perf_counter()
    with pytest.raises(ImportRejected) as caught:
        import_ics(team_, data, actor=None, default_type=types_["public-meeting"])
    seconds = clock.perf_counter() - began
    db.session.rollback()
    assert count(db, Event) == 0 and count(db, Occurrence) == 0
    return caught.value.message, seconds


# --- repeat rules a neighbourhood team never schedules ----------------------------------------


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("FREQ=SECONDLY", "cannot repeat every second or minute"),
        ("FREQ=MINUTELY;COUNT=1000000", "cannot repeat every second or minute"),
        ("FREQ=HOURLY", "Hourly repeats need a count of at most 24"),
        ("FREQ=HOURLY;COUNT=25", "Hourly repeats need a count of at most 24"),
        ("FREQ=HOURLY;COUNT=5;BYDAY=MO", "Hourly repeats need a count of at most 24"),
        ("FREQ=DAILY;BYHOUR=9,10,11,12", "several times of day"),
        ("FREQ=WEEKLY;BYMINUTE=0,15,30,45", "several times of day"),
        ("FREQ=DAILY;COUNT=5000", "at most 1,000 dates"),
        ("FREQ=DAILY;INTERVAL=1000", "interval must be a whole number from 1 to 100"),
        ("FREQ=YEARLY;BYYEARDAY=1,100,200", "BYYEARDAY are not supported"),
        ("FREQ=DAILY;BYMONTH=2", "Daily and weekly repeats can only choose days of the week"),
        ("FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30", "never happens"),
        ("FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4,6,9,11", "never happens"),
        ("FREQ=MONTHLY;BYMONTHDAY=1;BYDAY=MO;BYSETPOS=2", "does not match the repeat pattern"),
        ("FREQ=FORTNIGHTLY", "FORTNIGHTLY"),
    ],
)
def test_costly_or_impossible_rules_are_refused_at_once_naming_the_vevent(db, team, types, rule, reason):
    data = calendar(
        vevent("good@example.org"), vevent("costly@example.org", summary="Night watch", extra=f"RRULE:{rule}\r\n")
    )
    message, seconds = refused(db, team, types, data)
    assert reason in message
    assert "Event “Night watch” at line 10, UID costly@example.org" in message
    assert seconds < 1.0


def test_a_few_hourly_sessions_in_one_day_are_allowed(db, team, types):
    """The documented call: HOURLY only as at most 24 sessions (e.g. drop-in slots through a day)."""
    data = calendar(vevent("slots@example.org", start=f"{YEAR}0302T100000", extra="RRULE:FREQ=HOURLY;COUNT=6\r\n"))
    data = data.replace(
        f"DTEND;TZID=Europe/London:{YEAR}0302T193000".encode(), f"DTEND;TZID=Europe/London:{YEAR}0302T104500".encode()
    )
    import_ics(team, data, actor=None, default_type=types["public-meeting"])
    db.session.commit()
    assert count(db, Occurrence) == 6


def test_a_series_with_more_dates_than_the_limit_is_refused(db, team, types):
    """A daily series from 2000 would write over 9,000 rows up to its horizon; the limit is 1,000."""
    data = calendar(vevent("old@example.org", start="20000103T090000", extra="RRULE:FREQ=DAILY\r\n"))
    message, seconds = refused(db, team, types, data)
    assert "makes more than 1,000 dates by" in message and "UID old@example.org" in message
    assert seconds < 1.0


def test_a_file_with_too_many_dates_in_total_is_refused(db, team, types):
    """Each open-ended daily series makes about 366 dates up to its horizon; 14 of them pass 5,000."""
    events = [vevent(f"daily-{n}@example.org", summary=f"Daily {n}", extra="RRULE:FREQ=DAILY\r\n") for n in range(14)]
    message, _ = refused(db, team, types, calendar(*events))
    assert "more than 5,000 dates" in message and "Daily 13" in message


def test_too_many_vevents_are_refused_before_the_calendar_is_parsed(db, team, types):
    events = [vevent(f"e{n}@example.org", summary=f"Event {n}") for n in range(limits.MAX_EVENTS_PER_FILE + 1)]
    message, seconds = refused(db, team, types, calendar(*events))
    assert "more than 1,000 events" in message and "line 6004" in message
    assert seconds < 2.0


def test_too_many_repeating_events_are_refused(db, team, types):
    events = [
        vevent(f"s{n}@example.org", summary=f"Series {n}", extra="RRULE:FREQ=WEEKLY;COUNT=2\r\n")
        for n in range(limits.MAX_SERIES_PER_FILE + 1)
    ]
    message, _ = refused(db, team, types, calendar(*events))
    assert "more than 200 repeating events" in message and "Series 200" in message


def test_a_file_over_the_size_limit_is_refused_without_reading_it(db, team, types):
    big = b"BEGIN:VCALENDAR\r\nX-PAD:" + b"a" * limits.MAX_FILE_BYTES + b"\r\nEND:VCALENDAR\r\n"
    message, seconds = refused(db, team, types, big)
    assert "larger than 5 MB" in message and seconds < 1.0


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        ("".join(f"X-P{n}:v\r\n" for n in range(110_000)), "too big to import at once"),
        ("X-A;" + ";".join(f"P{n}=v" for n in range(70_000)) + ":v\r\n", "too big to import at once"),
        ("CATEGORIES:" + ",".join("c" for _ in range(110_000)) + "\r\n", "too big to import at once"),
        ("".join(f"EXDATE:{YEAR}0309T180000\r\n" for _ in range(5001)), "more than 5,000 EXDATE and RDATE dates"),
    ],
)
def test_what_would_make_the_calendar_parser_slow_is_refused_before_it_runs(db, team, types, lines, reason):
    """The icalendar parser's cost grows with lines, parameters and list values; these are counted first."""
    data = calendar(vevent("heavy@example.org", extra="RRULE:FREQ=WEEKLY;COUNT=3\r\n" + lines))
    message, seconds = refused(db, team, types, data)
    assert reason in message and seconds < 1.5


def test_the_time_backstop_refuses_a_file_still_checking(db, team, types):
    with pytest.raises(ImportRejected, match="took more than 0 seconds"):
        parse(calendar(vevent("a@example.org")), now=datetime.now(UTC), deadline=Deadline(0))


# --- the expansion itself is bounded ---------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MONTHLY;BYMONTHDAY=1;BYDAY=MO;BYSETPOS=2",  # never happens: dateutil would look until year 9999
        "FREQ=YEARLY;BYMONTH=2;BYDAY=5MO",
        "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
    ],
)
def test_searching_for_a_date_that_never_comes_stops_within_one_400_year_cycle(rule):
    began = clock.perf_counter()
    with pytest.raises(RecurrenceError):
        local_starts(rule, datetime(YEAR, 1, 5, 18), LONDON, end=datetime(YEAR + 1, 1, 1, tzinfo=UTC))
    assert clock.perf_counter() - began < 0.5


def test_an_expansion_stops_at_its_cap_and_at_its_window():
    with pytest.raises(TooManyDates):
        local_starts("FREQ=DAILY", datetime(YEAR, 1, 1, 9), LONDON, end=datetime(YEAR + 30, 1, 1, tzinfo=UTC), cap=100)
    starts, complete = starts_before(
        "FREQ=WEEKLY;BYDAY=MO;UNTIL=21991231T000000Z", datetime(2029, 1, 1, 9), datetime(2030, 1, 1, tzinfo=UTC)
    )
    assert len(starts) == 53 and not complete  # only the window up to the horizon is expanded
    counted, complete = starts_before("FREQ=DAILY;COUNT=10", datetime(2029, 1, 1, 9), datetime(2030, 1, 1, tzinfo=UTC))
    assert len(counted) == 10 and complete


def test_the_series_form_is_bounded_too(client, db, login_as, officer, team, types, venue):
    """The staff form makes only weekly, fortnightly and monthly rules, at most 200 times or two years."""
    with pytest.raises(RecurrenceError, match="between 1 and 200"):
        RepeatPattern("weekly", count=1_000_000)
    login_as(officer)
    token = csrf_token(client)
    for extra in ({"repeat": "weekly", "repeat_count": "1000000"}, {"repeat": "weekly", "repeat_until": "2099-01-01"}):
        response = client.post(
            "/staff/events/new", data={"csrf_token": token, **form_fields(team, types, venue, officer), **extra}
        )
        assert response.status_code == 400
    assert count(db, Event) == 0


def test_the_horizon_task_survives_a_rule_stored_before_the_limits(app, db, team, types, venue):
    """A FREQ=SECONDLY series already in the database is left alone, and the other series still get their dates."""
    from engagement.events.series import extend_horizons

    now = datetime.now(UTC)
    start = (now + timedelta(days=7)).replace(second=0, microsecond=0)
    local = start.astimezone(LONDON)
    for uid, rule in (("old-secondly", "FREQ=SECONDLY"), ("weekly", f"FREQ=WEEKLY;BYDAY={_day(local)}")):
        event = Event(
            uid=uid, team=team, event_type=types["public-meeting"], title=uid, venue=venue, starts_at=start,
            ends_at=start + timedelta(hours=1), dtstart_local=local.strftime("%Y%m%dT%H%M%S"), rrule=rule,
            status="published", published_at=now, horizon_end=now - timedelta(days=30),
        )  # fmt: skip
        db.session.add(event)
    db.session.commit()
    assert extend_horizons(now=now) == 2
    by_uid = {e.uid: e for e in db.session.scalars(db.select(Event))}
    assert by_uid["old-secondly"].horizon_end is None and by_uid["weekly"].occurrences


def _day(local: datetime) -> str:
    return ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[local.weekday()]


# --- malformed police.uk files ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ("[" * 100_000, "nested too deeply"),
        ('{"a":' * 100_000, "nested too deeply"),
        ("[" * 5000 + "]" * 5000, "nested too deeply"),
        ("[[[]]]", "must be a JSON object"),
        ("[1" + "0" * 5000 + "]", "not valid JSON"),
        ('[{"title": ["x"], "address": "Library", "start_date": "2027-01-01T10:00:00"}]', "title must be text"),
        ('[{"title": "x", "address": {"a": 1}, "start_date": "2027-01-01T10:00:00"}]', "address must be text"),
        ('[{"title": "x", "address": "Library", "start_date": 1e999}]', "is not a date and time"),
        ('[{"title": "x", "address": "Library", "start_date": 99999999999999999999}]', "is not a date and time"),
        ('[{"title": "x", "address": "Library", "start_date": "2027-01-01T10:00:00", "end_date": [1]}]', "end_date"),
        ('"just a string"', "must be a JSON list"),
        (json.dumps([{"title": "x"}] * 1001), "at most 1,000 can be imported"),
        (b'["\xff"]', "not UTF-8"),
    ],
)
def test_a_malformed_police_uk_file_is_a_message_not_a_traceback(app, db, tmp_path, team, types, payload, reason):
    path = tmp_path / "events.json"
    path.write_bytes(payload if isinstance(payload, bytes) else payload.encode())
    result = app.test_cli_runner().invoke(args=["events", "import-police-uk", "--team", team.slug, str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "rejected, nothing was imported" in result.output and reason in result.output, result.output
    assert "Traceback" not in result.output
    db.session.rollback()
    assert count(db, Event) == 0


def test_an_oversized_police_uk_file_is_refused(app, db, tmp_path, team, types):
    path = tmp_path / "events.json"
    path.write_bytes(b"[" + b" " * limits.MAX_FILE_BYTES + b"]")
    result = app.test_cli_runner().invoke(args=["events", "import-police-uk", "--team", team.slug, str(path)])
    assert result.exit_code == 1 and "larger than 5 MB" in result.output


# --- big imports go through the worker, whole or not at all ----------------------------------


def _many(n: int, *, broken_at: int | None = None) -> bytes:
    events = []
    for i in range(n):
        day = date(YEAR, 3, 2) + timedelta(days=i)
        extra = "DURATION:P99999999D\r\n" if i == broken_at else ""
        text = vevent(f"big-{i}@example.org", summary=f"Surgery {i}", start=f"{day:%Y%m%d}T180000", extra=extra)
        events.append(text.replace(f"DTEND;TZID=Europe/London:{day:%Y%m%d}T193000\r\n", "") if extra else text)
    return calendar(*events)


def _upload(client, team_, types_, data: bytes):
    return client.post(
        f"/staff/teams/{team_.slug}/import-ics",
        data={
            "csrf_token": csrf_token(client),
            "event_type": str(types_["public-meeting"].id),
            "file": (BytesIO(data), "team-calendar.ics"),
        },
        content_type="multipart/form-data",
    )


def test_a_big_upload_is_imported_by_the_worker_and_its_page_shows_progress(client, db, login_as, officer, team, types):
    login_as(officer)
    response = _upload(client, team, types, _many(limits.INLINE_MAX_EVENTS + 10))
    assert response.status_code == 302 and "/imports/" in response.headers["Location"]
    assert count(db, Event) == 0  # nothing happened inside the request
    waiting = client.get(response.headers["Location"])
    page = waiting.get_data(as_text=True)
    assert waiting.status_code == 200
    assert "Waiting to start" in page and ">Check again</a>" in page and "http-equiv" not in page
    job = db.session.scalars(db.select(ImportJob)).one()
    assert job.status == QUEUED and job.filename == "team-calendar.ics" and job.team_id == team.id

    assert run_once()["events-imports"] == 1
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.status == DONE and job.data == b"" and job.events == limits.INLINE_MAX_EVENTS + 10
    assert count(db, Event) == limits.INLINE_MAX_EVENTS + 10
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Events imported" in done and "Created 60, updated 0, skipped 0." in done and "Check again" not in done
    assert "team-calendar.ics" in client.get(f"/staff/teams/{team.slug}/import-ics").get_data(as_text=True)


def test_a_big_upload_with_one_bad_event_imports_nothing(client, db, login_as, officer, team, types):
    login_as(officer)
    response = _upload(client, team, types, _many(80, broken_at=77))
    assert response.status_code == 302
    run_import_jobs()
    db.session.expire_all()
    job = db.session.scalars(db.select(ImportJob)).one()
    assert job.status == FAILED and job.data == b""
    assert "Event “Surgery 77” at line" in job.error and "lasts more than 14 days" in job.error
    assert count(db, Event) == 0 and count(db, Occurrence) == 0
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The file could not be imported" in page and "Surgery 77" in page


def test_a_failure_while_saving_rolls_back_every_event(app, db, team, types, officer):
    """The worker writes events and outcome in one transaction: event 50 is refused after 49 were written, so none stay."""
    data = _many(60).replace(b"SUMMARY:Surgery 49\r\n", b"SUMMARY:" + b"Long " * 40 + b"\r\n")
    job = queue_import(team, data, filename="x.ics", actor=officer, default_type=types["public-meeting"])
    db.session.commit()
    assert run_import_jobs() == 1
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.status == FAILED and "The title must be 120 characters or fewer" in job.error
    assert "at line 298, UID big-49@example.org" in job.error
    assert count(db, Event) == 0 and count(db, Occurrence) == 0


def test_a_job_whose_worker_died_is_taken_again_and_given_up_after_three_tries(db, team, types, officer):
    job = queue_import(team, _many(3), filename="x.ics", actor=officer, default_type=types["public-meeting"])
    job.status, job.started_at, job.attempts = RUNNING, datetime.now(UTC) - timedelta(hours=1), 1
    db.session.commit()
    assert run_import_jobs() == 1
    assert db.session.get(ImportJob, job.id).status == DONE and count(db, Event) == 3
    stuck = queue_import(team, _many(3), filename="y.ics", actor=officer, default_type=types["public-meeting"])
    stuck.status, stuck.started_at, stuck.attempts = RUNNING, datetime.now(UTC) - timedelta(hours=1), 3
    db.session.commit()
    assert run_import_jobs() == 0
    assert db.session.get(ImportJob, stuck.id).status == FAILED


def test_job_pages_belong_to_their_team(app, client, db, login_as, officer, outsider, team, other_team, types):
    job = queue_import(team, _many(1), filename="x.ics", actor=officer, default_type=types["public-meeting"])
    db.session.commit()
    login_as(outsider)
    assert client.get(f"/staff/teams/{team.slug}/imports/{job.id}").status_code == 403
    assert client.get(f"/staff/teams/{other_team.slug}/imports/{job.id}").status_code == 404  # not their team's job
    assert client.get(f"/staff/teams/{other_team.slug}/imports/999999").status_code == 404


def test_the_cli_prints_its_progress(app, db, tmp_path, team, types):
    path = tmp_path / "big.ics"
    path.write_bytes(_many(250))
    result = app.test_cli_runner().invoke(args=["events", "import-ics", "--team", team.slug, str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Checked ") and "250 events, 250 dates" in lines[0]
    assert "  saved 100 of 250 events" in lines and "  saved 250 of 250 events" in lines
    assert "Created 250, updated 0, skipped 0." in lines
