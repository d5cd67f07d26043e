"""The Speed Watch URL table: every page of the feature, in one place.

* public: /teams/<slug>/speed-watch (about the group) and /teams/<slug>/speed-watch/apply
* volunteers (role volunteer): /speed-watch/... (their rota, their team's shifts, returns)
* staff: /staff/speed-watch/... (overview, volunteers, sites, shifts, returns and exports)
Access levels sit on the view functions (@access), where the permission matrix reads them.
"""

from __future__ import annotations

from flask import Blueprint

from engagement.speedwatch.overview import views as overview
from engagement.speedwatch.returns import views as returns
from engagement.speedwatch.shifts import rota
from engagement.speedwatch.shifts import views as shifts
from engagement.speedwatch.sites import views as sites
from engagement.speedwatch.volunteers import views as volunteers

ID = "int(min=1, max=2147483647)"
GET_POST = ["GET", "POST"]

bp = Blueprint("speedwatch", __name__)

# Public: the team's group and the application form
bp.add_url_rule("/teams/<slug>/speed-watch", "about", volunteers.about)
bp.add_url_rule("/teams/<slug>/speed-watch/apply", "apply", volunteers.apply, methods=GET_POST)
bp.add_url_rule("/teams/<slug>/speed-watch/apply/done", "apply_done", volunteers.apply_done)

# Staff: the overview
bp.add_url_rule("/staff/speed-watch", "overview", overview.overview)

# Staff: volunteers
bp.add_url_rule("/staff/speed-watch/volunteers", "volunteers", volunteers.volunteers)
bp.add_url_rule(f"/staff/speed-watch/volunteers/<{ID}:volunteer_id>", "volunteer", volunteers.volunteer)
bp.add_url_rule(
    f"/staff/speed-watch/volunteers/<{ID}:volunteer_id>/approve",
    "volunteer_approve",
    volunteers.volunteer_approve,
    methods=GET_POST,
)
bp.add_url_rule(
    f"/staff/speed-watch/volunteers/<{ID}:volunteer_id>/decline",
    "volunteer_decline",
    volunteers.volunteer_decline,
    methods=GET_POST,
)
bp.add_url_rule(
    f"/staff/speed-watch/volunteers/<{ID}:volunteer_id>/suspend",
    "volunteer_suspend",
    volunteers.volunteer_suspend,
    methods=GET_POST,
)
bp.add_url_rule(
    f"/staff/speed-watch/volunteers/<{ID}:volunteer_id>/reinstate",
    "volunteer_reinstate",
    volunteers.volunteer_reinstate,
    methods=["POST"],
)
bp.add_url_rule(
    f"/staff/speed-watch/volunteers/<{ID}:volunteer_id>/training",
    "volunteer_training",
    volunteers.volunteer_training,
    methods=GET_POST,
)

# Staff: sites
bp.add_url_rule("/staff/speed-watch/sites", "sites", sites.sites)
bp.add_url_rule("/staff/speed-watch/sites/new", "site_new", sites.site_new, methods=GET_POST)
bp.add_url_rule(f"/staff/speed-watch/sites/<{ID}:site_id>/edit", "site_edit", sites.site_edit, methods=GET_POST)

# Staff: shifts
bp.add_url_rule("/staff/speed-watch/shifts", "shifts", shifts.shifts_list)
bp.add_url_rule("/staff/speed-watch/shifts/new", "shift_new", shifts.shift_new, methods=GET_POST)
bp.add_url_rule(f"/staff/speed-watch/shifts/<{ID}:occurrence_id>", "shift", shifts.shift)

# Staff: returns and their exports
bp.add_url_rule(
    f"/staff/speed-watch/shifts/<{ID}:occurrence_id>/return", "staff_return", returns.staff_return, methods=GET_POST
)
bp.add_url_rule("/staff/speed-watch/returns", "returns", returns.returns_list)
bp.add_url_rule(f"/staff/speed-watch/returns/<{ID}:return_id>", "return_detail", returns.return_detail)
bp.add_url_rule("/staff/speed-watch/returns.csv", "returns_csv", returns.returns_csv)
bp.add_url_rule("/staff/speed-watch/returns.xlsx", "returns_xlsx", returns.returns_xlsx)

# Volunteers: their team's shifts, joining and withdrawing, the return after a shift
bp.add_url_rule("/speed-watch/shifts", "volunteer_shifts", shifts.volunteer_shifts)
bp.add_url_rule(f"/speed-watch/shifts/<{ID}:occurrence_id>", "volunteer_shift", shifts.volunteer_shift)
bp.add_url_rule(f"/speed-watch/shifts/<{ID}:occurrence_id>/join", "shift_join", shifts.shift_join, methods=["POST"])
bp.add_url_rule(
    f"/speed-watch/shifts/<{ID}:occurrence_id>/withdraw", "shift_withdraw", shifts.shift_withdraw, methods=["POST"]
)
bp.add_url_rule(
    f"/speed-watch/shifts/<{ID}:occurrence_id>/return", "volunteer_return", returns.volunteer_return, methods=GET_POST
)

# Volunteers: my rota, and its private calendar feed (public: the token in the URL is the secret)
bp.add_url_rule("/speed-watch/rota", "rota", rota.rota)
bp.add_url_rule("/speed-watch/rota/new-link", "rota_new_link", rota.rota_new_link, methods=["POST"])
bp.add_url_rule("/speed-watch/rota/<token>.ics", "rota_feed", rota.rota_feed, methods=["GET", "HEAD"])
