"""Issue 14 item 10 in a real browser: on a 320 px phone the event page shows the date, the place and the
sign-up (or "join the waiting list") button on the first screen, before the accessibility table.
Also item 16: the Directions link goes to OpenStreetMap and the page loads no map tiles."""

from __future__ import annotations

import pytest

from .conftest import new_context, watch_for_errors
from .test_accessibility import assert_no_axe_violations, assert_page_basics

pytestmark = pytest.mark.browser

PHONE = {"width": 320, "height": 568}  # a small phone (iPhone SE 1st gen): the header is compact below 641px


@pytest.fixture
def phone(browser, live_server):
    ctx = new_context(browser, live_server, viewport=PHONE)
    page = ctx.new_page()
    errors = watch_for_errors(page)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.requested = requested
    yield page
    ctx.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.mark.parametrize(
    ("kind", "button"),
    [("cuppa-with-a-copper", "Join the waiting list"), ("neighbourhood-watch-meeting", "Sign up")],
)
def test_the_primary_action_is_on_the_first_screen_at_320px(phone, kind, button):
    phone.goto(f"/events?team=ladywood&type={kind}")
    phone.locator("a.event-title").first.click()
    phone.wait_for_load_state("load")
    action = phone.locator("#sign-up a.button").first
    assert action.inner_text().startswith(button)
    box = action.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], (
        f"the {button!r} button starts {box['y']:.0f}px down a {PHONE['height']}px screen on {phone.url}"
    )
    facts = phone.locator(".key-facts").bounding_box()
    assert facts["y"] < box["y"] and "When" in phone.locator(".key-facts").inner_text()
    details = phone.get_by_role("heading", name="Getting in and around").bounding_box()
    assert details["y"] > box["y"]  # the accessibility details follow the action
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing cut off sideways
    directions = phone.locator("a[href^='https://www.openstreetmap.org/']")
    assert directions.count() == 1 and directions.inner_text().startswith("Directions")
    assert not [url for url in phone.requested if "openstreetmap" in url]  # a link only: no tiles loaded
    assert_page_basics(phone)
    assert_no_axe_violations(phone)
