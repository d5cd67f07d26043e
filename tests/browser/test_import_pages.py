"""Calendar import pages in a real browser: the upload form (also with an error), and a big file's job page.

The officer uploads through the real form, as a person would. A file over the inline limit is queued,
so the browser lands on its job page, which has a "Check again" link (no timed refresh).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from engagement.events.limits import INLINE_MAX_EVENTS

from .test_accessibility import assert_no_axe_violations, assert_page_basics, open_page

pytestmark = pytest.mark.browser

FORM = "/staff/teams/ladywood/import-ics"


def _calendar(events: int) -> bytes:
    first = date.today() + timedelta(days=30)
    body = "".join(
        f"BEGIN:VEVENT\r\nUID:browser-{n}@example.org\r\nSUMMARY:Surgery {n}\r\n"
        f"DTSTART;TZID=Europe/London:{first + timedelta(days=n):%Y%m%d}T180000\r\n"
        f"DTEND;TZID=Europe/London:{first + timedelta(days=n):%Y%m%d}T190000\r\nEND:VEVENT\r\n"
        for n in range(events)
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n".encode()


def _upload(page, name: str, data: bytes) -> None:
    page.set_input_files("input[type=file]", files=[{"name": name, "mimeType": "text/calendar", "buffer": data}])
    page.get_by_role("button", name="Import events").click()
    page.wait_for_load_state("load")


def test_import_form_and_its_error_state_are_accessible(page_as):
    page = page_as()
    assert open_page(page, FORM).status == 200
    assert_page_basics(page)
    assert_no_axe_violations(page)
    _upload(page, "broken.ics", b"BEGIN:VCALENDAR\r\nthis is not a calendar\r\nEND:VCALENDAR\r\n")
    assert page.locator(".error-summary").is_visible()
    assert "Line 2 is not a valid iCalendar line" in page.locator(".error-summary").inner_text()
    assert_no_axe_violations(page)


def test_a_big_upload_lands_on_its_job_page(page_as):
    page = page_as()
    page.goto(FORM)
    _upload(page, "whole-year.ics", _calendar(INLINE_MAX_EVENTS + 5))
    assert "/staff/teams/ladywood/imports/" in page.url
    assert page.locator("meta[http-equiv=refresh]").count() == 0  # WCAG 2.2.1: no timed refresh
    assert page.get_by_role("link", name="Check again").is_visible()
    assert_page_basics(page)
    assert_no_axe_violations(page)
    page.goto(FORM)
    assert page.get_by_role("link", name="whole-year.ics").is_visible()  # listed under recent imports
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(FORM)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
