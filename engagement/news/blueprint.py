"""Every URL of the news feature: public pages and feeds, then the staff screens."""

from __future__ import annotations

from flask import Blueprint

from engagement.news import views

bp = Blueprint("news", __name__)

# Residents: the news pages and the feeds (all teams, or one team with its area's and the force's posts)
bp.add_url_rule("/news", "news_list", views.news_list)
bp.add_url_rule("/news/<int:post_id>", "post", views.post)
bp.add_url_rule("/news.rss", "feed_rss", views.feed_rss)
bp.add_url_rule("/news.atom", "feed_atom", views.feed_atom)
bp.add_url_rule("/teams/<slug>/news.rss", "team_feed_rss", views.team_feed_rss)
bp.add_url_rule("/teams/<slug>/news.atom", "team_feed_atom", views.team_feed_atom)

# Staff: writing, publishing and withdrawing posts
bp.add_url_rule("/staff/news", "staff_posts", views.staff_posts)
bp.add_url_rule("/staff/news/new", "post_new", views.post_new, methods=["GET", "POST"])
bp.add_url_rule("/staff/news/<int:post_id>/edit", "post_edit", views.post_edit, methods=["GET", "POST"])
bp.add_url_rule("/staff/news/<int:post_id>/publish", "post_publish", views.post_publish, methods=["POST"])
bp.add_url_rule("/staff/news/<int:post_id>/unpublish", "post_unpublish", views.post_unpublish, methods=["POST"])
bp.add_url_rule("/staff/news/<int:post_id>/delete", "post_delete", views.post_delete, methods=["GET", "POST"])
