"""Issue 15 in a real browser: the resident's journey in Urdu (right to left) and in Polish.

Each page is loaded once per language on a 320x568 phone, and on that one load we check what the
issue promises: axe-core finds no WCAG 2.2 A/AA violation, `<html lang>` and `dir` are right, nothing
is wider than the screen, and the page really is in that language (not English with a new `lang`).
Urdu pages are also saved as screenshots for people to look at: in $SHOTS_DIR when it is set, else
in the test's own output folder (pytest's tmp_path).

The last test is the phone header (issue 15, header): on a 320x568 screen the event page's sign-up
button must be on the first screen in Urdu too, where Nastaliq lines are tallest.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import new_context, watch_for_errors
from .test_accessibility import assert_no_axe_violations, assert_page_basics

pytestmark = pytest.mark.browser

PHONE = {"width": 320, "height": 568}
# code -> (html lang, dir, a word of the site's own frame that must appear in that language)
LANGUAGES = {
    "ur": ("ur", "rtl", "اردو"),
    "pl": ("pl", "ltr", "Polski"),
}
PAGES = ["home", "team", "event", "signup-errors", "subscribe", "subscribe-check-email", "survey"]


@pytest.fixture(scope="module")
def event_path(browser, live_server) -> str:
    """A Ladywood meeting's page (its id depends on the demo data, so it is looked up once)."""
    ctx = new_context(browser, live_server)
    try:
        page = ctx.new_page()
        page.goto("/events?team=ladywood&type=neighbourhood-watch-meeting")
        href = page.locator("a.event-title").first.get_attribute("href")
    finally:
        ctx.close()
    assert href and href.startswith("/events/"), href
    return href


@pytest.fixture
def phone(browser, live_server):
    ctx = new_context(browser, live_server, viewport=PHONE)
    page = ctx.new_page()
    errors = watch_for_errors(page)
    yield page
    ctx.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def _submit(page) -> None:
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state("load")


def open_in(page, name: str, lang: str, event_path: str) -> None:
    """Bring the page `name` up in `lang`: one load, or the one form submission the state needs."""
    q = f"lang={lang}"
    if name == "home":
        page.goto(f"/?{q}")
    elif name == "team":
        page.goto(f"/teams/ladywood?{q}")
    elif name == "event":
        page.goto(f"{event_path}?{q}")
    elif name == "signup-errors":
        page.goto(f"{event_path}/sign-up?{q}")
        _submit(page)  # nothing filled in: every question is missing
        assert page.locator(".error-summary").is_visible(), page.url
        assert page.locator(".error-summary a[href='#name']").count() == 1
    elif name == "subscribe":
        page.goto(f"/subscribe?{q}")
    elif name == "subscribe-check-email":
        page.goto(f"/subscribe/email?team=ladywood&{q}")
        page.locator("#email").fill(f"resident.{lang}@example.org")
        _submit(page)
        assert page.url.split("?")[0].endswith("/subscribe/check-email"), page.url
    elif name == "survey":
        page.goto(f"/surveys/2?{q}")
    else:  # pragma: no cover - a typo in PAGES
        raise AssertionError(name)


def save_shot(page, name: str, tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"i18n-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("name", PAGES)
def test_resident_page_in_urdu_and_polish(phone, event_path, tmp_path, name, lang):
    page = phone
    open_in(page, name, lang, event_path)
    html_lang, direction, own_name = LANGUAGES[lang]
    root = page.locator("html")
    assert root.get_attribute("lang") == html_lang, page.url
    assert root.get_attribute("dir") == direction, page.url
    assert page.evaluate("getComputedStyle(document.body).direction") == direction
    # The switcher marks the current language, named in its own script.
    current = page.locator(".language-bar [aria-current='true']")
    assert current.inner_text().strip() == own_name and current.get_attribute("lang") == html_lang
    # The page's own words are translated: the skip link and the main heading are not the English ones.
    assert page.locator("a.skip-link").inner_text() != "Skip to main content"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide at a 320px phone: it scrolls sideways"
    # Officers' own words (English unless translated) find their own direction: in Urdu a sentence's
    # full stop stays at its end instead of jumping to the far side.
    officer_text = {"team": "main p.lead", "survey": "main h1", "event": "main h1"}.get(name)
    if officer_text:
        assert page.locator(officer_text).first.get_attribute("dir") == "auto", f"{officer_text} on {page.url}"
    assert_page_basics(page)
    assert_no_axe_violations(page)
    if direction == "rtl":
        shot = save_shot(page, f"{lang}-{name}", tmp_path)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_sign_up_button_is_on_the_first_screen_of_a_320x568_phone(phone, event_path, lang):
    page = phone
    page.goto(f"{event_path}?lang={lang}")
    header = page.locator(".site-header").bounding_box()
    action = page.locator("#sign-up a.button").first
    box = action.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], (
        f"in {lang} the sign-up button ends {box['y'] + box['height']:.0f}px down a {PHONE['height']}px screen "
        f"(the header takes {header['height']:.0f}px)"
    )
    # Every language is still one tap away, named in its own script, without JavaScript.
    shown = [
        el.inner_text().strip() for el in page.locator(".language-bar li > :is(a[hreflang], [aria-current])").all()
    ]
    assert sorted(shown) == sorted(["English", "اردو", "ਪੰਜਾਬੀ", "বাংলা", "Polski", "العربية"]), shown
    assert all(el.is_visible() for el in page.locator(".language-bar li > a[hreflang]").all())
    # "About languages" leaves the phone header for the footer, so it is still on every page.
    about = page.locator(".language-about a")
    assert about.is_hidden()
    assert page.locator(".site-footer a", has_text=about.text_content().strip()).is_visible()
    if lang == "ur":
        # A time never splits from its AM/PM across lines and reads '7:00 PM' (a left-to-right isolate),
        # and the postcode stays left to right.
        when = page.locator(".key-fact").first.inner_text()
        assert " PM" not in when and "\u2066" in when and "\u00a0PM\u2069" in when, repr(when)
        assert page.locator(".key-fact bdi[dir='ltr']").count() >= 1
