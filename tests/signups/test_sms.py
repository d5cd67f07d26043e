"""Sign-ups with a mobile number only (issue 16): the same journeys as by email, with texts.

The sign-up, change and cancel journeys go through the pages and then the worker, to the loopback
Notify API (tests/support/notify.py) through the official client; the rest read the outbox rows.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from engagement.core.mail import OutboxMessage
from engagement.core.personal_data import Subject
from engagement.core.worker import run_once
from engagement.events import services as event_services
from engagement.events.details import EventDetails, When
from engagement.signups import privacy, services
from engagement.signups.models import BY_EMAIL, BY_TEXT, CANCELLED, CONFIRMED, WAITING, Signup
from engagement.signups.tasks import send_reminders
from tests.signups.conftest import at
from tests.signups.test_views import submit
from tests.support.html import without_bdi

MOBILE, E164 = "07700 900123", "+447700900123"


def texts(db, to: str = E164) -> list[str]:
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.channel == "sms", OutboxMessage.to_addr == to)
        .order_by(OutboxMessage.id)
    )
    return [r.raw.decode() for r in rows]


def emails_to(db, to: str) -> int:
    return len(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == to)).all())


def manage_path(text: str) -> str:
    return urlsplit(re.search(r"https?://\S+/bookings/\S+", text).group(0)).path


def phone_only(row, mobile=MOBILE, **kwargs) -> Signup:
    return services.sign_up(row, name="Pat Mobile", phone=mobile, **kwargs)


def test_sign_up_change_and_cancel_with_a_mobile_only_through_notify(client, db, make_date, notify_api):
    row = make_date(title="Cuppa with a Copper", most=3)
    response = submit(client, row, email="", phone=MOBILE, channel="email")  # no email: texts whatever is ticked
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "We've sent a text to <strong>07700 900123</strong>" in without_bdi(page)
    signup = db.session.scalars(select(Signup)).one()
    assert (signup.email, signup.mobile, signup.channel, signup.status) == (None, E164, BY_TEXT, CONFIRMED)
    assert run_once()["mail"] == 1
    (sent,) = notify_api.sent("sms")
    assert sent["phone_number"] == E164 and sent["body"].startswith("You're booked: Cuppa with a Copper, ")
    assert "1 place. See or cancel: http" in sent["body"]

    # The manage link in the text works: change the places, then cancel.
    path = manage_path(sent["body"])
    assert "Ada Lovelace" in client.get(path).get_data(as_text=True)
    token = csrf_token_of(client, path + "/places")
    assert client.post(path + "/places", data={"csrf_token": token, "places": "2"}).status_code == 302
    token = csrf_token_of(client, path + "/cancel")
    assert client.post(path + "/cancel", data={"csrf_token": token}).status_code == 200
    assert db.session.get(Signup, signup.id).status == CANCELLED
    assert run_once()["mail"] == 2
    bodies = [n["body"] for n in notify_api.sent("sms")]
    assert bodies[1].startswith("Your booking is now 2 places: Cuppa with a Copper")
    assert bodies[2].startswith("Your place is cancelled: Cuppa with a Copper") and f"/events/{row.id}" in bodies[2]
    assert sorted(int(n["reference"]) for n in notify_api.sent("sms")) == [
        r.id for r in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    ]  # each outbox row reached Notify once, under its own id


def csrf_token_of(client, path: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).get_data(as_text=True))[1]


def test_neither_contact_nor_a_landline_alone_is_accepted(client, db, surgery):
    page = submit(client, surgery, email="", phone="").get_data(as_text=True)
    assert '<a href="#email">Enter an email address or a mobile phone number</a>' in page
    response = submit(client, surgery, email="", phone="0121 496 0000")
    assert response.status_code == 400
    assert "That looks like a landline: texts need a mobile number" in response.get_data(as_text=True)
    assert 'value="0121 496 0000"' in response.get_data(as_text=True)  # the answer is kept
    # With an email address a landline is still fine (short-notice calls), and texts are not used.
    assert submit(client, surgery, phone="0121 496 0000").status_code == 302
    signup = db.session.scalars(select(Signup)).one()
    assert (signup.mobile, signup.channel) == (None, BY_EMAIL) and texts(db) == []


def test_choosing_texts_with_both_and_switching_on_the_booking_page(client, db, make_date, officer):
    row = make_date()
    submit(client, row, phone=MOBILE, channel="sms")
    signup = db.session.scalars(select(Signup)).one()
    assert signup.channel == BY_TEXT and len(texts(db)) == 1 and emails_to(db, "ada@example.org") == 0
    path = manage_path(texts(db)[0])
    page = client.get(path).get_data(as_text=True)
    assert "Email or text" in page and re.search(r'<input checked [^>]*value="sms"', page)
    token = csrf_token_of(client, path)
    answer = client.post(path + "/contact", data={"csrf_token": token, "channel": "email"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("#contact")
    assert "by email to ada@example.org" in without_bdi(client.get(answer.headers["Location"]).get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Signup, signup.id).channel == BY_EMAIL
    event_services.cancel_event(row.event, actor=officer, reason="Flooded")
    db.session.commit()
    assert len(texts(db)) == 1 and emails_to(db, "ada@example.org") == 1  # the cancellation went by email


def test_a_second_sign_up_with_the_same_mobile_texts_the_link(client, db, surgery):
    phone_only(surgery)
    db.session.commit()
    response = submit(client, surgery, name="Someone Else", email="", phone="+44 7700 900123")
    assert response.headers["Location"].endswith("/check-email")
    assert "Check your text messages" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert len(db.session.scalars(select(Signup)).all()) == 1
    assert texts(db)[-1].startswith("You already have a booking: Ladywood police surgery")


def test_cancellation_move_reminder_and_waiting_list_offer_go_by_text(db, make_date, book, officer):
    row = make_date(capacity=1, title="Cuppa with a Copper")
    book(row)
    waiting = phone_only(row)
    db.session.commit()
    assert waiting.status == WAITING and texts(db)[-1].startswith("You're on the waiting list (number 1): ")
    services.cancel_signup(db.session.scalars(select(Signup).where(Signup.email.is_not(None))).one())
    db.session.commit()
    assert texts(db)[-1].startswith("A place is yours: Cuppa with a Copper")

    event = row.event
    details = EventDetails(team=event.team, event_type=event.event_type, title=event.title, venue=event.venue,
                           contact=event.contact, capacity=1, signup_mode="required", max_places_per_signup=4)  # fmt: skip
    event_services.update_event(event, actor=officer, details=details, when=When(at(11, 10, 30), at(11, 12)))
    db.session.commit()
    assert texts(db)[-1].startswith("CHANGED: Cuppa with a Copper, ") and "10:30am" in texts(db)[-1]

    assert send_reminders(now=row.starts_at - timedelta(hours=2)) == 1
    assert texts(db)[-1].startswith("Reminder: Cuppa with a Copper")

    event_services.cancel_event(event, actor=officer, reason="Officers needed elsewhere")
    db.session.commit()
    last = texts(db)[-1]
    assert re.fullmatch(r"Cuppa with a Copper, \w{3} \d+ \w{3} 10:30am, Ladywood Community Library B16 8HA is "
                        r"CANCELLED\. Officers needed elsewhere\. Details: http\S+/events/\d+", last), last  # fmt: skip


def test_privacy_finds_and_erases_a_phone_only_sign_up(db, make_date):
    signup = phone_only(make_date())
    db.session.commit()
    for spelling in ("07700900123", "+44 7700 900123"):
        (record,) = privacy.find(Subject.phone(spelling), frozenset())
        assert record.data["mobile"] == E164 and record.data["news_by"] == "text message"
    privacy.erase(Subject.phone("07700 900123"), [], now=signup.created_at + timedelta(minutes=1))
    db.session.commit()
    signup = db.session.get(Signup, signup.id)
    assert (signup.mobile, signup.phone, signup.name, signup.status) == (None, "", "", CANCELLED)
    assert privacy.find(Subject.phone("07700900123"), frozenset()) == []


def test_with_texts_switched_off_an_email_is_required_again(app, client, db, surgery):
    app.config["SMS_ENABLED"] = False
    page = submit(client, surgery, email="", phone=MOBILE).get_data(as_text=True)
    assert '<a href="#email">Enter your email address</a>' in page and 'name="channel"' not in page
    assert submit(client, surgery, phone=MOBILE, channel="sms").status_code == 302
    signup = db.session.scalars(select(Signup)).one()
    assert (signup.phone, signup.mobile, signup.channel) == (MOBILE, None, BY_EMAIL) and texts(db) == []


def test_the_team_message_reaches_a_phone_only_booking_by_text(db, make_date, book, officer):
    row = make_date(title="Cuppa with a Copper")
    book(row, name="Ann Booked", email="ann@example.org")
    phone_only(row)
    db.session.commit()
    assert services.message_recipients(row, services.BOOKED).by_text == 1
    assert services.message_booked(row, audience=services.BOOKED, text="The room has changed to the hall upstairs.",
                                   actor=officer) == 2  # fmt: skip
    db.session.commit()
    last = texts(db)[-1]
    assert last.startswith(f"{row.event.team.name} police, about Cuppa with a Copper, ")
    assert "The room has changed to the hall upstairs." in last and "/bookings/" in last
    assert emails_to(db, "ann@example.org") == 2  # her confirmation and the message, by email
