"""GOV.UK Notify's callbacks: delivery receipts and received texts POSTed to us as JSON.

Set in Notify (API integration > Callbacks): delivery receipts to BASE_URL/notify/callback/delivery,
received text messages to BASE_URL/notify/callback/received, with NOTIFY_CALLBACK_TOKEN as the
bearer token (Notify sends `Authorization: Bearer <token>`). Without the setting both URLs are 404,
and the worker's polling does the same work. CSRF-exempt: the caller is Notify, not a browser
form; the token is what proves it. URLs in blueprint.py.
"""

from __future__ import annotations

import hmac

from flask import abort, current_app, jsonify, request

from engagement.core import sms_tasks
from engagement.core.actions import commit
from engagement.extensions import csrf

MAX_BODY = 64 * 1024


def _authorised() -> None:
    token = current_app.config.get("NOTIFY_CALLBACK_TOKEN", "")
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        abort(401)


def _payload() -> dict:
    if (request.content_length or 0) > MAX_BODY:
        abort(413)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        abort(400)
    return payload


@csrf.exempt
def delivery_receipt():
    _authorised()
    known = sms_tasks.apply_receipt(_payload())
    commit()
    return jsonify({"recorded": known}), 200


@csrf.exempt
def received_text():
    _authorised()
    if not sms_tasks.apply_received(_payload()):
        abort(400)
    commit()
    return jsonify({"recorded": True}), 200
