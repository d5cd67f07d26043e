"""Incremental feeds (issue 21): stored entries per event version, per-team versions, the fast path.

The served feed is assembled from stored VEVENT bytes; it must equal, byte for byte, the feed
built in one go from the ORM (the construction the calendar tests were written against).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import func, select

from engagement.core.db import utcnow
from engagement.core.http_cache import read_engine
from engagement.events import series
from engagement.events.calendar_feeds import FEED_CACHE, FeedFilters, _serve, build_whole
from engagement.events.details import When
from engagement.events.feed_fragments import FeedFragment
from engagement.events.models import EventType, Occurrence
from engagement.events.recurrence import RepeatPattern
from tests.events.test_ical import at, dataset, next_weekday  # noqa: F401 - dataset is a fixture
from tests.support.queries import count_queries


@contextmanager
def feed_queries(db):
    """Statements on both engines a feed request may use: the fast-path reader and the main one."""
    with count_queries(read_engine()) as reads, count_queries(db.engine) as writes:
        seen: dict[str, list] = {"reads": reads, "writes": writes}
        yield seen


def served(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.data
    return response.data


FEEDS = [
    ("/calendar.ics", FeedFilters(), None),
    ("/teams/ladywood/calendar.ics", FeedFilters(["ladywood"]), "ladywood"),
    (
        "/calendar.ics?type=cuppa-with-a-copper&area=Birmingham",
        FeedFilters((), ["cuppa-with-a-copper"], ["Birmingham"]),
        None,
    ),
]


def test_served_feed_is_byte_identical_to_the_feed_built_in_one_go(app, client, db, dataset, officer):  # noqa: F811
    now = utcnow()
    for url, filters, slug in FEEDS:
        cold = served(client, url)  # builds and stores every entry
        FEED_CACHE.clear()
        warm = served(client, url)  # assembled from the stored entries
        assert cold == warm == build_whole(filters, now, team_slug=slug), url
    assert db.session.scalar(select(func.count()).select_from(FeedFragment)) > 0
    moved = db.session.get(Occurrence, dataset["moved"].id)
    day = moved.original_local_start.date()
    series.move_occurrence(moved, actor=officer, when=When(at(day, 19), at(day, 20, 30)), now=now)
    db.session.commit()
    after = served(client, "/calendar.ics")
    assert after == build_whole(FeedFilters(), utcnow()) and after != warm
    assert b"DTSTART;TZID=Europe/London:" + f"{day:%Y%m%d}T190000".encode() in after


def test_entries_follow_the_clock_as_dates_leave_the_feed(app, db, dataset):  # noqa: F811
    """A cancelled date leaves 30 days after it, the others after 90: stored entries expire with them."""
    filters = FeedFilters()
    for days in (0, 40, 100, 400):
        later = utcnow() + timedelta(days=days)
        FEED_CACHE.clear()
        with app.test_request_context("/calendar.ics"):
            assert _serve(filters, None, later).get_data() == build_whole(filters, later), days


def test_an_edit_in_one_team_leaves_the_other_teams_feed_valid(client, db, make_event, other_team, types, outsider):
    from engagement.events.details import EventDetails
    from engagement.events.services import create_event

    day = next_weekday(2)
    ladywood = make_event(at(day, 10), at(day, 11), title="Ladywood surgery")
    create_event(
        actor=outsider,
        details=EventDetails(
            team=other_team,
            event_type=types["police-surgery"],
            title="Foleshill surgery",
            online_url="https://meet.example.org/foleshill",
        ),
        when=When(at(day, 14), at(day, 15)),
        publish=True,
    )
    db.session.commit()
    feeds = {slug: client.get(f"/teams/{slug}/calendar.ics") for slug in ("ladywood", "foleshill")}
    whole = client.get("/calendar.ics")
    builds = FEED_CACHE.builds
    ladywood.title = "Ladywood surgery (moved upstairs)"
    db.session.commit()
    foleshill = client.get(
        "/teams/foleshill/calendar.ics", headers={"If-None-Match": feeds["foleshill"].headers["ETag"]}
    )
    assert foleshill.status_code == 304
    again = client.get("/teams/foleshill/calendar.ics")
    assert again.data == feeds["foleshill"].data and FEED_CACHE.builds == builds  # its cached body still serves
    changed = client.get("/teams/ladywood/calendar.ics", headers={"If-None-Match": feeds["ladywood"].headers["ETag"]})
    assert changed.status_code == 200 and b"moved upstairs" in changed.data
    assert client.get("/calendar.ics", headers={"If-None-Match": whole.headers["ETag"]}).status_code == 200
    # An event type is in every feed: renaming it changes them all.
    surgery = db.session.get(EventType, types["police-surgery"].id)
    surgery.name = "Police surgery (drop-in)"
    db.session.commit()
    renamed = client.get("/teams/foleshill/calendar.ics", headers={"If-None-Match": again.headers["ETag"]})
    assert renamed.status_code == 200 and str(
        Calendar.from_ical(renamed.data).walk("VEVENT")[0]["CATEGORIES"].cats[0]
    ) == ("Police surgery (drop-in)")


def _grow(make_event, count: int, start_day) -> None:
    for n in range(count):
        day = start_day + timedelta(days=n)
        make_event(at(day, 14), at(day, 15), pattern=RepeatPattern("weekly", count=4) if n % 3 == 0 else None)


def _costs(client, db, make_event) -> dict[str, int]:
    """Statements per feed request on each path, after the same kind of change."""
    first = client.get("/calendar.ics")
    with feed_queries(db) as seen:
        assert client.get("/calendar.ics", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    costs = {"304": len(seen["reads"]) + len(seen["writes"])}
    with feed_queries(db) as seen:
        client.get("/calendar.ics")
    costs["cached"] = len(seen["reads"]) + len(seen["writes"])
    FEED_CACHE.clear()
    with feed_queries(db) as seen:
        client.get("/calendar.ics")
    costs["from entries"] = len(seen["reads"]) + len(seen["writes"])
    make_event(at(next_weekday(3), 9), at(next_weekday(3), 10), title="One more")
    with feed_queries(db) as seen:
        client.get("/calendar.ics")
    costs["after a change"] = len(seen["reads"]) + len(seen["writes"])
    costs["writes"] = len(seen["writes"])
    return costs


def test_feed_costs_the_same_statements_at_any_size(client, db, make_event):
    day = next_weekday(2)
    _grow(make_event, 2, day)
    few = _costs(client, db, make_event)
    _grow(make_event, 40, day)
    many = _costs(client, db, make_event)
    assert few == many == {"304": 1, "cached": 1, "from entries": 2, "after a change": 4, "writes": 1}


def test_feed_requests_skip_the_session_and_the_signed_in_user(client, db, make_event, officer, login_as):
    day = next_weekday(2)
    make_event(at(day, 10), at(day, 11))
    login_as(officer)
    with feed_queries(db) as seen:
        response = client.get("/teams/ladywood/calendar.ics")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")
    statements = " ".join(seen["reads"] + seen["writes"]).lower()
    assert "users" not in statements  # Flask-Login never loaded the signed-in officer
    assert client.get("/staff/").status_code == 200  # the session itself is untouched: still signed in


def test_the_daily_prune_removes_entries_of_another_variant_only(app, client, db, make_event):
    from engagement.events.feed_fragments import prune, variant

    day = next_weekday(2)
    event = make_event(at(day, 10), at(day, 11))
    served(client, "/calendar.ics")
    db.session.add(FeedFragment(event_id=event.id, variant="an-old-deploy", version=0, body=b"old"))
    db.session.commit()
    assert prune() == 1
    assert db.session.scalars(select(FeedFragment.variant)).all() == [variant()]


def test_a_reused_version_makes_a_304_free_and_local_writes_show_at_once(app, client, db, make_event):
    """FEEDS_VERSION_SECONDS: the staleness bound is for other processes' writes, never this one's."""
    from sqlalchemy import update

    from engagement.core.versioning import DataVersion
    from engagement.events.feed_fragments import LOCAL_VERSIONS

    app.config["FEEDS_VERSION_SECONDS"] = 60
    day = next_weekday(2)
    event = make_event(at(day, 10), at(day, 11), title="Ladywood surgery")
    first = client.get("/calendar.ics")
    with feed_queries(db) as seen:
        assert client.get("/calendar.ics", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert seen["reads"] == [] and seen["writes"] == []
    event.title = "Ladywood surgery (upstairs)"
    db.session.commit()  # this process's write: its feeds change at once
    second = client.get("/calendar.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and b"upstairs" in second.data
    with db.engine.begin() as other_process:  # a write this process does not see: no session, no hook
        other_process.execute(update(DataVersion).values(version=DataVersion.version + 1))
    assert client.get("/calendar.ics", headers={"If-None-Match": second.headers["ETag"]}).status_code == 304
    LOCAL_VERSIONS.clear()  # as FEEDS_VERSION_SECONDS passing does
    assert client.get("/calendar.ics", headers={"If-None-Match": second.headers["ETag"]}).status_code == 200
