"""Data-protection pages in a real browser: axe-core on the legal pages, residents' request pages and the
staff pages (with a search result and the check-answers page), plus two-factor set-up; 320 px reflow."""

from __future__ import annotations

import pytest

from .conftest import ADMIN_EMAIL, OFFICER_EMAIL, new_context
from .test_accessibility import assert_no_axe_violations, assert_page_basics, open_page

pytestmark = pytest.mark.browser

PUBLIC = ["/privacy", "/accessibility", "/privacy/request"]
STAFF = ["/staff/privacy/requests", "/staff/privacy/retention"]


@pytest.mark.parametrize("path", PUBLIC)
def test_public_privacy_page_has_no_axe_violations(page, path):
    open_page(page, path)
    assert_page_basics(page)
    assert_no_axe_violations(page)


def test_request_form_error_and_check_email_pages_are_accessible(page):
    open_page(page, "/privacy/request")
    page.get_by_role("button", name="Email me a link").click()
    page.wait_for_load_state("load")
    assert page.locator(".error-summary").is_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Email address").fill("someone@example.org")
    page.get_by_role("button", name="Email me a link").click()
    page.wait_for_load_state("load")
    assert "Check your email" in page.content()
    assert_no_axe_violations(page)


@pytest.mark.parametrize("path", STAFF)
def test_staff_privacy_page_has_no_axe_violations(page_as, path):
    page = page_as(ADMIN_EMAIL)
    response = open_page(page, path)
    assert response.status == 200 and "/login" not in page.url
    assert_page_basics(page)
    assert_no_axe_violations(page)


def test_search_results_and_check_answers_are_accessible(page_as):
    page = page_as(ADMIN_EMAIL)
    open_page(page, "/staff/privacy/requests")
    page.get_by_label("Email address or phone number").fill(OFFICER_EMAIL)
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state("load")
    assert "Results for" in page.content()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Delete this person's data").click()
    page.wait_for_load_state("load")
    assert "Check before you delete" in page.content()
    assert_no_axe_violations(page)  # nothing is deleted: the page asks for the typed confirmation first


def test_two_factor_set_up_page_is_accessible(page_as):
    page = page_as(OFFICER_EMAIL)
    response = open_page(page, "/staff/account/two-factor")
    assert response.status == 200
    assert page.locator("svg[role=img]").count() == 1
    assert_page_basics(page)
    assert_no_axe_violations(page)


@pytest.mark.parametrize("path", PUBLIC)
def test_privacy_pages_reflow_at_320px(browser, live_server, path):
    ctx = new_context(browser, live_server, viewport={"width": 320, "height": 640})
    try:
        page = ctx.new_page()
        open_page(page, path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} scrolls sideways at 320px ({width}px wide)"
    finally:
        ctx.close()
