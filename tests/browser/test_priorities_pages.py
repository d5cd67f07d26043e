"""Priorities, people and print links in a real browser: axe-core on the public and staff pages, 320 px reflow.

The officer sets a priority through the real form first (the journey is the test's setup; the
demo's own priorities leave room for it), then records an action and adds herself to the team page; each page on the way
is checked, the error states too.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from .conftest import OFFICER_EMAIL, new_context
from .test_accessibility import assert_no_axe_violations, assert_page_basics, open_page

pytestmark = pytest.mark.browser

TEAM = "ladywood"  # the first demo team, the demo officer's


def test_setting_a_priority_recording_an_action_and_appearing_are_accessible(page_as, browser, live_server):
    page = page_as(OFFICER_EMAIL)
    open_page(page, f"/staff/teams/{TEAM}/priorities")
    assert_page_basics(page)
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Set a priority").click()
    page.wait_for_load_state("load")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Set the priority").click()  # nothing filled in: the error state
    page.wait_for_load_state("load")
    assert page.locator(".error-summary").is_visible()
    assert_no_axe_violations(page)

    page.get_by_label("The issue").fill("Speeding on Icknield Port Road")
    page.get_by_label("Date it was set").fill(date.today().isoformat())
    page.get_by_label("At a public meeting").check()
    page.get_by_label("Where, or which meeting (optional)").fill("Ladywood Community Forum")
    page.get_by_role("button", name="Set the priority").click()
    page.wait_for_load_state("load")
    assert "Priority set" in page.content(), page.locator("main").inner_text()[:800]
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Add an action to “Speeding on Icknield Port Road”").first.click()
    page.wait_for_load_state("load")
    assert_no_axe_violations(page)
    page.get_by_label("Date", exact=True).fill(date.today().isoformat())
    page.get_by_label("What the team did").fill("12 Speed Watch sessions held; 340 advisory letters")
    page.get_by_role("button", name="Add the action").click()
    page.wait_for_load_state("load")
    assert "Action added" in page.content()

    page.get_by_role("link", name=re.compile(r"^Close with an outcome")).first.click()
    page.wait_for_load_state("load")
    assert_page_basics(page)
    assert_no_axe_violations(page)

    open_page(page, f"/staff/teams/{TEAM}/people")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Add myself").click()
    page.wait_for_load_state("load")
    assert_no_axe_violations(page)
    page.get_by_label("PCSO", exact=True).check()
    page.get_by_label("Short bio (optional)").fill("I cover Ladywood and run the surgeries at the library.")
    page.get_by_label("Show me on the team's public page").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("load")
    assert "You are on the team page" in page.content()
    assert_no_axe_violations(page)
    open_page(page, f"/staff/teams/{TEAM}/people/new")
    assert_no_axe_violations(page)

    # What residents see, signed out.
    public = new_context(browser, live_server)
    try:
        resident = public.new_page()
        for path in (f"/teams/{TEAM}", f"/teams/{TEAM}/priorities"):
            open_page(resident, path)
            assert "Speeding on Icknield Port Road" in resident.content()
            assert_page_basics(resident)
            assert_no_axe_violations(resident)
        open_page(resident, f"/teams/{TEAM}")
        assert "I cover Ladywood" in resident.content()
        poster = resident.request.get(f"/teams/{TEAM}/poster.pdf")
        assert poster.status == 200 and poster.headers["content-type"] == "application/pdf"
    finally:
        public.close()


@pytest.mark.parametrize("path", [f"/teams/{TEAM}", f"/teams/{TEAM}/priorities"])
def test_team_and_priorities_pages_reflow_at_320px(browser, live_server, path):
    ctx = new_context(browser, live_server, viewport={"width": 320, "height": 640})
    try:
        page = ctx.new_page()
        open_page(page, path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} scrolls sideways at 320 px ({width} px wide)"
    finally:
        ctx.close()
