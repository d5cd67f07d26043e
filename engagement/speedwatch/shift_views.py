"""Placeholder: the owner of this module replaces it (keep the endpoint speedwatch.rota at /speed-watch/rota)."""

from engagement.core.permissions import staff_route
from engagement.speedwatch.access import current_volunteer
from engagement.speedwatch.views import bp


@staff_route(bp, "/speed-watch/rota", "volunteer")
def rota():
    return f"Rota of {current_volunteer().name}"


def init_app(app) -> None:
    pass
