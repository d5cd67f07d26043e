"""data.police.uk interop: /teams/<slug>/events.json out, `flask events import-police-uk` in, and the round trip."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from engagement.core.audit import AuditEntry
from engagement.events import series
from engagement.events.details import When
from engagement.events.models import Event, Venue
from engagement.events.recurrence import RepeatPattern
from engagement.events.services import cancel_event, save_venue
from tests.events.conftest import NOW
from tests.events.test_query_counts import add_events
from tests.support.queries import count_queries

ITEM_KEYS = {"title", "description", "address", "type", "start_date", "end_date", "contact_details"}


def ahead(days: int, hour: int, minute: int = 0) -> datetime:
    """A naive UK wall time `days` from today: police.uk only lists what is still to come."""
    return datetime.combine(date.today() + timedelta(days=days), time(hour, minute))


def next_summer_day() -> date:
    """The next 6 July at least a week away: a BST date."""
    today = date.today()
    day = date(today.year, 7, 6)
    return day if day > today + timedelta(days=7) else date(today.year + 1, 7, 6)


def export(client, slug: str, status: int = 200):
    response = client.get(f"/teams/{slug}/events.json")
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response


def run_import(app, db, tmp_path, slug: str, payload, *options: str):
    path = tmp_path / "events.json"
    if isinstance(payload, bytes):
        path.write_bytes(payload)
    else:
        path.write_text(payload if isinstance(payload, str) else json.dumps(payload), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["events", "import-police-uk", "--team", slug, *options, str(path)])
    db.session.rollback()  # see what the command committed
    return result


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def contactable_team(db, team):
    team.contact_phone = "0121 626 5000"
    db.session.commit()
    return team


@pytest.fixture
def empty_team(make_team):
    return make_team(name="Edgbaston", coverage=["B15"], contact_email="edgbaston.npt@example.org")


# --- export ------------------------------------------------------------------------------


def test_export_lists_upcoming_public_dates_in_the_police_uk_format(client, db, make_event, contactable_team):
    summer = next_summer_day()
    make_event(
        datetime.combine(summer, time(18)),
        datetime.combine(summer, time(19, 30)),
        title="Summer surgery",
        description="**Bring** a [friend](https://example.org/friends).\n\n- tea\n- cake",
    )
    [item] = export(client, contactable_team.slug).get_json()
    assert set(item) == ITEM_KEYS
    assert item == {
        "title": "Summer surgery",
        "description": "Bring a friend (https://example.org/friends).\n\n- tea\n- cake",
        "address": "Ladywood Community Library, Ladywood Middleway, B16 8HA",
        "type": "police-surgery",
        "start_date": f"{summer.isoformat()}T18:00:00",
        "end_date": f"{summer.isoformat()}T19:30:00",
        "contact_details": {"email": "ladywood.npt@example.org", "telephone": "0121 626 5000"},
    }


def test_export_expands_series_and_leaves_out_past_cancelled_draft_and_other_teams_events(
    client, db, make_event, officer, team, other_team, outsider, other_venue
):
    weekly = make_event(ahead(7, 18), ahead(7, 19), pattern=RepeatPattern("weekly", count=4), title="Weekly")
    series.cancel_occurrence(weekly.occurrences[1], actor=officer, reason="Operational demands", now=NOW)
    moved = weekly.occurrences[2].original_local_start + timedelta(hours=1)
    series.move_occurrence(
        weekly.occurrences[2], actor=officer, when=When(moved, moved + timedelta(hours=1)), venue=other_venue, now=NOW
    )
    make_event(ahead(-2, 10), title="Already happened")
    make_event(ahead(3, 10), title="Draft", publish=False)
    cancel_event(make_event(ahead(4, 10), title="Called off"), actor=officer, reason="Venue closed", now=NOW)
    make_event(ahead(5, 10), venue=None, online_url="https://meet.example.org/ladywood", title="Online")
    foleshill = save_venue(None, actor=None, team=other_team, name="Foleshill Library", address="", postcode="CV6 5AA")
    make_event(ahead(5, 11), team=other_team, venue=foleshill, contact=outsider, actor=outsider, title="Foleshill")
    db.session.commit()

    items = export(client, team.slug).get_json()
    assert [(i["title"], i["start_date"][11:]) for i in items] == [
        ("Online", "10:00:00"),
        ("Weekly", "18:00:00"),
        ("Weekly", "19:00:00"),
        ("Weekly", "18:00:00"),
    ]
    assert items[0]["address"] == "Online: https://meet.example.org/ladywood"
    assert items[2]["address"] == "St John's Church Hall, Monument Road, B16 8UU"
    assert items[1]["start_date"] == ahead(7, 18).isoformat()
    assert {i["contact_details"]["email"] for i in items} == {"ladywood.npt@example.org"}
    assert "telephone" not in items[0]["contact_details"]  # the team gave none


def test_export_of_an_unknown_team_is_a_json_404(client):
    body = export(client, "no-such-team", status=404).get_json()
    assert body == {"error": "There is no team called 'no-such-team'. See /teams for the list.", "status": 404}


def test_export_is_readable_from_other_sites_and_costs_the_same_for_1_and_200_events(
    app, db, client, types, team, officer
):
    slug = team.slug  # read now: the fixture object expires on commit and would reload inside the count

    def measure():
        export(client, slug)
        with count_queries(db.engine) as statements:
            response = export(client, slug)
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        return len(statements), response.get_json()

    add_events(db, team, types, [officer], 1, 0)
    one, items = measure()
    assert len(items) == 2  # a short series with one of its three dates cancelled
    add_events(db, team, types, [officer], 199, 1)
    many, items = measure()
    assert len(items) > 200
    assert one == many == 2  # the team, then its dates


# --- import ------------------------------------------------------------------------------


def item(title: str, start: datetime, end: datetime | None = None, **extra) -> dict:
    values = {
        "title": title,
        "description": "Come and talk to us.",
        "address": "Ladywood Community Library, Ladywood Middleway, B16 8HA",
        "type": "Police surgery",
        "start_date": start.isoformat(),
        "end_date": (end or start + timedelta(hours=1)).isoformat(),
        "contact_details": {"email": "someone.else@example.org"},
    }
    return values | extra


def test_import_creates_published_one_off_events_in_uk_time(app, db, tmp_path, types, empty_team):
    summer = datetime.combine(next_summer_day(), time(18))
    payload = [
        item("Summer surgery", summer, type="POLICE SURGERY"),
        item("Cuppa", ahead(10, 10, 30), type="cuppa-with-a-copper", address="Canal Café, Gas Street, B1 2JT"),
        item("Street meeting", ahead(11, 19), type="meeting", address="Outside the Co-op, Broad Street"),
        item("Online chat", ahead(12, 19), address="Online: https://meet.example.org/chat", end_date=None),
    ]
    result = run_import(app, db, tmp_path, empty_team.slug, payload)
    assert result.exit_code == 0, result.output
    assert "Created 4, updated 0, unchanged 0, skipped 0." in result.output

    events = {e.title: e for e in db.session.scalars(select(Event).where(Event.team_id == empty_team.id)).all()}
    assert set(events) == {"Summer surgery", "Cuppa", "Street meeting", "Online chat"}
    assert all(e.status == "published" and e.published_at and not e.is_series for e in events.values())
    assert all(e.uid.startswith("policeuk-") and e.uid.endswith("@localhost") for e in events.values())
    bst = events["Summer surgery"]
    assert bst.starts_at == datetime.combine(summer.date(), time(17), tzinfo=UTC)  # 18:00 BST
    assert bst.occurrences[0].starts_at == bst.starts_at
    assert bst.event_type.slug == "police-surgery" and bst.description == "Come and talk to us."
    assert events["Cuppa"].event_type.slug == "cuppa-with-a-copper"
    assert events["Street meeting"].event_type.slug == "public-meeting"  # unknown type
    online = events["Online chat"]
    assert online.venue is None and online.online_url == "https://meet.example.org/chat"
    assert online.ends_at - online.starts_at == timedelta(minutes=90)  # the type's usual length

    cafe = events["Cuppa"].venue
    assert (cafe.name, cafe.address, cafe.postcode, cafe.team_id) == (
        "Canal Café",
        "Gas Street",
        "B1 2JT",
        empty_team.id,
    )
    street = events["Street meeting"].venue
    assert (street.name, street.address, street.postcode) == ("Outside the Co-op", "Broad Street", "")
    # One venue per distinct address (the online item has none): library, café, street corner.
    assert count(db, Venue, Venue.team_id == empty_team.id) == 3


def test_reimporting_the_same_file_updates_instead_of_duplicating(app, db, tmp_path, types, empty_team):
    payload = [item("Surgery", ahead(10, 18)), item("Cuppa", ahead(11, 10), type="Cuppa with a Copper")]
    assert run_import(app, db, tmp_path, empty_team.slug, payload).exit_code == 0
    uids = set(db.session.scalars(select(Event.uid)).all())

    again = run_import(app, db, tmp_path, empty_team.slug, payload)
    assert again.exit_code == 0, again.output
    assert "Created 0, updated 0, unchanged 2, skipped 0." in again.output

    payload[0]["description"] = "Now with free tea."
    payload[0]["end_date"] = ahead(10, 20).isoformat()
    payload[1]["address"] = "Canal Café, Gas Street, B1 2JT"
    changed = run_import(app, db, tmp_path, empty_team.slug, payload)
    assert "Created 0, updated 2, unchanged 0, skipped 0." in changed.output, changed.output
    assert set(db.session.scalars(select(Event.uid)).all()) == uids
    surgery = db.session.scalar(select(Event).where(Event.title == "Surgery"))
    assert surgery.description == "Now with free tea." and surgery.revision == 2  # published, then re-timed
    assert to_local_naive(surgery.ends_at) == ahead(10, 20)
    assert db.session.scalar(select(Event).where(Event.title == "Cuppa")).venue.name == "Canal Café"


def to_local_naive(value: datetime) -> datetime:
    from engagement.core.timeutil import to_local

    return to_local(value).replace(tzinfo=None)


def test_import_reuses_a_venue_whose_address_matches(app, db, tmp_path, types, team, venue):
    result = run_import(app, db, tmp_path, team.slug, [item("Surgery", ahead(10, 18), address=venue.one_line.upper())])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Event)).venue_id == venue.id
    assert count(db, Venue) == 1


def test_past_and_repeated_items_are_skipped_with_reasons(app, db, tmp_path, types, empty_team):
    payload = [
        item("Last year", ahead(-300, 18)),
        item("Surgery", ahead(10, 18)),
        item("Surgery", ahead(10, 18), description="The same event again"),
    ]
    result = run_import(app, db, tmp_path, empty_team.slug, payload)
    assert result.exit_code == 0, result.output
    assert "Created 1, updated 0, unchanged 0, skipped 2." in result.output
    assert "skipped: item 1 (index 0, “Last year”): already over" in result.output
    assert "skipped: item 3 (index 2, “Surgery”): same title and start as item 2 (index 1)" in result.output
    assert count(db, Event) == 1


def test_an_event_cancelled_here_is_not_changed_by_a_reimport(app, db, tmp_path, types, empty_team):
    payload = [item("Surgery", ahead(10, 18))]
    run_import(app, db, tmp_path, empty_team.slug, payload)
    cancel_event(db.session.scalar(select(Event)), actor=None, reason="Venue closed")
    db.session.commit()
    result = run_import(app, db, tmp_path, empty_team.slug, payload)
    assert "skipped: item 1 (index 0, “Surgery”): cancelled on this site, so not changed" in result.output
    assert db.session.scalar(select(Event)).status == "cancelled"


Y = date.today().year + 2  # within the import range (up to five years ahead)
GOOD = item("Fine", datetime(Y, 1, 6, 18, 0))


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ("this is not json", "The file is not valid JSON: Expecting value at line 1, column 1."),
        ('[{"title": "x",', "The file is not valid JSON"),
        (b'[{"title": "caf\xe9"}]', "The file is not UTF-8 text"),  # Latin-1
        ({"title": "x"}, "The file must be a JSON list of events ([...]), not a JSON dict."),
        ([GOOD, "just text"], "item 2 (index 1) must be a JSON object"),
        ([GOOD, {"title": "No date", "address": "Somewhere"}], "item 2 (index 1) has no start_date."),
        ([GOOD, {k: v for k, v in GOOD.items() if k not in ("title", "address")}], "has no title, address."),
        ([GOOD, GOOD | {"title": "Bad", "start_date": f"{Y}-02-30T18:00:00"}], "item 2 (index 1): start_date"),
        ([GOOD, GOOD | {"title": "Bad", "start_date": f"06/01/{Y} 18:00"}], f'start_date "06/01/{Y} 18:00" is not'),
        ([GOOD, GOOD | {"title": "Bad", "start_date": f"{Y}-01-06"}], "is not a date and time like"),
        ([GOOD, GOOD | {"title": "Bad", "start_date": int(f"{Y}0106")}], f"start_date {Y}0106 is not a date and time"),
        ([GOOD, GOOD | {"title": "Bad", "end_date": "yesterday"}], 'end_date "yesterday" is not a date and time'),
        ([GOOD, GOOD | {"title": "Bad", "end_date": f"{Y}-01-06T17:00:00"}], "end_date is not after start_date"),
        ([GOOD, GOOD | {"title": "Bad", "end_date": f"{Y}-02-06T17:00:00"}], "An event can last at most 14 days"),
        ([GOOD, GOOD | {"title": ""}], "item 2 (index 1): title is empty."),
        ([GOOD, GOOD | {"title": "<b>Bold</b> title"}], "Titles are plain text"),
        ([GOOD, GOOD | {"title": "x" * 121}], "The title must be 120 characters or fewer"),
        ([GOOD, GOOD | {"title": "Bad", "description": ["a"]}], "description must be text"),
        ([GOOD, GOOD | {"title": "Bad", "address": ""}], "item 2 (index 1): address is empty."),
        ([GOOD, GOOD | {"title": "Bad", "address": "Online: not a link"}], "joining link"),
        ([GOOD, GOOD | {"title": "Bad", "address": "<b></b>, <i></i>"}], "the address has no text"),
    ],
)
def test_a_bad_file_is_rejected_whole_with_the_reason_and_nothing_is_kept(
    app, db, tmp_path, types, empty_team, payload, reason
):
    audit_before = count(db, AuditEntry)
    result = run_import(app, db, tmp_path, empty_team.slug, payload)
    assert result.exit_code == 1
    assert "rejected, nothing was imported" in result.output
    assert reason in result.output, result.output
    assert count(db, Event) == 0 and count(db, Venue) == 0
    assert count(db, AuditEntry) == audit_before


def test_unknown_team_and_dry_run(app, db, tmp_path, types, empty_team):
    result = run_import(app, db, tmp_path, "atlantis", [GOOD])
    assert result.exit_code == 1 and "There is no team called 'atlantis'" in result.output
    dry = run_import(app, db, tmp_path, empty_team.slug, [GOOD], "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Created 1, updated 0, unchanged 0, skipped 0." in dry.output
    assert "Dry run: nothing was saved." in dry.output
    assert count(db, Event) == 0 and count(db, Venue) == 0


# --- round trip --------------------------------------------------------------------------


def test_round_trip_export_import_export_gives_the_same_items(
    app, db, client, tmp_path, make_event, officer, contactable_team, empty_team, other_venue
):
    summer = datetime.combine(next_summer_day(), time(18))
    weekly = make_event(
        ahead(7, 18),
        ahead(7, 19, 30),
        pattern=RepeatPattern("weekly", count=6),
        title="Police surgery: Café ☕ Ladywood",
        description="Drop in for a chat. **Everyone** is welcome.\n\n- Free tea\n- Leaflets\n\n"
        "More at [our page](https://example.org/ladywood).",
        capacity=20,
    )
    series.cancel_occurrence(weekly.occurrences[1], actor=officer, reason="Operational demands", now=NOW)
    moved = weekly.occurrences[3].original_local_start + timedelta(days=1)
    series.move_occurrence(
        weekly.occurrences[3], actor=officer, when=When(moved, moved + timedelta(hours=2)), venue=other_venue, now=NOW
    )
    make_event(summer, summer + timedelta(hours=2), type_slug="public-meeting", title="Summer public meeting")
    make_event(ahead(9, 10), venue=None, online_url="https://meet.example.org/x", title="Online surgery")
    make_event(ahead(20, 0), ahead(21, 0), all_day=True, type_slug="public-meeting", title="Fun day")
    db.session.commit()

    first = export(client, contactable_team.slug).get_json()
    assert len(first) == 8
    result = run_import(app, db, tmp_path, empty_team.slug, json.dumps(first, ensure_ascii=False))
    assert result.exit_code == 0, result.output
    assert "Created 8, updated 0, unchanged 0, skipped 0." in result.output
    second = export(client, empty_team.slug).get_json()

    def without_contact(items):
        return [{k: v for k, v in i.items() if k != "contact_details"} for i in items]

    assert without_contact(second) == without_contact(first)
    assert {json.dumps(i["contact_details"]) for i in second} == {'{"email": "edgbaston.npt@example.org"}'}
    # And once more: importing the second export into the same team changes nothing.
    again = run_import(app, db, tmp_path, empty_team.slug, json.dumps(second))
    assert "Created 0, updated 0, unchanged 8, skipped 0." in again.output, again.output
