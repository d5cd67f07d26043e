"""Issue 14 item 7: on a date's sign-up list, a resident's phone number dials with one tap."""

from __future__ import annotations


def test_sign_up_list_phone_numbers_are_tel_links(client, surgery, book, officer, login_as):
    book(surgery, name="Bea Booked", phone="+44 (0)7700 900123")
    login_as(officer)
    page = client.get(f"/staff/occurrences/{surgery.id}/signups").get_data(as_text=True)
    assert '<a class="tel" href="tel:+447700900123">+44 (0)7700 900123</a>' in page
