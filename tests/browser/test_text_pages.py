"""Issue 16 in a real browser at 320 px: a resident with only a mobile number signs up for an event and sees the
confirmation; then subscribes to a team's text alerts, typing the code we texted; then opens the page that
changes or stops them. Every page passes axe-core and nothing is cut off sideways.

The live server has no Notify key, so texts stay in the outbox (written to files by the worker); the code is
read from the staff outbox page as the demo admin, as a developer running `make run` would."""

from __future__ import annotations

import re

import pytest

from .conftest import ADMIN_EMAIL, new_context, watch_for_errors
from .test_accessibility import assert_no_axe_violations, assert_page_basics

pytestmark = pytest.mark.browser

PHONE = {"width": 320, "height": 568}
MOBILE = "07700 900 987"


@pytest.fixture
def phone(browser, live_server):
    ctx = new_context(browser, live_server, viewport=PHONE)
    page = ctx.new_page()
    errors = watch_for_errors(page)
    yield page
    ctx.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def _check(page) -> None:
    assert_page_basics(page)
    assert_no_axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{page.url} is too wide"


def _latest_code(page_as) -> str:
    """The newest code texted to MOBILE, from /staff/mail (texts are not sent anywhere on the test server)."""
    admin = page_as(ADMIN_EMAIL)
    admin.goto("/staff/mail?channel=sms")
    admin.locator("tr", has_text="+447700900987").filter(has_text="alerts-code").first.get_by_role("link").click()
    return re.search(r"\b(\d{6}) is your code", admin.locator("pre.source").inner_text())[1]


def test_sign_up_with_a_mobile_only_at_320px(phone):
    phone.goto("/events?team=ladywood&type=neighbourhood-watch-meeting")
    phone.locator("a.event-title").first.click()
    phone.locator("#sign-up a.button").first.click()
    phone.wait_for_load_state("load")
    assert "/sign-up" in phone.url
    _check(phone)
    phone.get_by_label("Full name").fill("Hafsa Begum")
    phone.get_by_label("Mobile phone number").fill(MOBILE)
    phone.get_by_role("button", name="Sign up").click()
    phone.wait_for_load_state("load")
    heading = phone.locator("h1").inner_text()
    assert heading in ("You're signed up", "You\u2019re signed up"), f"{phone.url}: {heading}"
    assert "987" in phone.locator("main").inner_text()  # the texts go to the mobile ending 987
    _check(phone)


def test_text_alerts_subscribe_with_the_code_then_manage_at_320px(phone, page_as):
    phone.goto("/subscribe?team=ladywood&channel=text&step=choose")
    assert "/subscribe/text" in phone.url
    _check(phone)
    phone.get_by_label("UK mobile phone number").fill(MOBILE)
    phone.get_by_role("button", name="Text me a code").click()
    phone.wait_for_load_state("load")
    assert phone.url.endswith("/subscribe/text/code")
    _check(phone)
    phone.get_by_label("Code from the text").fill("12345")  # too short: the error summary lists it
    phone.get_by_role("button", name="Confirm").click()
    phone.wait_for_load_state("load")
    assert "Enter the 6-digit code" in phone.locator(".error-summary").inner_text()
    _check(phone)
    phone.get_by_label("Code from the text").fill(_latest_code(page_as))
    phone.get_by_role("button", name="Confirm").click()
    phone.wait_for_load_state("load")
    assert phone.locator("h1").inner_text() == "Text alerts are set up"
    _check(phone)

    phone.get_by_role("link", name="Change or stop your text alerts on this website").click()
    phone.wait_for_load_state("load")
    _check(phone)
    phone.get_by_label("UK mobile phone number").fill(MOBILE)
    phone.get_by_role("button", name="Text me a code").click()
    phone.wait_for_load_state("load")
    phone.get_by_label("Code from the text").fill(_latest_code(page_as))
    phone.get_by_role("button", name="Confirm").click()
    phone.wait_for_load_state("load")
    assert phone.url.endswith("/subscribe/text/manage/alerts")
    assert "Ladywood Neighbourhood Team" in phone.locator("#text-alert-teams").inner_text()
    _check(phone)
    phone.get_by_role("button", name="Stop these alerts from Ladywood Neighbourhood Team").click()
    phone.wait_for_load_state("load")
    assert "no more text alerts from Ladywood" in phone.locator("main").inner_text()
    _check(phone)
