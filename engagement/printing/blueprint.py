"""The printing URL table: posters and leaflets anyone may print, and newsletters as A4 PDFs."""

from flask import Blueprint

from engagement.printing import views

bp = Blueprint("printing", __name__)

# Anyone: what the public pages already show, laid out for a notice board or a letterbox
bp.add_url_rule("/teams/<slug>/poster.pdf", "team_poster", views.team_poster)
bp.add_url_rule("/teams/<slug>/leaflet.pdf", "team_leaflet", views.team_leaflet)
bp.add_url_rule("/events/<int:occurrence_id>/poster.pdf", "event_poster", views.event_poster)
bp.add_url_rule("/newsletters/<int:issue_id>/print.pdf", "newsletter_public", views.newsletter_public)

# Staff: any newsletter they may manage, drafts included
bp.add_url_rule("/staff/newsletters/<int:issue_id>/print.pdf", "newsletter_print", views.newsletter_print)
