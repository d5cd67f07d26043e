"""Staff pages for shared mechanisms: the audit log and the mail outbox (admins only)."""

from flask import Blueprint, render_template, request

from engagement.core import audit, mail
from engagement.core.permissions import get_or_404, staff_route

bp = Blueprint("core", __name__, url_prefix="/staff")


@staff_route(bp, "/audit", "admin")
def audit_log():
    action = request.args.get("action", "").strip() or None
    page = audit.recent_entries(action=action, page=request.args.get("page", 1, type=int))
    return render_template("core/audit.html", page=page, action=action or "")


@staff_route(bp, "/mail", "admin")
def outbox():
    page = mail.outbox_page(page=request.args.get("page", 1, type=int))
    return render_template("core/outbox.html", page=page)


@staff_route(bp, "/mail/<int:message_id>", "admin")
def outbox_message(message_id: int):
    message = get_or_404(mail.OutboxMessage, message_id)
    return render_template("core/outbox_message.html", message=message, raw=message.raw.decode("utf-8", "replace"))
