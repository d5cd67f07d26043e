"""The core URL tables: admins' views of the shared mechanisms (audit log, mail outbox), and the
one public page core owns (/language: the language switcher explained)."""

from flask import Blueprint

from engagement.core import callbacks, views

bp = Blueprint("core", __name__, url_prefix="/staff")

bp.add_url_rule("/audit", "audit_log", views.audit_log)
bp.add_url_rule("/mail", "outbox", views.outbox)
bp.add_url_rule("/mail/<int:message_id>", "outbox_message", views.outbox_message)
bp.add_url_rule("/mail/texts/blocked", "blocked_numbers", views.blocked_numbers)

# Public: how to choose a language, and that the translations are not yet professionally reviewed.
public = Blueprint("i18n", __name__)
public.add_url_rule("/language", "language", views.language)
# Browsers and feed readers ask for /favicon.ico whatever the page says: the icon, not a 404.
public.add_url_rule("/favicon.ico", "favicon", views.favicon)

# GOV.UK Notify's callbacks (engagement.core.callbacks): bearer token, JSON, no CSRF, no session.
notify_bp = Blueprint("notify", __name__, url_prefix="/notify")
notify_bp.add_url_rule("/callback/delivery", "delivery_receipt", callbacks.delivery_receipt, methods=["POST"])
notify_bp.add_url_rule("/callback/received", "received_text", callbacks.received_text, methods=["POST"])
