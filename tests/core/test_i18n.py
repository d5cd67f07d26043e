"""Residents' languages (issue 15): negotiation, the cookie, ?lang=, fallbacks, plurals, dates, lang/dir."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime

import pytest
from flask import render_template_string

from engagement.core import i18n
from engagement.core.timeutil import format_date, format_range

PAGE = "/language"


def html_tag(client, url, **kwargs) -> str:
    return re.search(r"<html[^>]*>", client.get(url, **kwargs).get_data(as_text=True)).group(0)


def test_english_by_default_with_the_same_lang_attribute_as_before(client):
    assert html_tag(client, PAGE) == '<html lang="en-GB" dir="ltr">'


def test_accept_language_picks_a_shipped_language_and_ignores_others(client):
    assert (
        html_tag(client, PAGE, headers={"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"}) == '<html lang="pl" dir="ltr">'
    )
    assert html_tag(client, PAGE, headers={"Accept-Language": "de-DE,de;q=0.9"}) == '<html lang="en-GB" dir="ltr">'


def test_lang_parameter_wins_and_is_kept_in_a_cookie_for_a_year(client):
    response = client.get(PAGE + "?lang=ur", headers={"Accept-Language": "pl"})
    assert '<html lang="ur" dir="rtl">' in response.get_data(as_text=True)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=ur;") and "Max-Age=31536000" in cookie and "SameSite=Lax" in cookie
    # The cookie then beats the browser's language on pages without ?lang=.
    assert html_tag(client, "/", headers={"Accept-Language": "pl"}) == '<html lang="ur" dir="rtl">'
    assert html_tag(client, PAGE + "?lang=ar") == '<html lang="ar" dir="rtl">'
    assert html_tag(client, PAGE + "?lang=en") == '<html lang="en-GB" dir="ltr">'


def test_an_unknown_lang_is_english_without_an_error_or_a_cookie(client):
    for value in ("xx", "", "../../etc", "zz-ZZ"):
        response = client.get(PAGE, query_string={"lang": value})
        assert response.status_code == 200
        assert '<html lang="en-GB" dir="ltr">' in response.get_data(as_text=True)
        assert "lang=" not in response.headers.get("Set-Cookie", "")


def test_staff_pages_stay_english_whatever_the_resident_chose(client):
    client.get(PAGE + "?lang=ur")
    response = client.get("/staff/audit")  # redirects to sign in; the page it lands on is public
    assert response.status_code in (302, 303)
    assert i18n._is_staff_path("/staff/audit") and not i18n._is_staff_path("/staffing")


def test_every_page_has_the_switcher_with_each_language_in_its_own_script(client):
    page = client.get("/?lang=pl").get_data(as_text=True)
    nav = re.search(r'<nav class="language-bar".*?</nav>', page, re.S).group(0)
    for code, name in [("en-GB", "English"), ("ur", "اردو"), ("pa", "ਪੰਜਾਬੀ"), ("bn", "বাংলা"), ("ar", "العربية")]:
        assert f'lang="{code}" hreflang="{code}"' in nav and f">{name}</a>" in nav
    assert 'lang="pl" dir="ltr" aria-current="true">Polski</span>' in nav  # the current one is not a link
    assert 'href="/?lang=ur"' in nav and 'dir="rtl">اردو' in nav
    assert "Język" in nav  # the switcher's label is translated (pl catalogue)
    about = client.get(PAGE + "?lang=en").get_data(as_text=True)  # the cookie says Polish; the note in English
    assert "not yet been reviewed by professional translators" in about


def test_the_switcher_keeps_the_rest_of_the_query(client):
    page = client.get("/events?team=3&lang=pl").get_data(as_text=True)
    assert 'href="/events?team=3&amp;lang=ur"' in page


@pytest.fixture
def catalogues(app, tmp_path):
    """Point the app at an empty folder of catalogues for one test, then put everything back."""
    babel_config = app.extensions["babel"]
    before = babel_config.translation_directories
    babel_config.translation_directories = [str(tmp_path)]
    app.extensions.pop("i18n_available", None)
    yield tmp_path
    babel_config.translation_directories = before
    app.extensions.pop("i18n_available", None)
    babel_config.instance.domain_instance.cache.clear()


def test_a_missing_catalogue_falls_back_to_english_and_logs_once(app, catalogues, caplog):
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="engagement.core.i18n"):
        for _ in range(3):
            response = client.get(PAGE + "?lang=ur")
            assert response.status_code == 200
            assert '<html lang="en-GB" dir="ltr">' in response.get_data(as_text=True)
    warnings = [r for r in caplog.records if "no compiled catalogue" in r.getMessage()]
    assert len(warnings) == 1


def test_a_corrupt_catalogue_is_english_not_a_500(app, catalogues, caplog):
    broken = catalogues / "pl" / "LC_MESSAGES"
    broken.mkdir(parents=True)
    (broken / "messages.mo").write_bytes(b"not a catalogue")
    with caplog.at_level(logging.ERROR, logger="engagement.core.i18n"):
        response = app.test_client().get(PAGE + "?lang=pl")
    assert response.status_code == 200 and '<html lang="en-GB"' in response.get_data(as_text=True)
    assert any("cannot be read" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en", {0: "0 places left.", 1: "1 place left.", 2: "2 places left.", 5: "5 places left."}),
        ("pl", {1: "Zostało 1 miejsce.", 2: "Zostały 2 miejsca.", 5: "Zostało 5 miejsc.", 22: "Zostały 22 miejsca.",
                12: "Zostało 12 miejsc."}),
        ("ar", {0: "لا توجد أماكن متبقية.", 1: "بقي مكان واحد.", 2: "بقي مكانان.", 5: "بقيت 5 أماكن.",
                11: "بقي 11 مكانًا.", 100: "بقي 100 مكان."}),
        ("ur", {1: "1 جگہ باقی ہے۔", 2: "2 جگہیں باقی ہیں۔"}),
    ],
)  # fmt: skip
def test_plural_forms_per_language(app, code, expected):
    with app.test_request_context("/"), i18n.force_language(code):
        for n, text in expected.items():
            assert i18n.ngettext("%(num)s place left.", "%(num)s places left.", n) == text
            rendered = render_template_string("{{ ngettext('%(num)s place left.', '%(num)s places left.', n) }}", n=n)
            assert rendered == text


def test_dates_in_each_language_and_english_exactly_as_before(app):
    start = datetime(2027, 3, 3, 18, 0, tzinfo=UTC)  # 6pm in London (GMT in March before the change)
    end = datetime(2027, 3, 3, 19, 30, tzinfo=UTC)
    with app.test_request_context("/"):
        assert format_range(start, end) == "Wednesday 3 March 2027, 6pm to 7:30pm"
        with i18n.force_language("pl"):
            assert format_range(start, end) == "środa, 3 marca 2027, 18:00–19:30"
            assert format_date(date(2027, 3, 3)) == "środa, 3 marca 2027"
            assert i18n.format_skeleton("MMMd", date(2027, 3, 3)) == "3 mar"
        with i18n.force_language("ur"):
            assert "مارچ" in format_range(start, end) and format_range(start, end).endswith("تک")
        with i18n.force_language("ar"):
            assert "مارس" in format_date(date(2027, 3, 3))
        assert format_range(start, end) == "Wednesday 3 March 2027, 6pm to 7:30pm"  # back to English after


def test_force_language_survives_a_pushed_request_context_and_unknown_codes(app):
    from engagement.core.urls import public_url, url_context

    with app.app_context():
        with i18n.force_language("ur"):
            with url_context():
                assert i18n.current_language() == "ur" and i18n.text_direction() == "rtl"
                assert public_url("i18n.language").endswith("/language?lang=ur")
        assert i18n.current_language() == "en"
        assert public_url("i18n.language").endswith("/language")  # English links are unchanged
        with i18n.force_language("klingon"):
            assert i18n.current_language() == "en"
        with i18n.force_language(None):
            assert i18n.current_language() == "en"


def test_the_ltr_filter_isolates_numbers_and_escapes(app):
    with app.test_request_context("/"):
        assert render_template_string("{{ 'B1 1AA'|ltr }}") == '<bdi dir="ltr">B1 1AA</bdi>'
        assert render_template_string("{{ '<b>'|ltr }}") == '<bdi dir="ltr">&lt;b&gt;</bdi>'


def test_pages_vary_by_language_but_feeds_ignore_cookie_and_browser(client):
    assert {"Accept-Language", "Cookie"} <= set(client.get(PAGE).headers["Vary"].replace(" ", "").split(","))
    client.get(PAGE + "?lang=ur")
    with client.application.test_request_context("/calendar.ics", headers={"Accept-Language": "ur"}):
        assert i18n.select_language() == "en"
    with client.application.test_request_context("/calendar.ics?lang=pl"):
        assert i18n.select_language() == "pl"
