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


def register_occurrence_section(name: str, func: Callable, order: int = 100) -> None:
    """func(occurrence, viewer) -> HTML (Markup) shown on the public page of one date, or ""."""
    _occurrence_sections[name] = (order, func)


def occurrence_sections(occurrence, viewer=None) -> list[Markup]:
    return _render(_occurrence_sections, occurrence, viewer)
