"""Accessibility in a real browser: axe-core (WCAG 2.2 A/AA rules), reflow at 320px, skip link, focus, print.

To cover a new page, add its path to PAGES (public, signed out) or a (demo user, path) pair to
STAFF_PAGES. Pages reached through an action (a failed form submit, say) get their own small test
that sets the state up and then calls `assert_no_axe_violations(page)`.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import ADMIN_EMAIL, COORDINATOR_EMAIL, OFFICER_EMAIL, new_context, sign_in

pytestmark = pytest.mark.browser

# Public pages, checked signed out. Paths are relative to the live server (demo data loaded).
PAGES = [
    "/",
    "/teams",
    "/teams/ladywood",
    "/login",
    "/forgot-password",
    "/?q=B16%208Q",  # a malformed postcode: the error state of the finder
    "/teams/no-such-team",  # the 404 page
    "/embed/teams/ladywood",  # the iframe list for other sites
    "/surveys",
    "/surveys/1",  # the closed demo survey with "You said, we did" and its charts
    "/surveys/2",  # the open demo survey's start page
    "/surveys/1/poster",  # the printable QR code poster
]

# Staff pages as (demo user who may see it, path). The officer is in the Ladywood team.
STAFF_PAGES = [
    (OFFICER_EMAIL, "/staff/"),
    (OFFICER_EMAIL, "/staff/teams"),
    (OFFICER_EMAIL, "/staff/teams/ladywood"),
    (COORDINATOR_EMAIL, "/staff/"),
    (ADMIN_EMAIL, "/staff/teams/new"),
    (ADMIN_EMAIL, "/staff/teams/ladywood/edit"),
    (ADMIN_EMAIL, "/staff/users"),
    (ADMIN_EMAIL, "/staff/users/new"),
    (ADMIN_EMAIL, "/staff/audit"),
    (ADMIN_EMAIL, "/staff/mail"),
    (OFFICER_EMAIL, "/staff/signups"),
    (COORDINATOR_EMAIL, "/staff/signups/export"),
    (OFFICER_EMAIL, "/staff/surveys"),
    (OFFICER_EMAIL, "/staff/surveys/new"),
    (OFFICER_EMAIL, "/staff/surveys/1"),
    (OFFICER_EMAIL, "/staff/surveys/1/edit"),
    (OFFICER_EMAIL, "/staff/surveys/1/results"),
    (OFFICER_EMAIL, "/staff/surveys/1/results/8"),  # free-text answers with search
    (OFFICER_EMAIL, "/staff/surveys/1/outcome"),
    (OFFICER_EMAIL, "/staff/surveys/1/questions/3/edit"),
    (OFFICER_EMAIL, "/staff/surveys/2/questions/new"),
    (OFFICER_EMAIL, "/staff/surveys/2/questions/new?kind=rating"),
    (COORDINATOR_EMAIL, "/staff/surveys/new"),
]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}

_axe = Axe()  # uses the axe.min.js bundled with axe-playwright-python: no network


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']} [{v.get('helpUrl', '')}]")
        for node in v["nodes"][:10]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    at {target}")
            lines.append(f"       {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n       ")
            if summary:
                lines.append(f"       {summary}")
        if len(v["nodes"]) > 10:
            lines.append(f"    ... and {len(v['nodes']) - 10} more element(s)")
    return "\n".join(lines)


def assert_no_axe_violations(page) -> None:
    results = _axe.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    assert not violations, (
        f"axe found {len(violations)} WCAG A/AA rule violation(s) on {page.url}:\n{format_violations(violations)}"
    )


def open_page(page, path: str):
    """Go to a page; any HTTP status is fine (error pages are checked too), a server error is not."""
    response = page.goto(path)
    assert response is not None, path
    assert response.status < 500, f"{path} answered HTTP {response.status}"
    return response


def assert_page_basics(page) -> None:
    """What every page promises: a language, a title, exactly one h1, a main landmark and a skip link."""
    assert page.locator("html").get_attribute("lang"), "the page has no lang"
    assert page.title().strip(), "the page has no title"
    assert page.locator("h1").count() == 1, f"expected one h1 on {page.url}"
    assert page.locator("main#main-content").count() == 1
    assert page.locator("a.skip-link[href='#main-content']").count() == 1


# --- signing in ------------------------------------------------------------------------


def test_officer_signs_in_through_the_form_and_lands_in_the_staff_area(page):
    sign_in(page, OFFICER_EMAIL)
    assert page.url.endswith("/staff/"), page.url
    assert page.get_by_role("heading", level=1, name="Staff area").is_visible()
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert page.get_by_role("status").filter(has_text="Signed in as").is_visible()


# --- axe-core ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_public_page_has_no_axe_violations(page, path):
    open_page(page, path)
    assert_page_basics(page)
    assert_no_axe_violations(page)


@pytest.mark.parametrize(("email", "path"), STAFF_PAGES, ids=[f"{e.split('@')[0]}:{p}" for e, p in STAFF_PAGES])
def test_staff_page_has_no_axe_violations(page_as, email, path):
    page = page_as(email)
    response = open_page(page, path)
    assert response.status == 200 and "/login" not in page.url, f"{email} could not open {path} (at {page.url})"
    assert_page_basics(page)
    assert_no_axe_violations(page)


def test_login_error_summary_is_accessible(page):
    page.goto("/login")
    page.get_by_label("Email address").fill(OFFICER_EMAIL)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")

    assert page.title().startswith("Error:"), page.title()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert summary.get_attribute("role") == "alert"
    # The summary links to the field, the message sits next to it, and the typed email stays.
    link = summary.locator("a[href='#password']")
    assert link.count() == 1
    assert page.locator("#password").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Email address").input_value() == OFFICER_EMAIL
    link.click()
    assert page.evaluate("document.activeElement.id") == "password"
    assert_no_axe_violations(page)


def test_postcode_finder_error_has_a_summary_and_keeps_the_answer(page):
    page.goto("/")
    page.get_by_label("Your postcode or team name").fill("B16 8Q")
    page.get_by_role("button", name="Find my team").click()
    page.wait_for_load_state("load")

    assert page.title().startswith("Error:"), page.title()
    summary = page.locator(".error-summary")
    assert summary.get_attribute("role") == "alert"
    assert summary.locator("a[href='#q']").count() == 1
    field = page.get_by_label("Your postcode or team name")
    assert field.input_value() == "B16 8Q"
    assert field.get_attribute("aria-invalid") == "true"
    assert_no_axe_violations(page)


# --- small screens, keyboard and print ----------------------------------------------------


@pytest.fixture
def narrow_page(browser, live_server):
    """A phone-sized page, 320 CSS pixels wide (WCAG 1.4.10 reflow)."""
    ctx = new_context(browser, live_server, viewport={"width": 320, "height": 640})
    yield ctx.new_page()
    ctx.close()


@pytest.mark.parametrize("path", PAGES)
def test_no_horizontal_scroll_at_320px(narrow_page, path):
    open_page(narrow_page, path)
    width = narrow_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{path} is {width}px wide at a 320px viewport, so it scrolls sideways"


def test_skip_link_appears_on_focus_and_moves_to_main(narrow_page):
    page = narrow_page
    page.goto("/")
    skip = page.locator("a.skip-link")
    assert not _in_viewport(page, skip), "the skip link should be off screen until focused"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')"), (
        "Tab did not reach the skip link first"
    )
    assert skip.is_visible()
    assert _in_viewport(page, skip), "the focused skip link is not on screen"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main-content")
    assert page.evaluate("document.activeElement.id") == "main-content"


def _in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return bool(
        box
        and box["width"] > 0
        and box["height"] > 0
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"]
        and box["y"] + box["height"] <= size["height"]
    )


FOCUS_STYLE = """el => {
  const s = getComputedStyle(el);
  return [s.outlineStyle, s.outlineColor, s.outlineWidth, s.boxShadow, s.backgroundColor, s.color, s.textDecorationLine].join('|');
}"""

# Text colour and the nearest opaque background behind the element, as [r, g, b] lists.
FOCUS_COLOURS = """el => {
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  let bg = null;
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    const c = rgb(getComputedStyle(node).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] === 1)) { bg = c.slice(0, 3); break; }
  }
  return {text: rgb(getComputedStyle(el).color).slice(0, 3), background: bg || [255, 255, 255]};
}"""


def contrast_ratio(a: list[float], b: list[float]) -> float:
    def luminance(rgb):
        channels = []
        for value in rgb:
            c = value / 255
            channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
        r, g, b_ = channels
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def assert_focus_visible_everywhere(page, path: str) -> None:
    """Tab through the page: each stop must look different when focused, and its text stay readable."""
    seen = 0
    for _ in range(60):
        page.keyboard.press("Tab")
        handle = page.evaluate_handle("document.activeElement")
        if page.evaluate("el => el === document.body", handle):
            break
        description = page.evaluate("el => el.outerHTML.slice(0, 120)", handle)
        focused = page.evaluate(FOCUS_STYLE, handle)
        colours = page.evaluate(FOCUS_COLOURS, handle)
        page.evaluate("el => el.blur()", handle)
        unfocused = page.evaluate(FOCUS_STYLE, handle)
        page.evaluate("el => el.focus()", handle)
        assert focused != unfocused, f"no visible focus style on {description}"
        ratio = contrast_ratio(colours["text"], colours["background"])
        assert ratio >= 4.5, f"focused {description} has text contrast {ratio:.2f}:1 ({colours})"
        seen += 1
    assert seen >= 3, f"only {seen} focusable element(s) reached by Tab on {path}"


@pytest.mark.parametrize("path", ["/", "/login"])
def test_every_focusable_element_shows_focus(page, path):
    page.goto(path)
    assert_focus_visible_everywhere(page, path)


def test_focus_is_visible_in_the_staff_header(page_as):
    page = page_as(OFFICER_EMAIL)
    page.goto("/staff/")
    assert_focus_visible_everywhere(page, "/staff/")


def test_focus_is_visible_in_the_error_summary(page):
    page.goto("/login")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    assert page.locator(".error-summary a").count() == 2  # email and password both missing
    assert_focus_visible_everywhere(page, "/login (failed)")


def test_print_styles_hide_navigation_and_keep_content(page):
    page.goto("/teams/ladywood")
    page.emulate_media(media="print")
    navs = page.locator(".site-header nav").all()  # the language bar and the main navigation
    assert len(navs) == 2 and not any(nav.is_visible() for nav in navs)
    assert not page.locator("a.skip-link").is_visible()
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.locator(".site-footer").get_by_text("999").first.is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


# --- sign-ups (issue 5): pages whose addresses depend on the demo data's ids -----------------


def test_signup_journey_pages_are_accessible(page):
    """Event page, the sign-up question page, its error summary and the confirmation panel."""
    page.goto("/events?team=ladywood&type=cuppa-with-a-copper")
    page.locator("a.event-title").first.click()
    page.wait_for_load_state("load")
    assert page.locator("#sign-up").count() == 1, page.url
    assert_no_axe_violations(page)
    page.locator("#sign-up a.button").first.click()
    page.wait_for_load_state("load")
    assert "/sign-up" in page.url
    assert_page_basics(page)
    assert_no_axe_violations(page)
    page.get_by_label("Email address").fill("not-an-email")
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.title().startswith("Error:") and page.locator(".error-summary a[href='#name']").count() == 1
    assert page.get_by_label("Email address").input_value() == "not-an-email"
    assert_no_axe_violations(page)
    page.get_by_label("Full name").fill("Axe Resident")
    page.get_by_label("Email address").fill("axe.resident@example.org")
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/sign-up/done") and page.locator(".panel").is_visible()
    assert_no_axe_violations(page)


def test_attendee_list_and_sign_in_sheet_are_accessible(page_as):
    page = page_as(OFFICER_EMAIL)
    page.goto("/staff/signups")
    page.locator("table a").first.click()
    page.wait_for_load_state("load")
    assert "/signups" in page.url and page.locator(".attendance-button").count() > 0
    assert_page_basics(page)
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Printable sign-in sheet").click()
    page.wait_for_load_state("load")
    assert_no_axe_violations(page)


def test_signup_page_reflows_at_320px(narrow_page):
    page = narrow_page
    page.goto("/events?team=ladywood&type=cuppa-with-a-copper")
    page.locator("a.event-title").first.click()
    page.locator("#sign-up a.button").first.click()
    page.wait_for_load_state("load")
    for _ in range(2):  # the question page, then its error state
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{page.url} is {width}px wide at a 320px viewport"
        page.locator("form button[type=submit]").click()
        page.wait_for_load_state("load")
