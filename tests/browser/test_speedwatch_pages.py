"""Speed Watch pages in a real browser: axe-core on the public, volunteer and staff pages, 320 px reflow.

Paths use the demo data (engagement/demo/speedwatch_data.py): Ladywood is the first team with a
Speed Watch group, so its main site is site 1 and its volunteers come first; pages reached only
through a link (a shift, a return form) are opened by following the link, as a user would.
"""

from __future__ import annotations

import pytest

from .conftest import COORDINATOR_EMAIL, OFFICER_EMAIL, new_context
from .test_accessibility import assert_no_axe_violations, assert_page_basics, open_page

pytestmark = pytest.mark.browser

VOLUNTEER_EMAIL = "volunteer@example.org"  # the README's demo volunteer, in Ladywood

PUBLIC = ["/teams/ladywood/speed-watch", "/teams/ladywood/speed-watch/apply"]
SIGNED_IN = [
    (VOLUNTEER_EMAIL, "/speed-watch/rota"),
    (VOLUNTEER_EMAIL, "/speed-watch/shifts"),
    (OFFICER_EMAIL, "/staff/speed-watch"),
    (COORDINATOR_EMAIL, "/staff/speed-watch"),
    (OFFICER_EMAIL, "/staff/speed-watch/volunteers"),
    (OFFICER_EMAIL, "/staff/speed-watch/volunteers/1"),
    (OFFICER_EMAIL, "/staff/speed-watch/sites"),
    (OFFICER_EMAIL, "/staff/speed-watch/sites/new"),
    (OFFICER_EMAIL, "/staff/speed-watch/sites/1/edit"),
    (OFFICER_EMAIL, "/staff/speed-watch/shifts"),
    (OFFICER_EMAIL, "/staff/speed-watch/shifts/new"),
    (OFFICER_EMAIL, "/staff/speed-watch/returns"),
    # The whole scheme (issue 19): devices, site requests, site pages, the back office's letters
    (VOLUNTEER_EMAIL, "/speed-watch/site-requests"),
    (VOLUNTEER_EMAIL, "/speed-watch/site-requests/new"),
    (VOLUNTEER_EMAIL, "/speed-watch/site-requests/1"),
    (OFFICER_EMAIL, "/staff/speed-watch/devices"),
    (OFFICER_EMAIL, "/staff/speed-watch/devices/new"),
    (OFFICER_EMAIL, "/staff/speed-watch/devices/1"),
    (OFFICER_EMAIL, "/staff/speed-watch/devices/1/calibration"),
    (OFFICER_EMAIL, "/staff/speed-watch/sites/1"),
    (OFFICER_EMAIL, "/staff/speed-watch/site-requests"),
    (OFFICER_EMAIL, "/staff/speed-watch/site-requests/new"),
    (OFFICER_EMAIL, "/staff/speed-watch/site-requests/1"),
    (OFFICER_EMAIL, "/staff/speed-watch/site-requests/1/approve"),
    (OFFICER_EMAIL, "/staff/speed-watch/site-requests/1/decline"),
    (OFFICER_EMAIL, "/staff/speed-watch/letters"),
    (OFFICER_EMAIL, "/staff/speed-watch/letters/keepers"),
    (OFFICER_EMAIL, "/staff/speed-watch/referrals"),
    (COORDINATOR_EMAIL, "/staff/speed-watch/letters/templates"),
    (COORDINATOR_EMAIL, "/staff/speed-watch/letters/templates/second_letter"),
]


@pytest.mark.parametrize("path", PUBLIC)
def test_public_speed_watch_page_has_no_axe_violations(page, path):
    open_page(page, path)
    assert_page_basics(page)
    assert_no_axe_violations(page)


@pytest.mark.parametrize(("email", "path"), SIGNED_IN, ids=[f"{e.split('@')[0]}:{p}" for e, p in SIGNED_IN])
def test_signed_in_speed_watch_page_has_no_axe_violations(page_as, email, path):
    page = page_as(email)
    response = open_page(page, path)
    assert response.status == 200 and "/login" not in page.url, f"{email} could not open {path} (at {page.url})"
    assert_page_basics(page)
    assert_no_axe_violations(page)


def test_volunteer_shift_and_return_form_are_accessible(page_as):
    page = page_as(VOLUNTEER_EMAIL)
    page.goto("/speed-watch/shifts")
    page.locator("a.event-title").first.click()
    page.wait_for_load_state("load")
    assert "/speed-watch/shifts/" in page.url
    assert_page_basics(page)
    assert_no_axe_violations(page)

    page.goto("/speed-watch/rota")
    page.get_by_role("link", name="Send the session return").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/return")
    assert_page_basics(page)
    assert_no_axe_violations(page)
    # A registration that is not a UK format: the error state keeps the answer and is accessible too.
    page.locator("input[name$='registration']").first.fill("NOT A PLATE")
    page.get_by_role("button", name="Send the return").click()
    page.wait_for_load_state("load")
    assert page.locator(".error-summary").is_visible()
    assert page.locator("input[name$='registration']").first.input_value() == "NOT A PLATE"
    assert_no_axe_violations(page)


def test_staff_shift_and_return_pages_are_accessible(page_as):
    page = page_as(OFFICER_EMAIL)
    page.goto("/staff/speed-watch/shifts")
    page.locator("main table a").first.click()
    page.wait_for_load_state("load")
    assert "/staff/speed-watch/shifts/" in page.url
    assert_page_basics(page)
    assert_no_axe_violations(page)
    page.goto("/staff/speed-watch/returns")
    page.locator("main table a").first.click()
    page.wait_for_load_state("load")
    assert "/staff/speed-watch/returns/" in page.url
    assert_page_basics(page)
    assert_no_axe_violations(page)


def test_referral_and_vehicle_history_are_accessible(page_as):
    page = page_as(OFFICER_EMAIL)
    page.goto("/staff/speed-watch/referrals")
    page.locator("main table a").first.click()
    page.wait_for_load_state("load")
    assert "/staff/speed-watch/referrals/" in page.url
    assert_page_basics(page)
    assert_no_axe_violations(page)
    page.goto("/staff/speed-watch/letters")
    page.locator("main table a").first.click()
    page.wait_for_load_state("load")
    assert "/staff/speed-watch/vehicles/" in page.url
    assert_page_basics(page)
    assert_no_axe_violations(page)


def test_device_refusal_and_site_request_errors_are_accessible(page_as):
    page = page_as(OFFICER_EMAIL)
    page.goto("/staff/speed-watch/devices/new")
    page.get_by_role("button", name="Register device").click()
    page.wait_for_load_state("load")
    assert page.locator(".error-summary").is_visible()
    assert_no_axe_violations(page)
    page.goto("/staff/speed-watch/site-requests/new")
    page.get_by_role("button", name="Send to the team").click()
    page.wait_for_load_state("load")
    assert page.locator(".error-summary").is_visible()
    assert_no_axe_violations(page)


@pytest.mark.parametrize(
    "path",
    [
        "/teams/ladywood/speed-watch/apply",
        "/speed-watch/rota",
        "/speed-watch/shifts",
        "/speed-watch/site-requests/new",
        "/staff/speed-watch",
        "/staff/speed-watch/sites/1",
        "/staff/speed-watch/devices",
        "/staff/speed-watch/letters",
    ],
)
def test_speed_watch_pages_reflow_at_320px(browser, live_server, signed_in_state, path):
    if path.startswith("/speed-watch"):
        state = signed_in_state(VOLUNTEER_EMAIL)
    else:
        state = signed_in_state(OFFICER_EMAIL) if path.startswith("/staff") else None
    context = new_context(browser, live_server, viewport={"width": 320, "height": 640}, storage_state=state)
    page = context.new_page()
    try:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} is {width}px wide at a 320px viewport"
    finally:
        context.close()
