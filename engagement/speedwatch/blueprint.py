"""The Speed Watch URL table: every page of the feature, in one place.

* public: /teams/<slug>/speed-watch (about the group) and /teams/<slug>/speed-watch/apply
* volunteers (role volunteer): /speed-watch/... (their rota, their team's shifts, returns)
* staff: /staff/speed-watch/... (overview, volunteers, sites and site requests, devices, shifts,
  returns and exports, letters and referrals, vehicles' history)
Access levels sit on the view functions (@access), where the permission matrix reads them.
"""

from __future__ import annotations

from flask import Blueprint

from engagement.speedwatch.devices import views as devices
from engagement.speedwatch.letters import vehicle_views as vehicles
from engagement.speedwatch.letters import views as letters
from engagement.speedwatch.overview import views as overview
from engagement.speedwatch.requests import views as requests
from engagement.speedwatch.requests import volunteer_views as my_requests
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
bp.add_url_rule(f"/staff/speed-watch/sites/<{ID}:site_id>", "site", sites.site)
bp.add_url_rule(f"/staff/speed-watch/sites/<{ID}:site_id>/edit", "site_edit", sites.site_edit, methods=GET_POST)

# Staff: site requests (proposed by volunteers or staff; assessed by the team's officer)
REQUEST = f"/staff/speed-watch/site-requests/<{ID}:request_id>"
bp.add_url_rule("/staff/speed-watch/site-requests", "site_requests", requests.site_requests)
bp.add_url_rule("/staff/speed-watch/site-requests/new", "site_request_new", requests.site_request_new, methods=GET_POST)
bp.add_url_rule(REQUEST, "site_request", requests.site_request)
bp.add_url_rule(f"{REQUEST}/approve", "site_request_approve", requests.site_request_approve, methods=GET_POST)
bp.add_url_rule(f"{REQUEST}/decline", "site_request_decline", requests.site_request_decline, methods=GET_POST)
bp.add_url_rule(f"{REQUEST}/photos/<{ID}:photo_id>", "site_request_photo", requests.site_request_photo)

# Staff: speed devices and their calibration
DEVICE = f"/staff/speed-watch/devices/<{ID}:device_id>"
bp.add_url_rule("/staff/speed-watch/devices", "devices", devices.devices)
bp.add_url_rule("/staff/speed-watch/devices/new", "device_new", devices.device_new, methods=GET_POST)
bp.add_url_rule(DEVICE, "device", devices.device)
bp.add_url_rule(f"{DEVICE}/edit", "device_edit", devices.device_edit, methods=GET_POST)
bp.add_url_rule(f"{DEVICE}/calibration", "device_calibration", devices.device_calibration, methods=GET_POST)

# Staff: shifts
bp.add_url_rule("/staff/speed-watch/shifts", "shifts", shifts.shifts_list)
bp.add_url_rule("/staff/speed-watch/shifts/new", "shift_new", shifts.shift_new, methods=GET_POST)
bp.add_url_rule(f"/staff/speed-watch/shifts/<{ID}:occurrence_id>", "shift", shifts.shift)
bp.add_url_rule(
    f"/staff/speed-watch/shifts/<{ID}:occurrence_id>/device", "shift_device", shifts.shift_device, methods=["POST"]
)

# Staff: returns and their exports
bp.add_url_rule(
    f"/staff/speed-watch/shifts/<{ID}:occurrence_id>/return", "staff_return", returns.staff_return, methods=GET_POST
)
bp.add_url_rule("/staff/speed-watch/returns", "returns", returns.returns_list)
bp.add_url_rule(f"/staff/speed-watch/returns/<{ID}:return_id>", "return_detail", returns.return_detail)
bp.add_url_rule("/staff/speed-watch/returns.csv", "returns_csv", returns.returns_csv)
bp.add_url_rule("/staff/speed-watch/returns.xlsx", "returns_xlsx", returns.returns_xlsx)

# Staff (back office): the letter ladder, keeper lookup, letter batches, referrals, a vehicle's history
BATCH = f"/staff/speed-watch/letters/batches/<{ID}:batch_id>"
bp.add_url_rule("/staff/speed-watch/letters", "letters", letters.letters)
bp.add_url_rule("/staff/speed-watch/letters/keeper-lookup.csv", "keeper_lookup_csv", letters.keeper_lookup_csv)
bp.add_url_rule("/staff/speed-watch/letters/keepers", "keepers_import", letters.keepers_import, methods=GET_POST)
bp.add_url_rule("/staff/speed-watch/letters/produce", "letters_produce", letters.letters_produce, methods=["POST"])
bp.add_url_rule(BATCH, "letter_batch", letters.letter_batch)
bp.add_url_rule(f"{BATCH}/letters.pdf", "letter_batch_pdf", letters.letter_batch_pdf)
bp.add_url_rule(f"{BATCH}/letters.csv", "letter_batch_csv", letters.letter_batch_csv)
bp.add_url_rule(f"{BATCH}/sent", "letter_batch_sent", letters.letter_batch_sent, methods=["POST"])
bp.add_url_rule("/staff/speed-watch/letters/templates", "letter_templates", vehicles.letter_templates)
bp.add_url_rule(
    "/staff/speed-watch/letters/templates/<any(first_letter, second_letter):step>",
    "letter_template_edit",
    vehicles.letter_template_edit,
    methods=GET_POST,
)
bp.add_url_rule("/staff/speed-watch/referrals", "referrals", vehicles.referrals_list)
bp.add_url_rule(f"/staff/speed-watch/referrals/<{ID}:referral_id>", "referral", vehicles.referral, methods=GET_POST)
bp.add_url_rule(f"/staff/speed-watch/vehicles/<{ID}:ladder_id>", "vehicle", vehicles.vehicle)

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

# Volunteers: propose a site for the team, and see what was decided
MINE = f"/speed-watch/site-requests/<{ID}:request_id>"
bp.add_url_rule("/speed-watch/site-requests", "my_site_requests", my_requests.my_site_requests)
bp.add_url_rule(
    "/speed-watch/site-requests/new", "my_site_request_new", my_requests.my_site_request_new, methods=GET_POST
)
bp.add_url_rule(MINE, "my_site_request", my_requests.my_site_request)
bp.add_url_rule(f"{MINE}/photos/<{ID}:photo_id>", "my_site_request_photo", my_requests.my_site_request_photo)

# Volunteers: my rota, and its private calendar feed (public: the token in the URL is the secret)
bp.add_url_rule("/speed-watch/rota", "rota", rota.rota)
bp.add_url_rule("/speed-watch/rota/new-link", "rota_new_link", rota.rota_new_link, methods=["POST"])
bp.add_url_rule("/speed-watch/rota/<token>.ics", "rota_feed", rota.rota_feed, methods=["GET", "HEAD"])
