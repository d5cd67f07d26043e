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
