"""`flask translate extract|update|compile`: the translators' round trip, documented in the README.

Why a command and not bare `pybabel`: the keywords (`_l`), the mapping file, the output paths and
the language list (LANGUAGES) are the app's, so a translator or CI runs one command that cannot get
them wrong. `compile` is also run by `make run` and `make test`; .mo files are build output.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from flask import current_app
from flask.cli import AppGroup

from engagement.core.i18n import SOURCE

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "engagement" / "translations"
POT = TRANSLATIONS / "messages.pot"
KEYWORDS = ("_", "_l", "gettext", "lazy_gettext", "ngettext:1,2", "lazy_ngettext:1,2")

translate = AppGroup("translate", help="Extract, update and compile the interface translations.")


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract() -> Path:
    keywords = [part for k in KEYWORDS for part in ("-k", k)]
    TRANSLATIONS.mkdir(parents=True, exist_ok=True)
    _pybabel(
        "extract", "-F", str(ROOT / "babel.cfg"), *keywords, "--no-location", "--sort-output",
        "--project", "engagement", "--copyright-holder", "the engagement project",
        "--msgid-bugs-address", "translations@example.org", "-o", str(POT), str(ROOT),
    )  # fmt: skip
    return POT


def update(codes: list[str]) -> list[str]:
    """Merge the .pot into each language's .po, creating the ones that do not exist yet (pybabel init)."""
    done = []
    for code in codes:
        if code == SOURCE:
            continue
        po = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
        if po.exists():
            _pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", code, "--no-fuzzy-matching")
        else:
            _pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", code)
        done.append(code)
    return done


def compile_all(directory: Path = TRANSLATIONS) -> list[str]:
    """Compile every language's .po to .mo (only those out of date). Returns the codes compiled."""
    compiled = []
    for po in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        code = po.parent.parent.name
        tmp = po.with_suffix(f".mo.{os.getpid()}.tmp")
        _pybabel("compile", "-i", str(po), "-o", str(tmp), "-l", code, "--use-fuzzy")
        tmp.replace(mo)  # atomic: parallel test workers never read half a file
        compiled.append(code)
    return compiled


@translate.command("extract")
def extract_command():
    """Collect every marked string into engagement/translations/messages.pot."""
    click.echo(f"Wrote {extract().relative_to(ROOT)}")


@translate.command("update")
def update_command():
    """Extract, then merge into each language's .po (new languages are created)."""
    extract()
    click.echo("Updated: " + ", ".join(update(current_app.config["LANGUAGES"])))


@translate.command("compile")
def compile_command():
    """Compile the .po files into the .mo files the app reads."""
    compiled = compile_all()
    click.echo("Compiled: " + (", ".join(compiled) or "nothing (all up to date)"))
