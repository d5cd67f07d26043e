"""Team news posts, and the RSS/Atom feeds built from them.

Public interface (what other features may import):
  engagement.news.rss        build_feed, FeedMeta, FeedItem, RSS/ATOM, MIMETYPES: every feed the site publishes
  engagement.news.services   PostDetails, save_post, post_from_text (feeds, surveys and the demo write posts)
  engagement.news.queries    published_for_choice, in_scope_of (newsletters pick posts)
  engagement.news.models     NewsPost
Everything else is private to the package.
"""

from __future__ import annotations


def init_app(app) -> None:
    from engagement.core.hooks import register_team_section
    from engagement.core.http_cache import BodyCache
    from engagement.core.markup import render_markdown
    from engagement.news import models, services, views  # noqa: F401 - models
    from engagement.news.blueprint import bp

    app.register_blueprint(bp)
    app.extensions["news_feed_cache"] = BodyCache()
    app.jinja_env.filters.setdefault("markdown", render_markdown)
    app.jinja_env.filters["news_scope"] = services.scope_label
    register_team_section("news", views.team_news_section, order=20)
