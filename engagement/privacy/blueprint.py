"""The privacy URL table: the legal pages, residents' own requests, and the staff data-protection pages."""

from flask import Blueprint

from engagement.privacy.views import public, staff

bp = Blueprint("privacy", __name__)

# Public: the privacy notice and accessibility statement (linked from every page's footer)
bp.add_url_rule("/privacy", "notice", public.notice)
bp.add_url_rule("/accessibility", "accessibility", public.accessibility)

# Residents: get a copy of your data or ask us to delete it (an emailed single-use link)
bp.add_url_rule("/privacy/request", "self_request", public.self_request, methods=["GET", "POST"])
bp.add_url_rule("/privacy/request/your-data", "self_data", public.self_data)
bp.add_url_rule("/privacy/request/your-data/download", "self_download", public.self_download, methods=["POST"])
bp.add_url_rule("/privacy/request/your-data/delete", "self_erase", public.self_erase, methods=["GET", "POST"])
bp.add_url_rule("/privacy/request/deleted", "self_erased", public.self_erased)
bp.add_url_rule("/privacy/request/<token>", "self_link", public.self_link, methods=["GET", "POST"])

# Staff: data-subject requests and retention (admins and data protection officers)
bp.add_url_rule("/staff/privacy/requests", "requests", staff.requests, methods=["GET", "POST"])
bp.add_url_rule("/staff/privacy/requests/download", "download", staff.download, methods=["POST"])
bp.add_url_rule("/staff/privacy/requests/erase", "erase_check", staff.erase_check, methods=["POST"])
bp.add_url_rule("/staff/privacy/requests/erase/confirm", "erase", staff.erase, methods=["POST"])
bp.add_url_rule("/staff/privacy/retention", "retention", staff.retention_rules)
