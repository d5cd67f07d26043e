"""Staff pages for shared mechanisms: the audit log and the mail outbox (admins only). URLs in blueprint.py."""

from flask import render_template, request

from engagement.core import audit, mail
from engagement.core.permissions import access, get_or_404


@access("admin")
def audit_log():
    action = request.args.get("action", "").strip() or None
    page = audit.recent_entries(action=action, page=request.args.get("page", 1, type=int))
    return render_template("core/audit.html", page=page, action=action or "")


@access("admin")
def outbox():
    page = mail.outbox_page(page=request.args.get("page", 1, type=int))
    return render_template("core/outbox.html", page=page)


@access("admin")
def outbox_message(message_id: int):
    message = get_or_404(mail.OutboxMessage, message_id)
    return render_template("core/outbox_message.html", message=message, raw=message.raw.decode("utf-8", "replace"))
