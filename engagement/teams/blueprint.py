"""The teams URL table: how residents find their team, and the staff dashboard and team pages."""

from flask import Blueprint

from engagement.teams import views

bp = Blueprint("teams", __name__)

# Residents
bp.add_url_rule("/", "home", views.home)
bp.add_url_rule("/teams", "team_list", views.team_list)
bp.add_url_rule("/teams/<slug>", "team_page", views.team_page)

# Staff: the dashboard, and the teams (admins create and edit them)
bp.add_url_rule("/staff/", "staff_home", views.staff_home)
bp.add_url_rule("/staff/teams", "staff_teams", views.staff_teams)
bp.add_url_rule("/staff/teams/new", "team_new", views.team_new, methods=["GET", "POST"])
bp.add_url_rule("/staff/teams/<slug>", "staff_team", views.staff_team)
bp.add_url_rule("/staff/teams/<slug>/edit", "team_edit", views.team_edit, methods=["GET", "POST"])
