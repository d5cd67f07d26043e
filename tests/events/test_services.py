"""Service tests for events: creation rules, clock changes, revisions, publishing and cancelling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engagement.core.audit import AuditEntry
from engagement.core.errors import DomainError
from engagement.events import series
from engagement.events.details import EventDetails, When
from engagement.events.models import Event, EventType, Occurrence
from engagement.events.recurrence import RepeatPattern
from engagement.events.services import (
    cancel_event,
    create_event,
    ensure_default_types,
    publish_event,
    save_event_type,
    save_venue,
    update_event,
)
from engagement.events.validation import schedule_warnings
from tests.events.conftest import NOW


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def details(team, etype, venue, **extra):
    return EventDetails(**({"team": team, "event_type": etype, "title": "Police surgery", "venue": venue} | extra))


def count(db, model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


# --- creating one-off events ------------------------------------------------------------------


def test_one_off_event_has_one_occurrence_in_utc_and_a_fixed_uid(app, db, make_event):
    event = make_event(datetime(2026, 10, 6, 18, 0), datetime(2026, 10, 6, 19, 30))
    assert event.uid.endswith("@localhost") and len(event.uid) == len("@localhost") + 36
    assert (event.starts_at, event.ends_at) == (utc(2026, 10, 6, 17, 0), utc(2026, 10, 6, 18, 30))  # BST
    assert event.status == "published" and event.revision == 1 and event.rrule is None
    assert [(o.starts_at, o.recurrence_id) for o in event.occurrences] == [(utc(2026, 10, 6, 17, 0), "20261006T180000")]
    winter = make_event(datetime(2026, 12, 1, 18, 0), datetime(2026, 12, 1, 19, 30))
    assert winter.starts_at == utc(2026, 12, 1, 18, 0)  # GMT
    actions = db.session.scalars(db.select(AuditEntry.action).where(AuditEntry.target_type == "event")).all()
    assert actions == ["event.create", "event.publish", "event.create", "event.publish"]


def test_missing_end_uses_the_type_default_duration(app, make_event, types):
    event = make_event(datetime(2026, 10, 6, 10, 0), type_slug="cuppa-with-a-copper")
    assert types["cuppa-with-a-copper"].default_duration_minutes == 60
    assert event.ends_at - event.starts_at == timedelta(minutes=60)


def test_all_day_event_runs_midnight_to_midnight_local(app, make_event):
    event = make_event(datetime(2026, 10, 10), datetime(2026, 10, 12), all_day=True, title="Leaflet drop weekend")
    assert event.all_day and event.starts_at == utc(2026, 10, 9, 23, 0) and event.ends_at == utc(2026, 10, 11, 23, 0)


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (datetime(2026, 10, 6, 18, 0), datetime(2026, 10, 6, 17, 0), "end_time"),
        (datetime(2026, 10, 6, 18, 0), datetime(2026, 10, 6, 18, 0), "end_time"),
        (datetime(2026, 10, 6, 18, 0), datetime(2026, 10, 30, 18, 0), "end_date"),
    ],
)
def test_end_before_start_is_refused_and_nothing_saved(app, db, make_event, start, end, field):
    with pytest.raises(DomainError) as caught:
        make_event(start, end)
    db.session.rollback()
    assert caught.value.field == field
    assert count(db, Event) == 0 and count(db, Occurrence) == 0


def test_html_in_title_is_refused_and_description_is_cleaned(app, db, make_event):
    with pytest.raises(DomainError) as caught:
        make_event(datetime(2026, 10, 6, 18, 0), title="<script>alert(1)</script>Surgery")
    assert caught.value.field == "title" and "HTML" in caught.value.message
    db.session.rollback()
    event = make_event(
        datetime(2026, 10, 6, 18, 0),
        title="Fish & chips < 5 quid",
        description="> Bring ID & <b>a friend</b><script>alert(1)</script>\n\n* tea\n* cake",
    )
    assert event.title == "Fish & chips < 5 quid"
    assert event.description == "> Bring ID & a friend\n\n* tea\n* cake"


def test_oversized_text_is_refused(app, db, make_event):
    with pytest.raises(DomainError) as caught:
        make_event(datetime(2026, 10, 6, 18, 0), title="x" * 121)
    assert caught.value.field == "title"
    db.session.rollback()
    with pytest.raises(DomainError) as caught:
        make_event(datetime(2026, 10, 6, 18, 0), description="word " * 1001)
    assert caught.value.field == "description"


def test_place_contact_and_team_rules(app, db, make_event, other_team, outsider, make_user):
    with pytest.raises(DomainError, match="Choose a venue, or give a joining link"):
        make_event(datetime(2026, 10, 6, 18, 0), venue=None)
    db.session.rollback()
    with pytest.raises(DomainError, match="starting with https://"):
        make_event(datetime(2026, 10, 6, 18, 0), venue=None, online_url="javascript:alert(1)")
    db.session.rollback()
    online = make_event(datetime(2026, 10, 6, 18, 0), venue=None, online_url="https://teams.example.org/meet/1")
    assert online.venue_id is None and online.online_url == "https://teams.example.org/meet/1"
    with pytest.raises(DomainError) as caught:
        make_event(datetime(2026, 10, 6, 18, 0), contact=outsider)
    assert caught.value.field == "contact"
    db.session.rollback()
    with pytest.raises(DomainError) as caught:
        make_event(datetime(2026, 10, 6, 18, 0), team=other_team)  # the officer is not in Foleshill
    assert caught.value.field == "team"
    db.session.rollback()
    foleshill_venue = save_venue(
        None, actor=outsider, team=other_team, name="Foleshill Library", address="", postcode="CV6 5AB"
    )
    with pytest.raises(DomainError) as caught:
        make_event(datetime(2026, 10, 6, 18, 0), venue=foleshill_venue)
    assert caught.value.field == "venue"
    db.session.rollback()
    coordinator = make_user(role="coordinator")
    assert (
        make_event(
            datetime(2026, 10, 6, 18, 0),
            team=other_team,
            venue=None,
            contact=None,
            actor=coordinator,
            online_url="https://example.org/x",
        ).team_id
        == other_team.id
    )


def test_inactive_type_cannot_be_chosen_for_new_events(app, db, make_event, types):
    types["public-meeting"].active = False
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        make_event(datetime(2026, 10, 6, 18, 0), type_slug="public-meeting")
    assert caught.value.field == "event_type"


# --- clock changes ----------------------------------------------------------------------------


def test_ambiguous_time_uses_the_first_bst_one_and_warns(app, make_event):
    when = When(datetime(2027, 10, 31, 1, 30), datetime(2027, 10, 31, 2, 30))
    assert schedule_warnings(when) == [
        "That time (01:30) happens twice on Sunday 31 October 2027 because the clocks go back. "
        "The first one (01:30 BST) will be used."
    ]
    event = make_event(when.start, when.end)
    assert event.starts_at == utc(2027, 10, 31, 0, 30)
    assert event.ends_at - event.starts_at == timedelta(hours=2)  # 01:30 BST to 02:30 GMT


def test_missing_time_is_shifted_forward_and_warns(app, make_event):
    when = When(datetime(2027, 3, 28, 1, 30), datetime(2027, 3, 28, 3, 0))
    assert schedule_warnings(when) == [
        "That time (01:30) does not exist on Sunday 28 March 2027 because the clocks go forward. "
        "It will be treated as 02:30 BST."
    ]
    event = make_event(when.start, when.end)
    assert event.starts_at == utc(2027, 3, 28, 1, 30)  # = 02:30 BST
    assert schedule_warnings(When(datetime(2027, 3, 30, 18, 0), datetime(2027, 3, 30, 19, 0))) == []


def test_weekly_18_00_series_stays_18_00_across_both_clock_changes(app, make_event):
    event = make_event(
        datetime(2026, 9, 1, 18, 0),
        datetime(2026, 9, 1, 19, 30),
        pattern=RepeatPattern("weekly", until=datetime(2027, 4, 27).date()),
    )
    rows = {o.recurrence_id[:8]: o for o in event.occurrences}
    assert len(rows) == 35 and event.rrule == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270427T225959Z"
    assert rows["20260901"].starts_at == utc(2026, 9, 1, 17, 0)  # BST
    assert rows["20261020"].starts_at == utc(2026, 10, 20, 17, 0)  # last Tuesday before the October change
    assert rows["20261027"].starts_at == utc(2026, 10, 27, 18, 0)  # GMT after 25 October
    assert rows["20270323"].starts_at == utc(2027, 3, 23, 18, 0)
    assert rows["20270330"].starts_at == utc(2027, 3, 30, 17, 0)  # BST after 28 March
    assert rows["20270330"].ends_at == utc(2027, 3, 30, 18, 30)
    assert {series.to_local(o.starts_at).strftime("%H:%M") for o in rows.values()} == {"18:00"}


def test_31st_of_the_month_skips_short_months_with_a_warning(app, make_event):
    pattern = RepeatPattern("monthly_by_date", count=4)
    warnings = schedule_warnings(When(datetime(2026, 10, 31, 10, 0), datetime(2026, 10, 31, 11, 0)), pattern)
    assert warnings[0].startswith("Months without a 31st are skipped (RFC 5545 rule)")
    event = make_event(datetime(2026, 10, 31, 10, 0), datetime(2026, 10, 31, 11, 0), pattern=pattern)
    assert [o.recurrence_id[:8] for o in event.occurrences] == ["20261031", "20261231", "20270131", "20270331"]


def test_nonsense_repeat_patterns_are_refused_with_a_field(app, db, make_event):
    with pytest.raises(DomainError) as caught:
        make_event(datetime(2026, 10, 13, 18, 0), pattern=RepeatPattern("monthly_by_weekday", 1, count=3))
    assert caught.value.field == "weekday_position" and "second Tuesday" in caught.value.message
    db.session.rollback()
    with pytest.raises(DomainError) as caught:
        make_event(datetime(2026, 10, 13, 18, 0), pattern=RepeatPattern("weekly", until=datetime(2026, 10, 1).date()))
    assert caught.value.field == "repeat_until"
    db.session.rollback()
    assert count(db, Event) == 0


# --- the rolling horizon ------------------------------------------------------------------------


def test_series_rows_stop_at_the_horizon_and_the_worker_extends_them_idempotently(app, db, make_event):
    event = make_event(
        datetime(2026, 9, 1, 18, 0), datetime(2026, 9, 1, 19, 0), pattern=RepeatPattern("weekly", count=150)
    )
    first_ids = [o.id for o in event.occurrences]
    assert len(first_ids) == 53  # 1 Sep 2026 to 31 Aug 2027 (12 months after NOW)
    assert event.horizon_end == utc(2027, 9, 1, 17, 0)  # 12 months after the first date, which is after NOW
    assert series.extend_horizons(now=NOW) == 0  # nothing due yet
    later = NOW + timedelta(days=30)
    assert series.extend_horizons(now=later) == 1
    assert series.extend_horizons(now=later) == 0  # idempotent
    db.session.expire_all()
    rows = db.session.scalars(
        db.select(Occurrence).where(Occurrence.event_id == event.id).order_by(Occurrence.starts_at)
    ).all()
    assert len(rows) == 57 and [o.id for o in rows[:53]] == first_ids
    assert rows[-1].recurrence_id == "20270928T180000"
    assert series.extend_horizons(now=NOW + timedelta(days=365 * 3)) == 1
    db.session.expire_all()
    assert count(db, Occurrence) == 150 and db.session.get(Event, event.id).horizon_end is None


def test_series_starting_beyond_the_horizon_still_gets_its_first_year(app, make_event):
    event = make_event(
        datetime(2028, 1, 4, 18, 0), datetime(2028, 1, 4, 19, 0), pattern=RepeatPattern("weekly", count=60)
    )
    assert len(event.occurrences) == 53 and event.occurrences[0].recurrence_id == "20280104T180000"


# --- revisions, publishing, cancelling ----------------------------------------------------------


def test_revision_rises_only_for_time_place_and_status(app, db, make_event, types, team, venue, other_venue, officer):
    event = make_event(datetime(2026, 10, 6, 18, 0), datetime(2026, 10, 6, 19, 0), publish=False)
    row = event.occurrences[0]
    assert (event.revision, row.revision) == (0, 0)

    def edit(when=None, **changes):
        values = {
            "team": team,
            "event_type": types["police-surgery"],
            "title": event.title,
            "venue": event.venue,
            "contact": officer,
            "capacity": event.capacity,
            "description": event.description,
        } | changes
        result = update_event(event, actor=officer, details=EventDetails(**values), when=when, now=NOW)
        db.session.commit()
        return result

    assert edit(title="Police surgery with PCSO Khan", capacity=20, description="Tea provided") == [
        "capacity",
        "description",
        "title",
    ]
    assert (event.revision, row.revision) == (0, 0)
    assert edit(venue=other_venue) == ["place", "venue_id"] and event.revision == 1
    assert edit(when=When(datetime(2026, 10, 6, 18, 30), datetime(2026, 10, 6, 19, 30))) == ["time"]
    assert (event.revision, row.revision) == (2, 1) and row.starts_at == utc(2026, 10, 6, 17, 30)
    assert edit() == [] and event.revision == 2
    publish_event(event, actor=officer, now=NOW)
    assert event.revision == 3 and event.published_at == NOW
    publish_event(event, actor=officer, now=NOW)  # a double tap changes nothing
    assert event.revision == 3
    cancel_event(event, actor=officer, reason="Cancelled due to operational demands", now=NOW)
    assert event.revision == 4 and row.is_cancelled and row.cancel_message == "Cancelled due to operational demands"
    with pytest.raises(DomainError, match="cancelled"):
        edit(title="Back on")


def test_publishing_a_past_event_is_refused_with_a_reason(app, db, make_event):
    event = make_event(datetime(2026, 8, 4, 18, 0), datetime(2026, 8, 4, 19, 30), publish=False)
    with pytest.raises(DomainError) as caught:
        publish_event(event, actor=None, now=NOW)
    assert caught.value.message == (
        "This event is in the past (it ended on Tuesday 4 August 2026, 7:30pm), so it cannot be published. "
        "Change the date, or duplicate it for a new date."
    )
    assert event.status == "draft"
    running = make_event(datetime(2026, 8, 4, 18, 0), pattern=RepeatPattern("weekly", count=10), publish=False)
    assert publish_event(running, actor=None, now=NOW).status == "published"  # later dates are still to come


def test_cancelling_a_series_leaves_dates_that_already_happened_alone(app, db, make_event):
    event = make_event(datetime(2026, 8, 18, 18, 0), pattern=RepeatPattern("weekly", count=6))
    cancel_event(event, actor=None, reason="  Cancelled due to <b>operational</b> demands ", now=NOW)
    assert event.cancel_reason == "Cancelled due to operational demands" and event.horizon_end is None
    assert [o.is_cancelled for o in event.occurrences] == [False, False, True, True, True, True]
    with pytest.raises(DomainError, match="already cancelled"):
        cancel_event(event, actor=None, reason="again", now=NOW)
    with pytest.raises(DomainError) as caught:
        cancel_event(make_event(datetime(2026, 10, 6, 18, 0)), actor=None, reason="", now=NOW)
    assert caught.value.field == "reason"


def test_past_events_cannot_be_cancelled(app, make_event):
    event = make_event(datetime(2026, 8, 4, 18, 0), publish=False)
    with pytest.raises(DomainError, match="already happened"):
        cancel_event(event, actor=None, reason="Too late", now=NOW)


# --- event types and venues ---------------------------------------------------------------------


def test_default_types_are_seeded_once(app, db):
    assert ensure_default_types() == 5
    assert ensure_default_types() == 0
    slugs = db.session.scalars(db.select(EventType.slug).order_by(EventType.slug)).all()
    assert slugs == [
        "community-speed-watch",
        "cuppa-with-a-copper",
        "neighbourhood-watch-meeting",
        "police-surgery",
        "public-meeting",
    ]


def test_admin_adds_an_event_type_without_code_changes(app, db, types, make_user):
    admin = make_user(role="admin")
    etype = save_event_type(
        None,
        actor=admin,
        name="Leaflet drop",
        slug="",
        description="Door to door.",
        default_duration_minutes=120,
        default_signup_mode="volunteers",
    )
    assert (etype.slug, etype.default_signup_mode, etype.active) == ("leaflet-drop", "volunteers", True)
    with pytest.raises(DomainError) as caught:
        save_event_type(
            None,
            actor=admin,
            name="Police surgery",
            slug="other",
            description="",
            default_duration_minutes=60,
            default_signup_mode="none",
        )
    assert caught.value.field == "name"
    with pytest.raises(DomainError) as caught:
        save_event_type(
            None,
            actor=admin,
            name="X",
            slug="Bad Slug",
            description="",
            default_duration_minutes=60,
            default_signup_mode="none",
        )
    assert caught.value.field == "slug"


def test_venue_rules(app, db, team, officer, make_user):
    with pytest.raises(DomainError) as caught:
        save_venue(None, actor=officer, team=team, name="Library", address="", postcode="B16")
    assert caught.value.field == "postcode"
    with pytest.raises(DomainError) as caught:
        save_venue(None, actor=officer, team=None, name="Shared hall", address="", postcode="B1 1AA")
    assert caught.value.field == "team"
    with pytest.raises(DomainError) as caught:
        save_venue(None, actor=officer, team=team, name="Hall", address="", postcode="B1 1AA", latitude=52.4)
    assert caught.value.field == "latitude"
    shared = save_venue(
        None,
        actor=make_user(role="coordinator"),
        team=None,
        name="Council House",
        address="Victoria Square",
        postcode="b1 1bb",
        step_free=True,
    )
    assert (shared.team_id, shared.postcode, shared.step_free, shared.parking) == (None, "B1 1BB", True, False)


def test_create_event_is_audited_with_the_actor(app, db, make_event, officer):
    event = make_event(datetime(2026, 10, 6, 18, 0), publish=False)
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "event.create"))
    assert (entry.actor_id, entry.target_id, entry.summary) == (officer.id, str(event.id), "Police surgery")


def test_create_event_needs_a_type(app, db, team, venue, officer):
    with pytest.raises(DomainError) as caught:
        create_event(
            actor=officer, details=details(team, None, venue), when=When(datetime(2026, 10, 6, 18, 0)), now=NOW
        )
    assert caught.value.field == "event_type"
