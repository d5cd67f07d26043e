"""Issue 14 item 7: coordinators ring applicants: every phone number on the volunteer pages is a tel: link,
and the volunteer tables stack on a phone (each cell labelled with its column)."""

from __future__ import annotations

from engagement.speedwatch.volunteers.models import APPLIED


def test_volunteer_list_and_page_phone_numbers_dial(client, team, coordinator, make_volunteer, login_as):
    applicant = make_volunteer(team, name="Pat Applicant", status=APPLIED, account=False, phone="07700 900 456")
    login_as(coordinator)
    listing = client.get("/staff/speed-watch/volunteers").get_data(as_text=True)
    assert '<td data-label="Phone"><a class="tel" href="tel:07700900456">07700 900 456</a></td>' in listing
    assert 'class="table table-stack"' in listing and 'data-label="Applied"' in listing
    detail = client.get(f"/staff/speed-watch/volunteers/{applicant.id}").get_data(as_text=True)
    assert 'href="tel:07700900456"' in detail
