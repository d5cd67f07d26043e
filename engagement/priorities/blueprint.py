"""The priorities URL table: residents' pages and data, then staff screens for priorities and people."""

from flask import Blueprint

from engagement.priorities.views import people, public, staff

bp = Blueprint("priorities", __name__)
FORM = ["GET", "POST"]
FEED = ["GET", "HEAD"]

# Residents: the priorities page, the police.uk-format files, the feeds and people's photos
bp.add_url_rule("/teams/<slug>/priorities", "team_priorities", public.team_priorities)
bp.add_url_rule("/teams/<slug>/priorities.json", "priorities_json", public.priorities_json)
bp.add_url_rule("/teams/<slug>/people.json", "people_json", public.people_json)
bp.add_url_rule("/teams/<slug>/priorities.rss", "feed_rss", public.feed_rss, methods=FEED)
bp.add_url_rule("/teams/<slug>/priorities.atom", "feed_atom", public.feed_atom, methods=FEED)
bp.add_url_rule("/teams/<slug>/people/<int:person_id>/photo.jpg", "photo", public.photo)

# Staff: a team's priorities, their actions, closing and reopening
bp.add_url_rule("/staff/teams/<slug>/priorities", "staff_priorities", staff.staff_priorities)
bp.add_url_rule("/staff/teams/<slug>/priorities/new", "priority_new", staff.priority_new, methods=FORM)
bp.add_url_rule("/staff/teams/<slug>/priorities/from-survey/<int:survey_id>", "from_survey", staff.from_survey)
PRIORITY = "/staff/priorities/<int:priority_id>"
bp.add_url_rule(f"{PRIORITY}/edit", "priority_edit", staff.priority_edit, methods=FORM)
bp.add_url_rule(f"{PRIORITY}/actions/new", "action_new", staff.action_new, methods=FORM)
bp.add_url_rule(f"{PRIORITY}/actions/<int:action_id>/delete", "action_delete", staff.action_delete, methods=FORM)
bp.add_url_rule(f"{PRIORITY}/close", "priority_close", staff.priority_close, methods=FORM)
bp.add_url_rule(f"{PRIORITY}/reopen", "priority_reopen", staff.priority_reopen, methods=["POST"])
bp.add_url_rule(f"{PRIORITY}/delete", "priority_delete", staff.priority_delete, methods=FORM)

# Staff: the team's people
bp.add_url_rule("/staff/teams/<slug>/people", "staff_people", people.staff_people)
bp.add_url_rule("/staff/teams/<slug>/people/me", "own_entry", people.own_entry, methods=FORM)
bp.add_url_rule("/staff/teams/<slug>/people/new", "person_new", people.person_new, methods=FORM)
bp.add_url_rule("/staff/people/<int:person_id>/edit", "person_edit", people.person_edit, methods=FORM)
bp.add_url_rule("/staff/people/<int:person_id>/photo.jpg", "staff_photo", people.staff_photo)
bp.add_url_rule("/staff/people/<int:person_id>/hide", "person_hide", people.person_hide, methods=["POST"])
bp.add_url_rule("/staff/people/<int:person_id>/remove", "person_remove", people.person_remove, methods=FORM)
