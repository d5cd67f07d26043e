"""Every URL of the sign-ups feature: residents' pages, then the team's."""

from __future__ import annotations

from flask import Blueprint

from engagement.signups.views import resident, staff

bp = Blueprint("signups", __name__)
ID = "int(min=1, max=2147483647)"
DATE = f"/events/<{ID}:occurrence_id>"
STAFF_DATE = f"/staff/occurrences/<{ID}:occurrence_id>"

# Signing up for a date
bp.add_url_rule(f"{DATE}/sign-up", "sign_up", resident.sign_up, methods=["GET", "POST"])
bp.add_url_rule(f"{DATE}/sign-up/done", "done", resident.done)
bp.add_url_rule(f"{DATE}/sign-up/check-email", "check_email", resident.check_email)

# The private booking page (a signed token in the link) and "my events"
bp.add_url_rule("/bookings/<token>", "manage", resident.manage)
bp.add_url_rule("/bookings/<token>/places", "change_places", resident.change_places, methods=["GET", "POST"])
bp.add_url_rule("/bookings/<token>/contact", "set_channel", resident.set_channel, methods=["POST"])
bp.add_url_rule("/bookings/<token>/details", "correct_details", resident.correct_details, methods=["GET", "POST"])
bp.add_url_rule("/bookings/<token>/cancel", "cancel", resident.cancel, methods=["GET", "POST"])
bp.add_url_rule("/bookings/<token>/calendar-link", "new_feed_link", resident.new_feed_link, methods=["POST"])
bp.add_url_rule("/my-events/<token>.ics", "my_events", resident.my_events)

# The team's pages
bp.add_url_rule("/staff/signups", "staff_index", staff.staff_index)
bp.add_url_rule("/staff/signups/export", "export_many", staff.export_many)
bp.add_url_rule(f"/staff/signups/<{ID}:signup_id>/attendance", "attendance", staff.attendance, methods=["POST"])
bp.add_url_rule(f"{STAFF_DATE}/signups", "attendees", staff.attendees)
bp.add_url_rule(f"{STAFF_DATE}/message", "message", staff.message, methods=["GET", "POST"])
bp.add_url_rule(f"{STAFF_DATE}/walk-in", "walk_in", staff.walk_in, methods=["GET", "POST"])
bp.add_url_rule(f"{STAFF_DATE}/signups/export", "export_one", staff.export_one)
bp.add_url_rule(f"{STAFF_DATE}/sign-in-sheet", "sign_in_sheet", staff.sign_in_sheet)
