"""Residents in their own language: which language a request is in, gettext, and dates in that language.

Why here and not in each feature: the language is chosen once per request (or forced once per email)
and every layer reads it, so it lives in core beside time and links.

Choosing (in this order): `?lang=xx` on any page (kept in a `lang` cookie for a year), the cookie,
the browser's Accept-Language, else English. An unknown `?lang=` is English, with no error. A
language whose compiled catalogue is missing or unreadable at run time is English too: logged once
per process, never a 500. Feeds and the API ignore the cookie and the browser: their fixed phrases
change only with an explicit `?lang=`, so existing subscribers see the same bytes as before.
Staff pages (/staff, /speed-watch/staff...) are always English: officers work in English, and a
resident's language in the same browser must not turn the staff area right to left.

Public interface: `_`, `_l` (lazy, for module-level labels and form fields), `ngettext`,
`current_language()`, `html_lang()`, `text_direction()`, `force_language(code)` (emails rendered in
the worker in the recipient's language), `language_for_record()` (what to store with a resident's
record), `lang_param()` (the `lang` query value for links in emails and on posters),
`format_date`/`format_time`/`format_skeleton` (Babel, in the current language), `languages()`;
in Jinja, `as_written()` and `|bdi` for officers' own words (their direction, not the page's).
Adding a language needs no code change: compile its catalogue under engagement/translations/ and
list its code in LANGUAGES.
"""

from __future__ import annotations

import functools
import logging
import threading
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode as url_encode

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel.support import Translations
from flask import current_app, g, has_app_context, has_request_context, request
from flask_babel import Babel, gettext, lazy_gettext, refresh
from flask_babel import ngettext as _ngettext
from markupsafe import Markup, escape

SOURCE = "en"  # the language the code and templates are written in
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60
LANGUAGE_MAX = 10  # the stored column's length

# Feeds and the API: their words change only with an explicit ?lang= (see the module docstring).
_FEED_SUFFIXES = (".ics", ".rss", ".atom", ".xml", ".json")
_FEED_PREFIXES = ("/api/",)
# Staff areas: always English.
_STAFF_PREFIXES = ("/staff", "/speed-watch/staff")

log = logging.getLogger(__name__)
babel = Babel()
_lock = threading.Lock()

_ = gettext
_l = lazy_gettext


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """'1 place left' / '%(num)d places left': the right form for the number in the current language."""
    return _ngettext(singular, plural, num, **variables)


def languages() -> list[str]:
    """The configured codes, English first ('en', 'ur', 'pa', 'bn', 'pl', 'ar')."""
    codes = list(current_app.config.get("LANGUAGES") or [SOURCE])
    return codes if SOURCE in codes else [SOURCE, *codes]


def _translation_dirs() -> list[str]:
    return [str(Path(d)) for d in current_app.extensions["babel"].translation_directories]


def available(code: str) -> bool:
    """Whether `code` can be shown: English always; another language only if its catalogue loads.

    Checked once per process and language: a missing or broken .mo is logged once and the
    language is then served as English rather than answering 500 on every page."""
    if code == SOURCE:
        return True
    if code not in languages():
        return False
    cache = current_app.extensions.setdefault("i18n_available", {})
    if code not in cache:
        with _lock:
            cache[code] = _catalogue_loads(code)
    return cache[code]


def _catalogue_loads(code: str) -> bool:
    for directory in _translation_dirs():
        mo = Path(directory) / code / "LC_MESSAGES" / "messages.mo"
        if mo.is_file():
            try:
                Translations.load(directory, [code])
                return True
            except Exception:  # a corrupt catalogue must not take the site down
                log.exception("language %s: the catalogue %s cannot be read; showing English", code, mo)
                return False
    log.warning("language %s: no compiled catalogue (messages.mo) found; showing English", code)
    return False


def _clean(code: str | None) -> str | None:
    """A configured, available code for `code` ('ur', 'UR', 'pl-PL' -> 'pl'), else None."""
    if not code:
        return None
    code = code.strip().replace("_", "-").lower()
    for candidate in (code, code.split("-")[0]):
        if candidate in languages():
            return candidate if available(candidate) else SOURCE
    return None


def _is_feed_path(path: str) -> bool:
    return path.endswith(_FEED_SUFFIXES) or path.startswith(_FEED_PREFIXES)


def _is_staff_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in _STAFF_PREFIXES)


def select_language() -> str:
    """The current request's language code (Flask-Babel's locale selector)."""
    forced = g.get("_i18n_forced") if has_app_context() else None
    if forced:
        return forced
    if not has_request_context():
        return SOURCE
    path = request.path
    if _is_staff_path(path):
        return SOURCE
    asked = request.args.get(COOKIE)
    if asked is not None:
        return _clean(asked) or SOURCE  # an unknown ?lang= is English, never an error
    if _is_feed_path(path):
        return SOURCE
    from_cookie = _clean(request.cookies.get(COOKIE))
    if from_cookie:
        return from_cookie
    best = request.accept_languages.best_match(languages())
    return _clean(best) or SOURCE


def current_language() -> str:
    """'en', 'ur', 'pl'... for what is being rendered now (a request, or a forced email); English in
    an app without Flask-Babel (a bare test app using core pieces such as the feed cache)."""
    if not has_app_context() or "babel" not in current_app.extensions:
        return SOURCE
    from flask_babel import get_locale

    locale = get_locale()
    return str(locale).replace("_", "-") if locale else SOURCE


def html_lang(code: str | None = None) -> str:
    """The `lang` attribute: 'en-GB' for English (as the site has always said), else the code."""
    code = code or current_language()
    return "en-GB" if code == SOURCE else code


def text_direction(code: str | None = None) -> str:
    """'rtl' for Urdu and Arabic, else 'ltr' (from Babel's locale data, so new languages need no code)."""
    code = code or current_language()
    try:
        return Locale.parse(code.replace("-", "_")).text_direction
    except (ValueError, UnknownLocaleError):
        return "ltr"


@functools.cache
def language_name(code: str) -> str:
    """The language named in its own script: 'English', 'اردو', 'ਪੰਜਾਬੀ', 'বাংলা', 'Polski', 'العربية'."""
    if code == SOURCE:
        return "English"
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_")) or code
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:] if name[:1].isascii() else name


def language_for_record() -> str | None:
    """What to store with a resident's sign-up, subscription, response or application: the page's
    language, or None outside a request (imports, the CLI, staff adding someone) so emails use English."""
    if not has_request_context() or _is_staff_path(request.path):
        return None
    return current_language()[:LANGUAGE_MAX]


def language_of(record) -> str | None:
    """The language to write to a resident in: the one stored on their record; for a record not yet
    saved (the default fills it in at INSERT), the page's language, as the default will store."""
    code = getattr(record, "language", None)
    if code is None and getattr(record, "id", None) is None:
        return language_for_record()
    return code


def lang_param(code: str | None = None) -> str | None:
    """The `lang` value for a link in an email or on a poster: None for English (links unchanged)."""
    code = code or current_language()
    return None if code == SOURCE else code


@contextmanager
def force_language(code: str | None):
    """Render in `code` (a stored record's language) whatever the request says: worker emails.

    None or an unknown or unavailable code means English. Works with or without a request, and
    across `core.urls.url_context()` (the choice lives on `g`, shared by both contexts)."""
    chosen = (_clean(code) if code else None) or SOURCE
    previous = g.get("_i18n_forced")
    g._i18n_forced = chosen
    refresh()
    try:
        yield chosen
    finally:
        g._i18n_forced = previous
        refresh()


def _babel_locale() -> Locale:
    return Locale.parse(current_language().replace("-", "_"))


def format_date(value, format: str = "full") -> str:
    """A date in the current language ('wtorek, 3 marca 2027'); callers convert to local time first."""
    return babel_dates.format_date(value, format=format, locale=_babel_locale())


def format_time(value, format: str = "short") -> str:
    """A wall-clock time in the current language ('18:00'); callers convert to local time first.

    Its spaces are no-break spaces, so '7:00 PM' (Urdu) never splits over two lines. In a right-to-left
    language a time written in Latin letters ('7:00 PM', not Arabic's '7:00 م') is also a left-to-right
    isolate (U+2066..U+2069, plain text's `<bdi dir="ltr">`), so it reads '7:00 PM', not 'PM 7:00',
    in pages, emails and feeds alike."""
    text = babel_dates.format_time(value, format=format, locale=_babel_locale()).replace(" ", "\u00a0")
    if text_direction() == "rtl" and not _has_rtl(text):
        return f"\u2066{text}\u2069"
    return text


def format_skeleton(skeleton: str, value) -> str:
    """A date or time from a CLDR skeleton ('MMMd', 'Hm') in the current language."""
    return babel_dates.format_skeleton(skeleton, value, locale=_babel_locale())


def ltr(value) -> Markup:
    """Jinja filter: keep a number, postcode, time, email address or URL left to right inside
    right-to-left text (`<bdi dir="ltr">`), so 'B1 1AA' never reads 'AA1 B1' in Urdu."""
    return Markup('<bdi dir="ltr">%s</bdi>') % escape(value)


def as_written() -> Markup:
    """Jinja global for an element holding an officer's own words (a title, a post, a venue name):
    ' dir="auto"', plus ' lang="en-GB"' on a page in another language (officers write in English).

    `dir="auto"` lets the text find its own direction, so "Cuppa with a Copper!" keeps its "!" at the
    right-hand end on an Urdu page, and an Urdu title reads right to left on an English one."""
    if current_language() != SOURCE:
        return Markup(' lang="%s" dir="auto"') % html_lang(SOURCE)
    return Markup(' dir="auto"')


def _has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def bdi(value, original: bool = True) -> Markup:
    """Jinja filter: an officer's words inside running text (a team or venue name in a sentence),
    isolated with `<bdi>` (direction from its own letters), so its punctuation and any postcode
    after it stay in order in right-to-left text. Marked lang="en-GB" on pages in another language,
    unless `original=False` (text that may be the officer's translation: a survey question).

    On English pages only right-to-left words need isolating (an Urdu venue name before a postcode):
    English inside English text is left as it was, so those pages keep their exact text."""
    if value is None or value == "":
        return Markup("")
    if current_language() != SOURCE:
        if not original:
            return Markup("<bdi>%s</bdi>") % escape(value)
        return Markup('<bdi lang="%s">%s</bdi>') % (html_lang(SOURCE), escape(value))
    if _has_rtl(str(value)):
        return Markup("<bdi>%s</bdi>") % escape(value)
    return escape(value)


def _remember_choice(response):
    """`?lang=xx` (a known language) is kept in the `lang` cookie for a year."""
    if not has_request_context() or _is_staff_path(request.path):
        return response
    asked = (request.args.get(COOKIE) or "").strip().lower()
    # The configured code is kept even while its catalogue is missing: the choice returns with the catalogue.
    code = next((c for c in languages() if asked in (c, c.split("-")[0]) or asked.startswith(c + "-")), None)
    if code and request.cookies.get(COOKIE) != code:
        response.set_cookie(
            COOKIE,
            code,
            max_age=COOKIE_MAX_AGE,
            samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
            httponly=True,
        )
    return response


def _add_vary(response):
    """Pages differ by cookie and browser language now: shared caches must not mix them up."""
    if has_request_context() and not _is_feed_path(request.path):
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response


def switch_url(code: str) -> str:
    """This page in another language: the same path and query, with `lang=code` (a plain link, no JS)."""
    if not has_request_context():
        return "?" + url_encode({COOKIE: code})
    args = [(k, v) for k, v in request.args.items(multi=True) if k != COOKIE]
    args.append((COOKIE, code))
    return request.path + "?" + url_encode(args)


def template_context() -> dict:
    code = current_language()
    return {
        "page_lang": html_lang(code),
        "page_dir": text_direction(code),
        "current_language": code,
        "language_choices": [(c, language_name(c), html_lang(c), text_direction(c)) for c in languages()],
        "language_url": switch_url,
    }


def init_app(app) -> None:
    """Flask-Babel with our selector, Jinja's `_`/`ngettext`, the `ltr` filter, the cookie and Vary."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(Path(app.root_path) / "translations"))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", SOURCE)
    babel.init_app(app, locale_selector=select_language)
    # `{% trans %}` blocks may wrap over lines in templates; the msgid is one line of single spaces.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.filters["ltr"] = ltr
    app.jinja_env.filters["bdi"] = bdi
    app.jinja_env.globals["as_written"] = as_written
    app.jinja_env.globals["lang_param"] = lang_param
    app.after_request(_remember_choice)
    app.after_request(_add_vary)
    app.context_processor(template_context)
