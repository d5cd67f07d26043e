"""Residents' pages and the team's pages through HTTP: forms, errors, tokens, permissions."""

from __future__ import annotations

import re

from icalendar import Calendar
from sqlalchemy import func, select

from engagement.core.mail import OutboxMessage
from engagement.events import services as event_services
from engagement.signups import links
from engagement.signups.models import CONFIRMED, WAITING, EventsFeed, Signup
from tests.conftest import csrf_token, email_text
from tests.signups.conftest import soon
from tests.support.html import without_bdi
from tests.support.outbox import outbox


def form_fields(client, row) -> dict:
    page = client.get(f"/events/{row.id}/sign-up").get_data(as_text=True)
    return dict(re.findall(r'name="(csrf_token|request_key|consent_version)" type="hidden" value="([^"]*)"', page))


def submit(client, row, **data):
    values = form_fields(client, row) | {"name": "Ada Lovelace", "email": "ada@example.org", "places": "1"} | data
    return client.post(f"/events/{row.id}/sign-up", data=values)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_event_page_shows_places_left_then_full(client, db, make_date, book):
    row = make_date(capacity=2)
    page = client.get(f"/events/{row.id}").get_data(as_text=True)
    assert "You need to sign up to come to this event." in page and "2 places left" in page
    assert f'href="/events/{row.id}/sign-up"' in page
    book(row, places=2)
    book(row)
    page = client.get(f"/events/{row.id}").get_data(as_text=True)
    assert "This event is full." in page and "1 person is on the waiting list." in page
    assert "Join the waiting list" in page


def test_event_page_texts_for_drop_in_and_volunteers(client, make_date):
    drop_in = make_date(capacity=None, mode="optional")
    page = client.get(f"/events/{drop_in.id}").get_data(as_text=True)
    assert "Drop-ins are welcome." in page and ">Sign up<" in page
    volunteers = make_date(days=11, mode="volunteers", type_slug="community-speed-watch")
    page = client.get(f"/events/{volunteers.id}").get_data(as_text=True)
    assert "For approved Community Speed Watch volunteers only." in page and "/sign-up" not in page


def test_sign_up_journey_confirmation_page_and_email(client, db, surgery):
    response = submit(client, surgery, places="2", phone="0121 496 0000", access_needs="Step-free access")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/events/{surgery.id}/sign-up/done")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You're signed up" in page and "We've emailed you at <strong>ada@example.org</strong>" in without_bdi(page)
    signup = db.session.scalars(select(Signup)).one()
    assert (signup.status, signup.places, signup.phone, signup.access_needs) == (
        CONFIRMED,
        2,
        "0121 496 0000",
        "Step-free access",
    )
    text = email_text(db.session.scalars(select(OutboxMessage)).one().raw)
    assert "You're booked. Your 2 places are confirmed." in text and "/bookings/" in text and "/my-events/" in text


def test_errors_are_summarised_and_answers_kept(client, db, surgery):
    response = submit(client, surgery, name="", email="not-an-email", places="9", phone="0121 496 0000")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<h2 id="error-summary-title" class="error-summary-title">There is a problem</h2>' in page
    assert '<a href="#name">Enter your name</a>' in page
    assert 'value="not-an-email"' in page and 'value="0121 496 0000"' in page and 'value="9"' in page
    assert count(db, Signup) == 0
    response = submit(client, surgery, email="not-an-email")
    assert "Enter an email address in the correct format" in response.get_data(as_text=True)
    response = submit(client, surgery, places="9")
    assert "You can book up to 4 places for this event" in response.get_data(as_text=True)
    assert count(db, Signup) == 0 and count(db, OutboxMessage) == 0


def test_missing_csrf_token_is_refused(client, db, surgery):
    response = client.post(f"/events/{surgery.id}/sign-up", data={"name": "A", "email": "a@example.org", "places": "1"})
    assert response.status_code == 400 and "The form had expired" in response.get_data(as_text=True)
    assert count(db, Signup) == 0


def test_honeypot_keeps_nothing(client, db, surgery):
    response = submit(client, surgery, website="http://spam.example")
    assert response.status_code == 200 and "Thank you" in response.get_data(as_text=True)
    assert count(db, Signup) == 0 and count(db, OutboxMessage) == 0


def test_double_submit_shows_the_first_booking(client, db, surgery):
    fields = form_fields(client, surgery) | {"name": "Ada", "email": "ada@example.org", "places": "1"}
    first = client.post(f"/events/{surgery.id}/sign-up", data=fields)
    second = client.post(f"/events/{surgery.id}/sign-up", data=fields)
    assert first.headers["Location"] == second.headers["Location"]
    assert second.headers["Location"].endswith("/sign-up/done")
    assert count(db, Signup) == 1 and count(db, OutboxMessage) == 1


def test_second_attempt_with_an_address_emails_the_link_and_reveals_nothing(client, app, db, surgery, book):
    book(surgery, email="taken@example.org", name="Original Owner", places=3)
    other = app.test_client()
    response = submit(other, surgery, email="TAKEN@example.org", name="Someone Else")
    assert response.headers["Location"].endswith("/sign-up/check-email")
    page = other.get(response.headers["Location"]).get_data(as_text=True)
    assert "Check your email" in page and "taken@example.org" in page.lower()
    assert "Original Owner" not in page and "/bookings/" not in page and "3 places" not in page
    mail = outbox(db, "taken@example.org")
    assert [m["Subject"] for m in mail][-1] == "You're already signed up: Ladywood police surgery"
    assert count(db, Signup) == 1


def test_many_residents_from_one_connection_all_sign_up(client, db, surgery):
    """A library PC or a community centre's Wi-Fi: the per-IP limit is sized for it (tests/hardening/test_rate_limits.py)."""
    statuses = [submit(client, surgery, email=f"r{n}@example.org").status_code for n in range(15)]
    assert statuses == [302] * 15
    assert count(db, Signup) == 15  # 10 places taken, 5 on the waiting list


def test_closed_dates_say_why(client, db, make_date, officer):
    row = make_date()
    event_services.cancel_event(row.event, actor=officer, reason="Venue flooded")
    db.session.commit()
    page = client.get(f"/events/{row.id}/sign-up").get_data(as_text=True)
    assert "This event is cancelled" in page and "Venue flooded" in page
    response = client.post(f"/events/{row.id}/sign-up", data={"csrf_token": csrf_token(client), "name": "A"})
    assert response.status_code == 409 and count(db, Signup) == 0
    assert client.get("/events/999999/sign-up").status_code == 404


def test_manage_page_change_places_and_cancel(client, db, make_date, book):
    row = make_date(capacity=3)
    mine = book(row, places=3, email="mine@example.org")
    waiting = book(row, places=1, email="next@example.org")
    token = links.manage_token(mine)
    page = client.get(f"/bookings/{token}").get_data(as_text=True)
    assert "mine@example.org" in page and "Booked" in page and "/my-events/" in page
    response = client.post(f"/bookings/{token}/places", data={"csrf_token": csrf_token(client), "places": "9"})
    assert response.status_code == 400 and "You can book up to 4 places" in response.get_data(as_text=True)
    response = client.post(f"/bookings/{token}/places", data={"csrf_token": csrf_token(client), "places": "2"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Signup, waiting.id).status == CONFIRMED
    assert "Your booking is updated" in client.get(f"/bookings/{token}").get_data(as_text=True)
    assert "Are you sure" in client.get(f"/bookings/{token}/cancel").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Signup, mine.id).status == CONFIRMED  # the GET changed nothing
    response = client.post(f"/bookings/{token}/cancel", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 200 and "Your place is cancelled" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Signup, mine.id).status == "cancelled"


def test_tampered_and_expired_links(client, app, db, surgery, book, monkeypatch):
    signup = book(surgery)
    token = links.manage_token(signup)
    response = client.get(f"/bookings/{token[:-3]}xyz")
    assert response.status_code == 400 and "This link is not valid" in response.get_data(as_text=True)
    monkeypatch.setattr(links, "MANAGE_MAX_AGE_DAYS", -1)
    response = client.get(f"/bookings/{token}")
    assert response.status_code == 400 and "This link has expired" in response.get_data(as_text=True)
    monkeypatch.undo()
    signup.secret = "changed"
    db.session.commit()
    assert client.get(f"/bookings/{token}").status_code == 400


def test_my_events_feed_lists_booked_dates_and_can_be_revoked(client, db, make_date, book):
    first, second, full = make_date(days=8), make_date(days=9), make_date(days=10, capacity=1)
    a = book(first, email="me@example.org")
    book(second, email="me@example.org")
    book(full, email="someone@example.org")
    book(full, email="me@example.org")  # waiting: not in the feed
    url = links.feed_url("me@example.org").removeprefix("http://localhost")
    response = client.get(url)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.data)
    starts = sorted(c.decoded("dtstart") for c in cal.walk("VEVENT"))
    assert starts == [first.starts_at, second.starts_at]
    assert db.session.scalar(select(func.count()).select_from(EventsFeed)) == 2  # one per address
    token = links.manage_token(a)
    response = client.post(f"/bookings/{token}/calendar-link", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert client.get(url).status_code == 404
    assert client.get(links.feed_url("me@example.org").removeprefix("http://localhost")).status_code == 200


def test_staff_list_attendance_walk_in_and_permissions(client, app, db, make_date, book, officer, outsider, login_as):
    row = make_date(start=soon(3), capacity=2)
    booked = book(row, name="Bea Booked", places=2, access_needs="Hearing loop")
    book(row, name="Wes Waiting")
    assert client.get(f"/staff/occurrences/{row.id}/signups").status_code == 302  # to login
    login_as(outsider)
    assert client.get(f"/staff/occurrences/{row.id}/signups").status_code == 403
    assert (
        client.post(
            f"/staff/signups/{booked.id}/attendance", data={"csrf_token": csrf_token(client), "attended": "1"}
        ).status_code
        == 403
    )
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login_as(officer)
    page = client.get(f"/staff/occurrences/{row.id}/signups").get_data(as_text=True)
    assert "Bea Booked" in page and "Hearing loop" in page and "1. Wes Waiting" in page
    assert "<strong>0</strong> of 2" in page
    response = client.post(
        f"/staff/signups/{booked.id}/attendance", data={"csrf_token": csrf_token(client), "attended": "1"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#signup-{booked.id}")
    response = client.post(
        f"/staff/occurrences/{row.id}/walk-in", data={"csrf_token": csrf_token(client), "name": "", "places": "1"}
    )
    assert response.status_code == 400 and "Enter the person&#39;s name" in response.get_data(as_text=True)
    response = client.post(
        f"/staff/occurrences/{row.id}/walk-in",
        data={"csrf_token": csrf_token(client), "name": "Walt In", "places": "2"},
    )
    assert response.status_code == 302
    page = client.get(f"/staff/occurrences/{row.id}/signups").get_data(as_text=True)
    assert "<strong>4</strong> of 4 (booked and walk-ins)" in page and "Walt In" in page
    db.session.expire_all()
    assert db.session.get(Signup, booked.id).attended is True
    sheet = client.get(f"/staff/occurrences/{row.id}/sign-in-sheet").get_data(as_text=True)
    assert "Bea Booked" in sheet and "Hearing loop" not in sheet and "Wes Waiting" not in sheet
    assert WAITING == "waiting"
