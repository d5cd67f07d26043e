"""The core URL table: admins' views of the shared mechanisms (audit log, mail outbox)."""

from flask import Blueprint

from engagement.core import views

bp = Blueprint("core", __name__, url_prefix="/staff")

bp.add_url_rule("/audit", "audit_log", views.audit_log)
bp.add_url_rule("/mail", "outbox", views.outbox)
bp.add_url_rule("/mail/<int:message_id>", "outbox_message", views.outbox_message)
