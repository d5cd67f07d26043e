"""Staff pages for shared mechanisms: the audit log and the outbox of emails and texts (admins only).

URLs in blueprint.py."""

from flask import render_template, request

from engagement.core import audit, audit_actions, mail, notify, sms
from engagement.core.db import utcnow
from engagement.core.permissions import access, get_or_404
from engagement.core.timeutil import to_local


@access("admin")
def audit_log():
    filters, errors = audit.filter_from_args(request.args)
    choices = audit_actions.grouped_choices()
    page = audit.recent_entries(filters=filters, page=request.args.get("page", 1, type=int))
    return render_template(
        "core/audit.html",
        page=page,
        filters=filters,
        errors=errors,
        raw=request.args,
        action_choices=choices,
        offered={value for _, options in choices for value, _ in options},  # an older link's prefix is kept
        describe=audit_actions.describe,
    ), (400 if errors else 200)


@access("admin")
def outbox():
    channel = request.args.get("channel", "")
    channel = channel if channel in ("email", "sms") else ""
    page = mail.outbox_page(page=request.args.get("page", 1, type=int), channel=channel or None)
    now = utcnow()
    return render_template(
        "core/outbox.html",
        page=page,
        channel=channel,
        spend=sms.spend_table(now),
        month=to_local(now),
        blocked=sms.blocked_count(),
        sms_files=not notify.configured(),
    )


@access("admin")
def blocked_numbers():
    """Numbers Notify reported as permanently failing: the site sends them no more texts."""
    return render_template("core/blocked_numbers.html", numbers=sms.blocked_numbers())


@access("admin")
def outbox_message(message_id: int):
    message = get_or_404(mail.OutboxMessage, message_id)
    return render_template("core/outbox_message.html", message=message, raw=message.raw.decode("utf-8", "replace"))


def language():
    """The language switcher explained (public): every language named in its own script."""
    return render_template("core/language.html")


def favicon():
    """/favicon.ico, asked for by browsers and feed readers that do not read the page's <link rel=icon>."""
    from flask import current_app, send_from_directory

    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/x-icon", max_age=86400)
