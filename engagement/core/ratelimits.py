"""The rate limits residents meet on public forms: shared numbers, per-person keys, the staff exemption,
and a 429 that shows the form again with the answers kept and says how long to wait.

Many residents share one address: a library PC, a care home's or community centre's Wi-Fi, an
officer's tablet at a street stall. So per-IP limits are sized for a busy shared connection
(SHARED_CONNECTION), the tight limits count per person (the email address or phone number typed),
and a signed-in officer entering residents' details is not limited per IP at all (the form's
service writes an audit entry instead). A view opts in to the friendly 429 with
`@keeps_answers_when_limited` (below its @limiter.limit lines) and, when `limited()` is set,
renders its form without calling the service.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

from flask import current_app, g, make_response, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from engagement.core.permissions import has_access

# Per IP address, for every resident-facing form that sends an email or stores an answer (README, "Rate limits").
SHARED_CONNECTION = "60 per hour; 300 per day"
_DIGITS = re.compile(r"\D")


@dataclass(frozen=True)
class Wait:
    """A limit that was hit: how long until it resets, and whether it counts per person or per connection."""

    seconds: int
    per_person: bool

    @property
    def words(self) -> str:
        return wait_words(self.seconds)


def wait_words(seconds: int) -> str:
    """'a minute', '25 minutes', '2 hours': rounded up, so waiting that long is always enough."""
    if seconds <= 60:
        return "a minute"
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return f"{minutes} minutes"
    return f"{math.ceil(minutes / 60)} hours"


def staff_on_behalf() -> bool:
    """A signed-in officer, coordinator or admin: entering residents' details, not a bot (exempt per IP)."""
    return has_access(current_user, "staff")


def client_ip() -> str:
    return request.remote_addr or "unknown"


def email_key(prefix: str, normalise) -> str:
    """The typed address, normalised so case tricks don't help; an address that is not one counts per IP."""
    try:
        return f"{prefix}:email:{normalise(request.form.get('email', ''))}"
    except Exception:  # noqa: BLE001 - DomainError for a malformed address: no email goes anywhere
        return f"{prefix}:email-invalid:{client_ip()}"


def phone_digits(raw: str) -> str:
    """A phone number as digits, the UK +44 prefix written as 0, so 07700 900123 and +44 7700 900123 match."""
    digits = _DIGITS.sub("", raw or "")
    if (raw or "").strip().startswith("+44") or digits.startswith("0044"):
        digits = "0" + digits.removeprefix("00").removeprefix("44")
    return digits


def has_phone() -> bool:
    return len(phone_digits(request.form.get("phone", ""))) >= 6


def phone_key(prefix: str) -> str:
    return f"{prefix}:phone:{phone_digits(request.form.get('phone', ''))}"


def answered(response) -> bool:
    """deduct_when for per-person limits: count only a form that went through (a redirect), not one with typos."""
    return response.status_code in (302, 303)


# --- the friendly 429 ---------------------------------------------------------------------------


_FORM_VIEWS: set = set()  # the functions themselves: functools.wraps copies attributes onto the limiter's wrappers


def keeps_answers_when_limited(view):
    """Mark a form view: when one of its limits is hit it is called again with `limited()` set, and shows
    the form with what was typed instead of the bare error page. Put it below the @limiter.limit lines,
    so the call skips the limits (and nothing else)."""
    _FORM_VIEWS.add(view)
    return view


def limited() -> Wait | None:
    """Set while a view is re-rendering its form because a limit was hit."""
    return g.get("rate_limit_wait")


def _breached_wait() -> Wait:
    from engagement.extensions import limiter

    current = limiter.current_limit
    if current is None:
        return Wait(60, per_person=False)
    seconds = max(1, int(current.reset_at - time.time()))
    return Wait(seconds, per_person=any(part in current.key for part in (":email:", ":phone:")))


def _form_view():
    view = current_app.view_functions.get(request.endpoint or "")
    while view is not None and view not in _FORM_VIEWS:
        view = getattr(view, "__wrapped__", None)
    return view


def form_again():
    """The 429 for a form page (from the app's 429 handler): the form, answers kept, and the wait; None if the
    endpoint is not a marked form (the error page is used then)."""
    view = _form_view()
    wait = _breached_wait()
    g.rate_limit_wait = wait
    if view is None or request.method != "POST":
        return None
    try:
        response = make_response(view(**(request.view_args or {})))
    except HTTPException:  # the page itself is gone (a 404 meanwhile): the plain 429 page instead
        return None
    response.status_code = 429
    response.headers["Retry-After"] = str(wait.seconds)
    return response


def wait_message() -> str:
    """The words for the plain error page: how long to wait."""
    wait = g.get("rate_limit_wait") or _breached_wait()
    return f"You have tried too many times. Wait {wait.words}, then try again."
