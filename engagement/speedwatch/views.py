"""The Speed Watch blueprint. Routes live in the modules imported by init_app, each on `bp`.

URLs:
* public: /teams/<slug>/speed-watch (about the group) and /teams/<slug>/speed-watch/apply
* volunteers (role volunteer): /speed-watch/... (their rota, their team's shifts, returns)
* staff: /staff/speed-watch/... (overview, volunteers, sites, shifts, returns and exports)
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("speedwatch", __name__)


def init_app(app) -> None:
    """Import the route modules (they register on bp) and plug into hooks and the worker."""
    from engagement.speedwatch import (  # noqa: F401 - importing registers the routes
        returns_views,
        shift_views,
        volunteer_views,
    )

    for module in (volunteer_views, shift_views, returns_views):
        module.init_app(app)
