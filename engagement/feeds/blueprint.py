"""Every URL of the feeds feature: the staff screens for following external RSS/Atom feeds."""

from __future__ import annotations

from flask import Blueprint

from engagement.feeds import views

bp = Blueprint("feeds", __name__, url_prefix="/staff/feeds")

# The team's sources
bp.add_url_rule("", "sources", views.sources)
bp.add_url_rule("/new", "source_new", views.source_new, methods=["GET", "POST"])
bp.add_url_rule("/<int:source_id>", "source", views.source)
bp.add_url_rule("/<int:source_id>/edit", "source_edit", views.source_edit, methods=["GET", "POST"])
bp.add_url_rule("/<int:source_id>/fetch", "source_fetch", views.source_fetch, methods=["POST"])
bp.add_url_rule("/<int:source_id>/delete", "source_delete", views.source_delete, methods=["GET", "POST"])

# Using an imported entry
bp.add_url_rule("/entries/<int:entry_id>/news", "entry_to_news", views.entry_to_news, methods=["POST"])
