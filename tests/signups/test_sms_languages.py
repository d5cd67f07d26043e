"""Booking texts in the language the resident booked in (issues 15 and 16)."""

from __future__ import annotations

from sqlalchemy import select

from engagement.core.i18n import _, force_language, ngettext
from engagement.core.worker import run_once
from engagement.signups import services
from engagement.signups.models import Signup
from engagement.signups.texts import headline, short_when
from tests.signups.test_sms import E164, MOBILE, texts
from tests.signups.test_views import submit

TITLE_UR = "پولیس سے ملاقات"


def test_an_urdu_sign_up_by_mobile_gets_its_confirmation_in_urdu(client, db, make_date, notify_api):
    row = make_date(title="Cuppa with a Copper", translations={"ur": {"title": TITLE_UR, "description": ""}})
    client.set_cookie("lang", "ur")
    assert submit(client, row, email="", phone=MOBILE).status_code == 302
    signup = db.session.scalars(select(Signup)).one()
    assert signup.language == "ur"
    assert run_once()["mail"] == 1
    (sent,) = notify_api.sent("sms")
    body = sent["body"]
    with force_language("ur"):
        when = short_when(row.starts_at)
        booked = " ".join(_("You're booked: %(headline)s.", headline=headline(row)).split())
        places = ngettext("%(count)s place.", "%(count)s places.", 1, count=1)
    assert when != short_when(row.starts_at)  # the date in Urdu, from Babel ("بدھ، 9 دسمبر 6:00 PM")
    assert body.startswith(booked) and places in body  # the catalogue's words, with the event's Urdu title
    assert body.startswith(f"{booked.split(TITLE_UR)[0]}{TITLE_UR}, {' '.join(when.split())}, Ladywood")
    assert "Cuppa with a Copper" not in body and "?lang=ur" in body  # the manage link opens in Urdu


def test_english_booking_texts_are_unchanged(db, make_date):
    row = make_date(title="Cuppa with a Copper")
    services.sign_up(row, name="Pat Mobile", phone=MOBILE)
    db.session.commit()
    [text] = texts(db, E164)
    assert text.startswith(f"You're booked: Cuppa with a Copper, {short_when(row.starts_at)}")
    assert " 1 place. See or cancel: http" in text
