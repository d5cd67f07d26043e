"""Print for the notice board and the letterbox: posters, leaflets and newsletters as PDFs (WeasyPrint).

Public interface: none; the top layer (with ops and demo). It reads events, priorities,
newsletters and teams, and lays them out from HTML templates in templates/printing/ with a
print stylesheet. Pages link to its URLs by endpoint name (printing.team_poster, ...).
"""

from __future__ import annotations


def init_app(app) -> None:
    from engagement.core.http_cache import BodyCache
    from engagement.extensions import limiter
    from engagement.printing.blueprint import bp

    # A PDF costs a few hundred milliseconds to build; a cached one costs nothing. The limit stops
    # anyone walking every id to make the server build them all, while a library prints freely.
    limiter.limit("120 per hour")(bp)
    app.register_blueprint(bp)
    app.extensions["print_cache"] = BodyCache(size=64)
