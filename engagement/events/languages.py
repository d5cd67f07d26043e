"""Events in more than one language: the languages officers there speak, and the event's own text
translated by the officer (issue 15, "Content in more than one language").

* Languages spoken are a structured fact, like a venue's step-free access: BCP 47 codes chosen from
  SPOKEN (the most common main languages in the West Midlands after English), stored on
  `Event.languages` ("en ur pa"). The staff form names them in English; public pages in the
  reader's language (CLDR names through Babel), so an Urdu reader reads "انگریزی، اردو اور پنجابی".
* Translations: for each shipped language (the LANGUAGES setting) an officer may give a title and
  description (`Event.translations`). A resident reading in that language sees them, marked with
  `lang` and `dir` on the element; everyone else sees the original. Feeds carry the original, and
  the translation with `?lang=`; the API carries the original plus a `translations` object.
Nothing here touches the English bytes of events that have neither: existing subscribers see no change.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from markupsafe import Markup, escape
from sqlalchemy import String, literal, or_

from engagement.core.errors import DomainError, FieldChecks
from engagement.core.i18n import SOURCE, _, current_language, html_lang, languages, text_direction
from engagement.core.markup import clean_source, has_tags
from engagement.events.models import DESCRIPTION_MAX, TITLE_MAX, Event

# Officers pick from these (English first). Names in English for the staff form: CLDR says "Bangla",
# but residents and officers in the UK say "Bengali".
SPOKEN_NAMES = {
    "en": "English",
    "ur": "Urdu",
    "pa": "Punjabi",
    "bn": "Bengali",
    "pl": "Polish",
    "ar": "Arabic",
    "gu": "Gujarati",
    "so": "Somali",
    "ro": "Romanian",
    "ku": "Kurdish",
    "ps": "Pashto",
    "fa": "Persian (Farsi)",
    "zh": "Chinese",
    "ta": "Tamil",
}
SPOKEN = tuple(SPOKEN_NAMES)
FIELDS = ("title", "description")


def spoken_choices() -> list[tuple[str, str]]:
    """(code, English name) for the staff form's checkboxes."""
    return list(SPOKEN_NAMES.items())


def spoken_name(code: str, reader: str | None = None) -> str:
    """A spoken language named in the reader's language ('Urdu' in English, 'اردو' in Urdu, 'urdu' in Polish)."""
    reader = reader or current_language()
    if reader == SOURCE:
        return SPOKEN_NAMES.get(code, code)
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(reader.replace("-", "_")) or code
    except (ValueError, UnknownLocaleError):
        return SPOKEN_NAMES.get(code, code)


def _list_locale(reader: str) -> str:
    return "en_GB" if reader == SOURCE else reader.replace("-", "_")  # "English, Urdu and Punjabi": no Oxford comma


def spoken_list(codes: list[str], reader: str | None = None) -> str:
    """'English, Urdu and Punjabi', in the reader's language and its own way of listing."""
    reader = reader or current_language()
    names = [spoken_name(code, reader) for code in codes]
    try:
        return format_list(names, locale=_list_locale(reader))
    except (ValueError, UnknownLocaleError):
        return ", ".join(names)


def spoken_sentence(event: Event) -> str:
    """'Officers at this event speak English, Urdu and Punjabi.' ('' when the officer did not say)."""
    codes = event.language_codes
    if not codes:
        return ""
    return _("Officers at this event speak %(languages)s.", languages=spoken_list(codes))


def feed_line(event: Event) -> str:
    """The line the iCalendar description gets, only for events whose languages were given."""
    codes = event.language_codes
    if not codes:
        return ""
    return _("Languages spoken: %(languages)s", languages=spoken_list(codes))


def clean_languages(codes) -> str:
    """The stored form: known codes only, each once, in SPOKEN's order."""
    wanted = {str(code).strip().lower() for code in codes or () if str(code).strip()}
    unknown = wanted - set(SPOKEN)
    if unknown:
        raise DomainError("Choose the languages from the list", field="languages")
    return " ".join(code for code in SPOKEN if code in wanted)


def speaks(codes) -> object:
    """SQL condition: the event's languages include any of `codes` (already checked against SPOKEN)."""
    padded = literal(" ", String) + Event.languages + literal(" ", String)
    return or_(*(padded.like(f"% {code} %") for code in codes))


# --- translations --------------------------------------------------------------------------


def translatable() -> list[str]:
    """The languages an officer may translate into: every shipped language but the source."""
    return [code for code in languages() if code != SOURCE]


def field_name(name: str, code: str) -> str:
    """The form field of one translated part: 'title_ur', 'description_pa'."""
    return f"{name}_{code.replace('-', '_')}"


def clean_translations(given: dict, keep: dict | None = None) -> dict | None:
    """{code: {"title", "description"}} checked like the original's (plain title, Markdown description).

    A language with neither is dropped; a description without its title is refused (a reader would
    see a translated description under an English title). Languages no longer shipped are kept as they
    were (`keep`), so taking a language out of LANGUAGES loses no officer's words. None: no translations.
    """
    checks = FieldChecks()
    shipped = set(translatable())
    result = {code: dict(value) for code, value in (keep or {}).items() if code not in shipped}
    for code, value in (given or {}).items():
        if code not in shipped:
            continue
        title = " ".join((value.get("title") or "").split())
        description = clean_source(value.get("description") or "")
        if not title and not description:
            continue
        name = SPOKEN_NAMES.get(code, code)
        if not title:
            checks.add(f"Enter the title in {name}, or clear the {name} description", field_name("title", code))
        elif has_tags(title):
            checks.add(f"The {name} title is plain text: remove the HTML tags", field_name("title", code))
        elif len(title) > TITLE_MAX:
            checks.add(f"The {name} title must be {TITLE_MAX} characters or fewer", field_name("title", code))
        if len(description) > DESCRIPTION_MAX:
            checks.add(
                f"The {name} description must be {DESCRIPTION_MAX} characters or fewer",
                field_name("description", code),
            )
        result[code] = {"title": title, "description": description}
    checks.done()
    return result or None


def translation(event: Event, code: str | None = None) -> dict | None:
    """The event's text in `code` (default: the current language), or None."""
    code = code or current_language()
    if code == SOURCE:
        return None
    found = (event.translations or {}).get(code)
    return found if found and found.get("title") else None


@dataclass(frozen=True)
class Shown:
    """An event's title and description as a reader sees them, with the language they are in."""

    title: str
    description: str
    lang: str  # the `lang` of the title, e.g. "ur", or "en-GB" for the original
    translated: bool
    description_translated: bool = False  # a translated title may sit over the original description

    @property
    def dir(self) -> str:
        return text_direction(self.lang) if self.translated else "auto"

    @property
    def attrs(self) -> Markup:
        """' lang="ur" dir="rtl"' for the element holding the title. The original is marked only on
        pages in another language (officers write in English); `dir="auto"` lets it find its own direction."""
        return _attrs(self.lang if self.translated else None)

    @property
    def description_attrs(self) -> Markup:
        return _attrs(self.lang if self.description_translated else None)


def _attrs(code: str | None) -> Markup:
    if code is not None:
        return Markup(' lang="%s" dir="%s"') % (escape(code), escape(text_direction(code)))
    if current_language() != SOURCE:
        return Markup(' lang="%s" dir="auto"') % html_lang(SOURCE)
    return Markup(' dir="auto"')


def shown(event: Event, code: str | None = None) -> Shown:
    """The title and description for the current (or given) language: the translation, else the original."""
    found = translation(event, code)
    if found is None:
        return Shown(event.title, event.description, html_lang(SOURCE), False)
    code = code or current_language()
    description = found.get("description") or ""
    return Shown(found["title"], description or event.description, code, True, bool(description))


def translations_json(event: Event) -> dict:
    """The API's `translations` object: {"ur": {"title": ...}}, only languages with a title."""
    return {
        code: {"title": value["title"]}
        for code, value in sorted((event.translations or {}).items())
        if value and value.get("title")
    }


def register(app) -> None:
    """Jinja: `event_text(event)` (a Shown) and `spoken_sentence(event)`; `spoken_name` for filters."""
    app.add_template_global(shown, "event_text")
    app.add_template_global(spoken_sentence, "spoken_sentence")
    app.add_template_global(spoken_name, "spoken_name")


__all__ = [
    "SPOKEN",
    "Shown",
    "clean_languages",
    "clean_translations",
    "feed_line",
    "shown",
    "speaks",
    "spoken_choices",
    "spoken_list",
    "spoken_name",
    "spoken_sentence",
    "translatable",
    "translation",
    "translations_json",
]
