"""The shipped catalogues are complete and honest (issue 15). Strict on purpose: it fails until every
message of every language is translated, none is fuzzy, no placeholder is lost or renamed, and each
plural message has exactly the forms the language's Plural-Forms header says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from engagement.config import load_config

TRANSLATIONS = Path(__file__).resolve().parent.parent / "engagement" / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
CODES = [c for c in load_config("/tmp", {"APP_ENV": "test", "SECRET_KEY": "x" * 40})["LANGUAGES"] if c != "en"]


def catalogue(code):
    with open(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=code)


def template_ids() -> set:
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


@pytest.mark.parametrize("code", CODES)
def test_every_language_has_a_catalogue_with_the_right_plural_header(code):
    cat = catalogue(code)
    rule = get_plural(Locale.parse(code))
    assert cat.num_plurals == rule.num_plurals, f"{code}: Plural-Forms says {cat.num_plurals} forms, CLDR {rule}"
    assert cat.plural_expr.replace(" ", "") == rule.plural_expr.replace(" ", "")


@pytest.mark.parametrize("code", CODES)
def test_the_catalogue_is_up_to_date_with_the_template(code):
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue(code) if m.id}
    missing = sorted(template_ids() - ids)
    assert missing == [], f"{code}: run `flask translate update`; missing {missing[:5]}"


@pytest.mark.parametrize("code", CODES)
def test_every_message_is_translated_and_none_is_fuzzy(code):
    cat = catalogue(code)
    untranslated, fuzzy = [], []
    for m in cat:
        if not m.id:
            continue
        forms = m.string if isinstance(m.string, (list, tuple)) else (m.string,)
        if not all(forms):
            untranslated.append(m.id)
        if m.fuzzy:
            fuzzy.append(m.id)
    assert fuzzy == [], f"{code}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:3]}"
    assert untranslated == [], f"{code}: {len(untranslated)} untranslated of {len(cat)}, e.g. {untranslated[:3]}"


@pytest.mark.parametrize("code", CODES)
def test_placeholders_and_plural_forms_are_intact(code):
    cat = catalogue(code)
    broken = []
    for m in cat:
        if not m.id or not m.string:
            continue
        if isinstance(m.id, (list, tuple)):
            wanted = set(PLACEHOLDER.findall(m.id[0])) | set(PLACEHOLDER.findall(m.id[1]))
            if len(m.string) != cat.num_plurals:
                broken.append((m.id[0], f"{len(m.string)} forms, not {cat.num_plurals}"))
            for form in m.string:
                found = set(PLACEHOLDER.findall(form))
                # A form may leave out the number ("one place"), never another value nor invent one.
                if form and (found - wanted or (wanted - {"num"}) - found):
                    broken.append((m.id[0], form))
        else:
            if set(PLACEHOLDER.findall(m.id)) != set(PLACEHOLDER.findall(m.string)):
                broken.append((m.id, m.string))
    assert broken == [], f"{code}: placeholders or plural forms broken: {broken[:5]}"


def test_the_catalogues_compile_and_the_pot_is_not_empty():
    from engagement.core.translations_cli import compile_all

    compile_all()
    assert len(template_ids()) > 300
    for code in CODES:
        assert (TRANSLATIONS / code / "LC_MESSAGES" / "messages.mo").is_file()
