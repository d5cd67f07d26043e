"""Issue 14 items 7, 8, 9 and 12 in a real browser: staff tables stack at 320 px (nothing sideways,
inside or outside a table), phone numbers stay on one line, the audit filter and account list are
accessible, the copy button works with JavaScript and stays out of the way without it.

Screenshots of each page at 320 and 1280 px go to $SHOTS_DIR when it is set (for people to look at).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import ADMIN_EMAIL, COORDINATOR_EMAIL, new_context
from .test_accessibility import assert_no_axe_violations, assert_page_basics, open_page

pytestmark = pytest.mark.browser

ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36"
)
STAFF_TABLES = [
    (ADMIN_EMAIL, "/staff/audit"),
    (ADMIN_EMAIL, "/staff/users"),
    (COORDINATOR_EMAIL, "/staff/speed-watch/volunteers"),
    (COORDINATOR_EMAIL, "/staff/signups"),
]
# Every table wider than its box, and every phone link broken over two lines (both should be none).
OVERFLOWS = """() => [...document.querySelectorAll('table')]
  .filter(t => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(t => (t.querySelector('caption') || t).textContent.trim().slice(0, 60))"""
WRAPPED_PHONES = (
    "() => [...document.querySelectorAll('a.tel')].filter(a => a.getClientRects().length > 1).map(a => a.textContent)"
)


def shoot(page, name: str) -> None:
    folder = os.environ.get("SHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def slug(path: str) -> str:
    return path.strip("/").replace("/", "-").replace("?", "-") or "home"


@pytest.mark.parametrize("email,path", STAFF_TABLES)
def test_staff_tables_stack_at_320px_and_phones_do_not_wrap(browser, live_server, signed_in_state, email, path):
    ctx = new_context(
        browser, live_server, storage_state=signed_in_state(email), viewport={"width": 320, "height": 640}
    )
    try:
        page = ctx.new_page()
        open_page(page, path)
        assert page.locator("table").count() >= 1, f"{path} shows no table to check"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} is {width}px wide at a 320px viewport"
        assert page.evaluate(OVERFLOWS) == [], f"{path}: a table is wider than the screen (cut off or scrolling)"
        assert page.evaluate(WRAPPED_PHONES) == [], f"{path}: a phone number wraps"
        label = page.locator("table.table-stack tbody td[data-label]").first
        before = label.evaluate("td => getComputedStyle(td, '::before').content")
        assert before.strip('"') == label.get_attribute("data-label"), "stacked cells must show their column name"
        shoot(page, f"{slug(path)}-320")
        page.set_viewport_size({"width": 1280, "height": 800})
        page.reload()
        assert page.evaluate(OVERFLOWS) == [], f"{path}: a table is wider than the page at 1280 px"
        shoot(page, f"{slug(path)}-1280")
    finally:
        ctx.close()


def test_audit_filter_and_account_list_are_accessible(page_as):
    page = page_as(ADMIN_EMAIL)
    open_page(page, "/staff/audit")
    assert_page_basics(page)
    page.get_by_label("What they did").select_option(label="Signed in")
    page.get_by_label("Person").fill("admin")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state("load")
    rows = page.locator("table tbody tr")
    assert rows.count() >= 1 and "Signed in" in rows.first.inner_text()
    assert_no_axe_violations(page)
    page.get_by_label("From date").fill("2026-03-05")
    page.get_by_label("To date").fill("2026-03-01")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state("load")
    assert page.locator(".error-summary").is_visible()
    assert_no_axe_violations(page)
    shoot(page, "staff-audit-error-1280")

    open_page(page, "/staff/users?kind=volunteers")
    assert "Speed Watch volunteer" in page.locator("table").inner_text()
    assert_no_axe_violations(page)


def test_split_district_search_is_accessible(page):
    open_page(page, "/?q=B16")
    assert "B16 is split between" in page.locator("main").inner_text()
    assert_no_axe_violations(page)
    shoot(page, "home-split-b16-1280")
    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    shoot(page, "home-split-b16-320")


def test_calendar_help_copy_button_with_javascript(browser, live_server):
    ctx = new_context(browser, live_server, viewport={"width": 320, "height": 640}, user_agent=ANDROID)
    try:
        ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
        page = ctx.new_page()
        open_page(page, "/teams/ladywood/calendar-help")
        assert page.locator("a[href^='webcal:']").count() == 0
        assert page.locator("#steps-android").get_attribute("open") is not None
        button = page.get_by_role("button", name="Copy the address")
        assert button.is_visible()
        button.click()
        # the clipboard write is a promise: the live region says "Copied" once it resolves
        page.wait_for_function("document.querySelector('#calendar-address-status').innerText.includes('Copied')",
                               timeout=5000)  # fmt: skip
        assert "Copied" in page.locator("#calendar-address-status").inner_text()
        assert page.evaluate("navigator.clipboard.readText()") == f"{live_server}/teams/ladywood/calendar.ics"
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert_no_axe_violations(page)
        shoot(page, "calendar-help-android-320")
    finally:
        ctx.close()


def test_calendar_help_without_javascript_is_a_selectable_field(browser, live_server):
    ctx = new_context(browser, live_server, java_script_enabled=False)
    try:
        page = ctx.new_page()
        open_page(page, "/teams/ladywood/calendar-help")
        assert not page.get_by_role("button", name="Copy the address").is_visible()
        field = page.get_by_label("The calendar's web address")
        assert field.get_attribute("readonly") is not None
        assert field.input_value() == f"{live_server}/teams/ladywood/calendar.ics"
        assert page.get_by_role("link", name="Subscribe on iPhone, iPad and Mac").count() == 1
        steps = page.locator("#steps-outlook-web")
        assert not steps.get_by_text("Subscribe from web").is_visible()
        steps.locator("summary").click()  # <details> opens without JavaScript
        assert steps.get_by_text("Subscribe from web").is_visible()
        shoot(page, "calendar-help-nojs-1280")
    finally:
        ctx.close()
