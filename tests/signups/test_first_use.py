"""What a first-time resident trips over on the sign-up and booking pages (issue 14)."""

from __future__ import annotations

import re

from engagement.signups import links
from engagement.signups.models import Signup
from tests.conftest import csrf_token


def test_sign_up_form_says_the_per_booking_limit_before_it_is_broken(client, make_date):
    row = make_date(most=2)
    page = client.get(f"/events/{row.id}/sign-up").get_data(as_text=True)
    hint = re.search(r'<div id="places-hint" class="hint">([^<]+)</div>', page)
    assert hint and hint.group(1) == "Up to 2 places per booking."
    assert re.search(r'<input[^>]*aria-describedby="places-hint"[^>]*max="2"|<input[^>]*max="2"[^>]*id="places"', page)


def test_resident_corrects_name_phone_and_access_needs_and_the_team_sees_them(
    app, client, db, login_as, officer, make_date, book
):
    row = make_date()
    signup = book(row, name="Ada Lovelce", email="ada@example.org", access_needs="")
    url = f"/bookings/{links.manage_token(signup)}"
    page = client.get(url).get_data(as_text=True)
    assert f'href="{url}/details"' in page
    form = client.get(f"{url}/details")
    assert form.status_code == 200 and 'value="Ada Lovelce"' in form.get_data(as_text=True)
    assert "no-store" in form.headers["Cache-Control"]

    bad = client.post(f"{url}/details", data={"csrf_token": csrf_token(client), "name": "", "phone": "call me",
                                               "access_needs": "Step-free"})  # fmt: skip
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and 'href="#name">Enter your name' in text and 'href="#phone">' in text
    assert "Step-free</textarea>" in text  # typed answers stay

    done = client.post(f"{url}/details", data={"csrf_token": csrf_token(client), "name": "Ada Lovelace",
                                                "phone": "0121 496 0000", "access_needs": "Step-free access\r\nLarge print"})  # fmt: skip
    assert done.status_code == 302 and done.headers["Location"] == url
    assert "Your details are updated." in client.get(url).get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.get(Signup, signup.id)
    assert (saved.name, saved.phone, saved.access_needs, saved.email) == (
        "Ada Lovelace",
        "0121 496 0000",
        "Step-free access\nLarge print",
        "ada@example.org",
    )
    staff = app.test_client()
    from tests.conftest import login

    login(staff, officer)
    attendees = staff.get(f"/staff/occurrences/{row.id}/signups").get_data(as_text=True)
    assert "Ada Lovelace" in attendees and "Ada Lovelce" not in attendees


def test_the_email_address_cannot_be_changed_from_the_booking_page(client, db, make_date, book):
    row = make_date()
    signup = book(row, email="ada@example.org")
    url = f"/bookings/{links.manage_token(signup)}/details"
    client.post(url, data={"csrf_token": csrf_token(client), "name": "Ada", "email": "eve@example.org"})
    db.session.expire_all()
    assert db.session.get(Signup, signup.id).email == "ada@example.org"


def test_booking_email_has_an_html_part_with_a_button_and_a_utf8_calendar_file(client, db, make_date, book):
    from email import message_from_bytes
    from email.policy import default

    from tests.support.outbox import outbox_rows

    row = make_date(title="Cuppa at the Café")
    signup = book(row, name="Zoë Brontë", email="zoe@example.org")
    [raw] = [r.raw for r in outbox_rows(db, to="zoe@example.org")]
    message = message_from_bytes(raw, policy=default)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    manage = links.manage_url(signup)
    assert manage in text and "Hello Zoë Brontë," in text  # the text part keeps every link
    assert f'<a class="button" href="{manage}">See, change or cancel your booking</a>' in html
    when = re.search(r"When: (.+)", text).group(1).strip()
    assert re.match(r"(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day \d{1,2} [A-Z][a-z]+ \d{4}, ", when)
    assert f'<p class="when">{when}</p>' in html and "Cuppa at the Café" in html
    [ics] = [part for part in message.iter_attachments() if part.get_filename() == "event.ics"]
    assert ics.get_content_type() == "text/calendar" and ics.get_param("charset") == "utf-8"
    assert "SUMMARY:Cuppa at the Café" in ics.get_content()


def test_export_file_names_keep_letters_beyond_ascii(app, client, db, login_as, officer, make_date, book):
    row = make_date(title="Cuppa at the Café")
    book(row)
    login_as(officer)
    response = client.get(f"/staff/occurrences/{row.id}/signups/export")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="sign-ups-Cuppa-at-the-Cafe-')
    assert "filename*=UTF-8''sign-ups-Cuppa-at-the-Caf%C3%A9-" in disposition
    from werkzeug.http import parse_options_header

    _value, options = parse_options_header(disposition)
    assert options["filename"].startswith("sign-ups-Cuppa-at-the-Café-") and options["filename"].endswith(".csv")
