"""Issue 13 §6 in a real browser: an officer signing a resident up from the public form (a street stall)
sees that it is recorded as entered by them, and the page passes axe-core."""

from __future__ import annotations

import pytest

from .conftest import OFFICER_EMAIL
from .test_accessibility import assert_no_axe_violations, assert_page_basics

pytestmark = pytest.mark.browser


def test_officer_on_the_public_sign_up_page_sees_the_on_behalf_notice(page_as):
    page = page_as(OFFICER_EMAIL)
    page.goto("/events?team=ladywood&type=cuppa-with-a-copper")
    page.locator("a.event-title").first.click()
    page.wait_for_load_state("load")
    page.locator("#sign-up a.button").first.click()
    page.wait_for_load_state("load")
    assert "/sign-up" in page.url
    notice = page.locator(".notice", has_text="recorded as entered by you")
    assert notice.is_visible() and "You are signed in as" in notice.inner_text()
    assert_page_basics(page)
    assert_no_axe_violations(page)
