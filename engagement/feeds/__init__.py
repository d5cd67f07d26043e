"""Incoming RSS/Atom sources that teams follow, read with feedparser by the worker.

Public interface (what other features may import):
  engagement.feeds.services   entries_for_teams (newsletters pick imported entries)
  engagement.feeds.models     FeedSource, FeedEntry
Everything else is private to the package: the worker task in fetch.py, the HTTP client in client.py
and the rule on which addresses may be fetched (public internet only) in addresses.py.
"""

from __future__ import annotations


def init_app(app) -> None:
    from engagement.core.worker import register_task
    from engagement.feeds import models  # noqa: F401 - models
    from engagement.feeds.blueprint import bp
    from engagement.feeds.fetch import fetch_due

    app.register_blueprint(bp)
    register_task("feeds", fetch_due)
