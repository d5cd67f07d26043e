"""Page sections contributed by higher features, so lower ones never import them.

Imports point downward (teams must not import events), yet the team page lists the
team's next events and the staff dashboard shows the coming fortnight. Features
register a function here at start-up; the lower page asks for the rendered sections.
Registration is by name, so building several apps in one process registers once.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

_team_sections: dict[str, tuple[int, Callable]] = {}
_dashboard_sections: dict[str, tuple[int, Callable]] = {}


def register_team_section(name: str, func: Callable, order: int = 100) -> None:
    """func(team) -> HTML (Markup) shown on the public team page, or "" for nothing."""
    _team_sections[name] = (order, func)


def register_dashboard_section(name: str, func: Callable, order: int = 100) -> None:
    """func(user, teams) -> HTML (Markup) shown on the staff dashboard, or "" for nothing."""
    _dashboard_sections[name] = (order, func)


def _render(registry: dict[str, tuple[int, Callable]], *args) -> list[Markup]:
    sections = []
    for _order, func in sorted(registry.values(), key=lambda item: item[0]):
        html = func(*args)
        if html:
            sections.append(Markup(html))  # noqa: S704 - rendered by a Jinja template with autoescape
    return sections


def team_sections(team) -> list[Markup]:
    return _render(_team_sections, team)


def dashboard_sections(user, teams) -> list[Markup]:
    return _render(_dashboard_sections, user, teams)


# --- notifications and providers --------------------------------------------------------
# A lower feature announces what happened ("these dates changed") and asks for values it
# cannot compute itself ("places left"); a higher feature registers the answers. Events
# never imports sign-ups, yet sign-ups hear of every move and cancellation in the same
# transaction.

_listeners: dict[str, dict[str, Callable]] = {}
_providers: dict[str, Callable] = {}
_occurrence_sections: dict[str, tuple[int, Callable]] = {}


def register_listener(topic: str, name: str, func: Callable) -> None:
    """func(*args) is called by notify(topic, *args), inside the caller's transaction."""
    _listeners.setdefault(topic, {})[name] = func


def notify(topic: str, *args) -> None:
    for func in list(_listeners.get(topic, {}).values()):
        func(*args)


def register_provider(topic: str, func: Callable) -> None:
    _providers[topic] = func


def provider(topic: str) -> Callable | None:
    return _providers.get(topic)


_occurrence_columns: dict[str, Callable] = {}


def register_occurrence_section(name: str, func: Callable, order: int = 100, columns: Callable | None = None) -> None:
    """func(occurrence, viewer) -> HTML (Markup) shown on the public page of one date, or "".

    `columns()` -> {label: SQL expression correlated to `occurrences` (and `events`, joined)}: what the
    section needs, selected in the event page's own statement, so a section costs no round trip of its
    own. func is then called as func(occurrence, viewer, data) with data = {label: value}. The values
    are also part of the page's cache key (core.lean), so they must decide what func shows; a truthy
    "uncached" value says the section shows figures no data version covers (never cached). The
    expressions are built once and reused, so "now" must be `bindparam(PAGE_NOW)`, not a value.
    """
    _occurrence_sections[name] = (order, func)
    if columns is None:
        _occurrence_columns.pop(name, None)
    else:
        _occurrence_columns[name] = columns


PAGE_NOW = "page_now"  # a section column may compare with bindparam(PAGE_NOW): the page's "now", bound per request


def occurrence_column_names() -> tuple[str, ...]:
    """The sections with columns: the event page builds its statement once per set of them."""
    return tuple(sorted(_occurrence_columns))


def occurrence_columns() -> list[tuple[str, str, object]]:
    """(section name, label, expression) for every batched section column, in a stable order."""
    found = []
    for name in sorted(_occurrence_columns):
        for label, expression in _occurrence_columns[name]().items():
            found.append((name, label, expression))
    return found


def occurrence_sections(occurrence, viewer=None, batch: dict[str, dict] | None = None) -> list[Markup]:
    """The rendered sections; `batch` ({section name: {label: value}}) feeds the batched ones."""
    sections = []
    for name, (_order, func) in sorted(_occurrence_sections.items(), key=lambda item: item[1][0]):
        if batch is not None and name in _occurrence_columns:
            html = func(occurrence, viewer, batch.get(name, {}))
        else:
            html = func(occurrence, viewer)
        if html:
            sections.append(Markup(html))  # noqa: S704 - rendered by a Jinja template with autoescape
    return sections


# --- received text messages ---------------------------------------------------------------
# The worker reads texts residents send to the service's Notify number (engagement.core.sms_tasks)
# and offers each to these handlers, lowest order first, until one returns True ("consumed").
# Core keeps no copy of replies: the feature that owns them registers a last handler that stores
# whatever no earlier handler consumed.

_sms_reply_handlers: dict[str, tuple[int, Callable]] = {}


def register_sms_reply_handler(func: Callable, name: str | None = None, order: int = 100) -> None:
    """func(number, content, received_at, notify_id) -> bool, inside the worker's transaction for that text."""
    _sms_reply_handlers[name or f"{func.__module__}.{func.__qualname__}"] = (order, func)


def sms_reply_handlers() -> list[Callable]:
    return [func for _order, func in sorted(_sms_reply_handlers.values(), key=lambda item: item[0])]


# --- one staff line per date ----------------------------------------------------------------
# Staff lists of dates (the dashboard's fortnight, a team's calendar) show one line per date saying
# how it is filling: "8 of 8 places booked · 3 waiting · full: waiting list open". Sign-ups answer for
# dates residents book, Speed Watch for shifts; the first answer for a date is its line.

_occurrence_lines: dict[str, tuple[int, Callable]] = {}


def register_occurrence_lines(name: str, func: Callable, order: int = 100) -> None:
    """func(rows) -> {occurrence id: (text, url or None)} for the dates that feature answers for, in one query."""
    _occurrence_lines[name] = (order, func)


def occurrence_lines(rows) -> dict[int, tuple[str, str | None]]:
    lines: dict[int, tuple[str, str | None]] = {}
    for _order, func in sorted(_occurrence_lines.values(), key=lambda item: item[0]):
        for occurrence_id, line in func(rows).items():
            lines.setdefault(occurrence_id, line)
    return lines
