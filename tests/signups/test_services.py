"""Sign-up rules through the services: capacity, the waiting list and promotion, changes, bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engagement.core.db import utcnow
from engagement.core.errors import DomainError
from engagement.events import series
from engagement.events import services as event_services
from engagement.events.details import EventDetails
from engagement.signups import services
from engagement.signups.models import CANCELLED, CONFIRMED, REMINDER_SKIPPED, WAITING, WALK_IN, Signup, SignupSlot
from engagement.signups.queries import attendee_list, counts_for, places_left
from tests.signups.conftest import attachments
from tests.support.outbox import outbox


def slot(db, row) -> SignupSlot:
    db.session.expire_all()
    return db.session.get(SignupSlot, row.id)


def test_books_until_full_then_waiting_list_in_order(db, make_date, book):
    row = make_date(capacity=5)
    a = book(row, places=2)
    b = book(row, places=3)
    c = book(row, places=1)
    d = book(row, places=2)
    assert (a.status, b.status) == (CONFIRMED, CONFIRMED)
    assert (c.status, c.queue_no, d.status, d.queue_no) == (WAITING, 1, WAITING, 2)
    assert slot(db, row).confirmed == 5
    assert places_left([row]) == {row.id: 0}
    assert [services.waiting_position(s) for s in (c, d)] == [1, 2]
    counts = counts_for([row.id])[row.id]
    assert (counts.booked, counts.bookings, counts.waiting, counts.waiting_places) == (5, 2, 2, 3)


def test_all_or_nothing_a_group_that_does_not_fit_waits(db, make_date, book):
    row = make_date(capacity=4)
    book(row, places=2)
    group = book(row, places=3)
    assert group.status == WAITING and slot(db, row).confirmed == 2
    single = book(row, places=2)  # still fits: the waiting group of 3 does not block it
    assert single.status == CONFIRMED and slot(db, row).confirmed == 4


def test_no_limit_confirms_everyone(db, make_date, book):
    row = make_date(capacity=None, mode="optional")
    assert [book(row, places=4).status for _ in range(3)] == [CONFIRMED] * 3
    assert places_left([row]) == {row.id: None}


def test_cancelling_promotes_the_first_that_fits_and_emails_them(db, make_date, book):
    row = make_date(capacity=3)
    first = book(row, places=3)
    waiting_1 = book(row, places=1, email="one@example.org")
    waiting_3 = book(row, places=3, email="three@example.org")
    promoted = services.cancel_signup(first)
    db.session.commit()
    # 3 places free: the 1-place sign-up is first and fits; then 2 are left, too few for the 3.
    assert [s.email for s in promoted] == ["one@example.org"]
    db.session.expire_all()
    assert db.session.get(Signup, waiting_1.id).status == CONFIRMED
    assert db.session.get(Signup, waiting_3.id).status == WAITING
    assert services.waiting_position(db.session.get(Signup, waiting_3.id)) == 1
    assert slot(db, row).confirmed == 1
    mail = outbox(db, "one@example.org")
    assert [m["Subject"] for m in mail] == [
        "You're on the waiting list: Police surgery",
        "A place is yours: Police surgery",
    ]
    assert list(attachments(mail[1])) == ["event.ics"]
    assert [m["Subject"] for m in outbox(db, first.email)][-1] == "Your place is cancelled: Police surgery"


def test_a_three_place_sign_up_behind_a_one_place_one(db, make_date, book):
    """The documented rule: in order, every waiting sign-up that fits; one too big keeps its number."""
    row = make_date(capacity=4)
    a, b, c, d = (book(row, places=1) for _ in range(4))
    big = book(row, places=3)  # number 1 on the list
    small = book(row, places=1)  # number 2
    services.cancel_signup(a)
    db.session.commit()
    db.session.expire_all()
    # One place free: too few for the 3, so the 1-place sign-up behind it gets it.
    assert (db.session.get(Signup, big.id).status, db.session.get(Signup, small.id).status) == (WAITING, CONFIRMED)
    services.cancel_signup(db.session.get(Signup, b.id))
    services.cancel_signup(db.session.get(Signup, c.id))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Signup, big.id).status == WAITING  # 2 free, still too few
    promoted = services.cancel_signup(db.session.get(Signup, d.id))
    db.session.commit()
    assert [s.id for s in promoted] == [big.id]  # now 3 are free
    assert slot(db, row).confirmed == 4


def test_cancel_twice_changes_nothing_more(db, make_date, book):
    row = make_date(capacity=2)
    s = book(row)
    services.cancel_signup(s)
    db.session.commit()
    assert services.cancel_signup(s) == []
    db.session.commit()
    assert slot(db, row).confirmed == 0
    assert db.session.get(Signup, s.id).cancelled_at is not None


def test_fewer_places_promote_more_must_fit(db, make_date, book):
    row = make_date(capacity=4, most=4)
    family = book(row, places=4)
    waiting = book(row, places=1)
    services.change_places(family, 3)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Signup, waiting.id).status == CONFIRMED and slot(db, row).confirmed == 4
    with pytest.raises(DomainError, match="Only 0 more places are free") as exc:
        services.change_places(db.session.get(Signup, family.id), 4)
    assert exc.value.field == "places"
    db.session.rollback()
    assert slot(db, row).confirmed == 4 and db.session.get(Signup, family.id).places == 3


def test_a_waiting_sign_up_that_shrinks_to_fit_is_promoted(db, make_date, book):
    row = make_date(capacity=3, most=4)
    book(row, places=2)
    group = book(row, places=3)
    assert group.status == WAITING
    services.change_places(group, 1)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Signup, group.id).status == CONFIRMED and slot(db, row).confirmed == 3


def test_raising_capacity_promotes_and_lowering_it_moves_nobody(db, make_date, book, officer):
    row = make_date(capacity=2)
    booked = [book(row) for _ in range(2)]
    waiting = [book(row) for _ in range(3)]
    event = row.event

    def details(capacity):
        return EventDetails(
            team=event.team, event_type=event.event_type, title=event.title, venue=event.venue,
            contact=event.contact, capacity=capacity, signup_mode="required", max_places_per_signup=4,
        )  # fmt: skip

    event_services.update_event(event, actor=officer, details=details(4))
    db.session.commit()
    db.session.expire_all()
    statuses = [db.session.get(Signup, s.id).status for s in booked + waiting]
    assert statuses == [CONFIRMED] * 4 + [WAITING]
    assert outbox(db, waiting[0].email)[-1]["Subject"] == "A place is yours: Police surgery"
    event_services.update_event(db.session.get(type(event), event.id), actor=officer, details=details(1))
    db.session.commit()
    db.session.expire_all()
    assert [db.session.get(Signup, s.id).status for s in booked + waiting] == statuses
    assert places_left([db.session.get(type(row), row.id)]) == {row.id: 0}


def test_same_address_twice_is_refused_and_the_owner_emailed(db, make_date, book):
    row = make_date()
    first = book(row, email="Sam@Example.org")
    with pytest.raises(services.AlreadySignedUp) as exc:
        book(row, email="sam@example.org")
    db.session.rollback()
    services.resend_link(exc.value.existing_id)
    db.session.commit()
    subjects = [m["Subject"] for m in outbox(db, "sam@example.org")]
    assert subjects == ["You're booked: Police surgery", "You're already signed up: Police surgery"]
    assert "/bookings/" in outbox(db, "sam@example.org")[-1].get_body(("plain",)).get_content()
    # After cancelling, the same address may sign up again.
    services.cancel_signup(first)
    db.session.commit()
    again = book(row, email="sam@example.org")
    assert again.status == CONFIRMED and again.id != first.id


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter an email address in the correct format"),
        ({"places": 5}, "places", "You can book up to 4 places"),
        ({"places": 0}, "places", "Enter how many places you need"),
        ({"name": "   "}, "name", "Enter your name"),
        ({"name": "<script>x</script>"}, "name", "without < or >"),
        ({"phone": "call me maybe"}, "phone", "Enter a phone number"),
        ({"access_needs": "x" * 501}, "access_needs", "500 characters or fewer"),
    ],
)
def test_bad_input_names_the_field_and_keeps_nothing(db, make_date, kwargs, field, message):
    row = make_date()
    values = {"name": "Ada Resident", "email": "ada@example.org"} | kwargs
    with pytest.raises(DomainError, match=message) as exc:
        services.sign_up(row, **values)
    db.session.rollback()
    assert exc.value.field == field
    assert db.session.scalars(select(Signup)).all() == []


def test_closed_dates_refuse_sign_ups(db, make_date, officer):
    cancelled = make_date(days=12)
    series_free = make_date(days=13, mode="none")
    volunteers = make_date(days=14, mode="volunteers", type_slug="community-speed-watch")
    event_services.cancel_event(cancelled.event, actor=officer, reason="Venue flooded")
    db.session.commit()
    for row, message in (
        (cancelled, "has been cancelled"),
        (series_free, "do not need to sign up"),
        (volunteers, "do not need to sign up"),
    ):
        with pytest.raises(DomainError, match=message):
            services.sign_up(row, name="Ada", email="ada@example.org")
        db.session.rollback()
    started = make_date(days=1)
    with pytest.raises(DomainError, match="already started"):
        services.sign_up(started, name="Ada", email="ada@example.org", now=started.starts_at + timedelta(minutes=1))


def test_walk_ins_are_attended_and_outside_the_bookable_places(db, make_date, book, officer):
    row = make_date(days=3, capacity=2)
    booked = book(row, places=2)
    with pytest.raises(DomainError, match="from the day before"):
        services.add_walk_in(row, actor=officer, name="Too Early", places=1)
    walk_in = services.add_walk_in(row, actor=officer, name="Pat Walker", places=3, now=row.starts_at)
    services.set_attendance(booked, actor=officer, attended=True)
    db.session.commit()
    assert (walk_in.source, walk_in.attended, walk_in.reminder) == (WALK_IN, True, REMINDER_SKIPPED)
    assert slot(db, row).confirmed == 2
    people = attendee_list(row)
    assert [s.name for s in people.confirmed] == ["Pat Walker", booked.name]
    c = people.counts
    assert (c.booked, c.walk_ins, c.attended) == (2, 3, 5)
    services.set_attendance(booked, actor=officer, attended=False)
    assert attendee_list(row).counts.attended == 3


def test_cancelled_sign_ups_cannot_be_marked(db, make_date, book, officer):
    s = book(make_date())
    services.cancel_signup(s)
    with pytest.raises(DomainError, match="was cancelled"):
        services.set_attendance(s, actor=officer, attended=True)


def test_consent_version_and_retention_are_stored(db, make_date, book):
    s = book(make_date())
    assert s.consent_version == "2026-12+90d" and s.consent_at is not None
    with pytest.raises(DomainError, match="form had changed"):
        services.sign_up(make_date(days=11), name="A", email="a@example.org", consent_version="1999")


def test_a_removed_date_tells_residents_then_drops_their_details(db, make_event, book):
    from engagement.events.recurrence import RepeatPattern
    from tests.signups.conftest import at

    start = at(7)
    event = make_event(start, start + timedelta(hours=1), now=utcnow(), pattern=RepeatPattern("weekly", count=3),
                       capacity=5, signup_mode="required")  # fmt: skip
    third = event.occurrences[2]
    s = book(third, email="gone@example.org")
    series.discard([third])
    db.session.commit()
    assert db.session.scalars(select(Signup)).all() == []
    assert db.session.get(SignupSlot, third.id) is None
    mail = outbox(db, "gone@example.org")[-1]
    assert mail["Subject"].startswith("Cancelled: Police surgery")
    ctype, data = attachments(mail)["cancelled.ics"]
    assert ctype == "text/calendar; method=CANCEL" and b"METHOD:CANCEL" in data and s.status == CONFIRMED


def test_occurrence_cancel_marks_calendar_identity_once(db, make_event, book, officer):
    from engagement.events.recurrence import RepeatPattern
    from tests.signups.conftest import at

    start = at(7)
    event = make_event(start, start + timedelta(hours=1), now=utcnow(), pattern=RepeatPattern("weekly", count=3),
                       capacity=5, signup_mode="required")  # fmt: skip
    row = event.occurrences[1]
    book(row, email="x@example.org")
    series.cancel_occurrence(row, actor=officer, reason="Officers needed elsewhere")
    db.session.commit()
    event_services.cancel_event(event, actor=officer, reason="Series ended early")
    db.session.commit()
    subjects = [m["Subject"] for m in outbox(db, "x@example.org")]
    assert len([s for s in subjects if s.startswith("Cancelled:")]) == 1  # told once, not twice
    assert db.session.get(SignupSlot, row.id).told_cancelled is True
    assert services.cancel_signup(db.session.scalars(select(Signup)).one()) == []  # no promotions on a cancelled date
    db.session.rollback()
    assert CANCELLED == "cancelled"


def test_a_one_off_moved_by_editing_the_event_tells_its_residents(db, make_date, book, officer):
    from engagement.events.details import When
    from tests.signups.conftest import at

    row = make_date(days=10)
    book(row, email="oneoff@example.org")
    sequence = row.sequence
    event = row.event
    details = EventDetails(team=event.team, event_type=event.event_type, title=event.title, venue=event.venue,
                           contact=event.contact, capacity=10, signup_mode="required", max_places_per_signup=4)  # fmt: skip
    assert "time" in event_services.update_event(event, actor=officer, details=details, when=When(at(11), at(11, 19)))
    db.session.commit()
    message = outbox(db, "oneoff@example.org")[-1]
    assert message["Subject"] == "Date changed: Police surgery"
    ctype, data = attachments(message)["event.ics"]
    assert ctype == "text/calendar; method=PUBLISH" and f"SEQUENCE:{sequence + 2}".encode() in data


def test_feedback_goes_only_to_booked_people_whose_consent_covered_it(db, make_date, book):
    from engagement.core.hooks import provider

    row = make_date(capacity=2)
    book(row, name="Yes Please", email="yes@example.org")
    book(row, name="Older Words", email="old@example.org", consent_version="2026-11")
    book(row, name="Still Waiting", email="wait@example.org")
    gone = book(make_date(days=11), email="gone@example.org")
    services.cancel_signup(gone)
    db.session.commit()
    assert provider("occurrence.attendees")(row) == [("yes@example.org", "Yes Please", None)]
    assert provider("occurrence.attendees")(gone.occurrence) == []
