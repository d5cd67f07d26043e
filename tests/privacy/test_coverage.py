"""Every column named like personal data is covered by a data-subject provider (or declared not personal).

A feature that adds `email`, `phone`, `name`, `address` or `registration` to a model must say, in its own
privacy.py (engagement.core.personal_data.Provider), how it is found, exported, erased and kept."""

from __future__ import annotations

import re

from engagement.core.personal_data import providers
from engagement.extensions import db

PERSONAL_LOOKING = re.compile(r"(email|phone|name|addr|registration)")


def _declared() -> dict[str, str]:
    declared = {}
    for provider in providers():
        declared.update(provider.covers)
        declared.update(provider.not_personal)
    return declared


def _columns() -> set[str]:
    return {f"{t.name}.{c.name}" for t in db.metadata.sorted_tables for c in t.columns}


def test_every_personal_looking_column_has_a_provider(app):
    looking = {name for name in _columns() if PERSONAL_LOOKING.search(name.split(".", 1)[1])}
    assert len(looking) >= 15, "the scan found too few columns: it reads the wrong metadata"
    assert sorted(looking - set(_declared())) == [], "cover these in the feature's privacy.py"


def test_declarations_name_real_columns(app):
    assert sorted(set(_declared()) - _columns()) == [], "a provider declares a column that no model has"


def test_each_provider_that_holds_data_explains_it(app):
    for provider in providers():
        if provider.covers and provider.name != "mail-and-audit":
            assert provider.about and provider.fields, (
                f"{provider.name}: say where the data comes from and what it means"
            )
