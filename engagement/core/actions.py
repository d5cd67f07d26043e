"""The one place a request's unit of work is committed, and where DomainError becomes a message.

Services never commit; views hand the service call to `perform` (buttons: commit, flash,
redirect; on a refused rule roll back and flash the reason) or `submit` (forms: the same on
success; on a refused rule roll back and put the message on its field so the form is shown
again with the answers kept). `commit()` is for the few views whose work is not one service
call (a GET that rotates a token, a form-less step). Nothing else in a view calls commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template
from werkzeug.wrappers import Response

from engagement.core.errors import DomainError
from engagement.core.forms import apply_domain_error
from engagement.extensions import db

Target = str | Callable[[Any], str | Response]
Message = str | Callable[[Any], str] | None


def commit() -> None:
    """Commit the request's transaction (the single commit site for views)."""
    db.session.commit()


def rollback() -> None:
    db.session.rollback()


def _resolve(value, result):
    return value(result) if callable(value) else value


def _finish(result, success: Target, message: Message, category: str) -> Response:
    text = _resolve(message, result)  # read names before commit expires the objects
    target = _resolve(success, result)
    commit()
    if text:
        flash(text, category)
    return target if isinstance(target, Response) else redirect(target)


def perform(
    call: Callable[[], Any],
    *,
    success: Target,
    message: Message = None,
    failure: Target | Callable[[DomainError], Response] | None = None,
    category: str = "success",
) -> Response:
    """Run one service call; on success commit, flash `message` and redirect to `success`.

    `success`/`message` may be callables taking the service's result. On DomainError the
    transaction is rolled back, the error's message is flashed as a warning and the user is
    redirected to `failure` (a URL, or a callable taking the error and returning a response),
    or to `success` when no failure target is given.
    """
    try:
        result = call()
    except DomainError as exc:
        rollback()
        if callable(failure):
            answer = failure(exc)
            if isinstance(answer, Response | tuple):
                return answer
            flash(exc.message, "warning")
            return redirect(answer)
        flash(exc.message, "warning")
        return redirect(failure or _resolve(success, None))
    return _finish(result, success, message, category)


def submit(
    form,
    call: Callable[[], Any],
    *,
    success: Target,
    message: Message = None,
    category: str = "success",
    validate: bool = True,
    check: Callable[[], Any] | None = None,
) -> Response | None:
    """The form shape: when the form validates, run the service and commit, flash and redirect.

    Returns None when the form is not submitted, does not validate, or the service refused it
    (the transaction rolled back and the message is on the field named by the error, or at the
    top of the form); the caller then renders the form, with `form_status(form)`.
    `check`: the service's own field checks, without saving anything (raising DomainError or
    DomainErrors). It runs when the form's checks failed, so the page lists every problem at
    once (an empty name and a bad email address) instead of one round at a time.
    """
    if validate and not form.validate_on_submit():
        if check is not None and form.is_submitted():
            try:
                check()
            except DomainError as exc:
                rollback()
                apply_domain_error(form, exc, only_new=True)
        return None
    try:
        result = call()
    except DomainError as exc:
        rollback()
        apply_domain_error(form, exc)
        return None
    return _finish(result, success, message, category)


def form_status(form) -> int:
    """400 when the form shows errors (so tests and clients can tell), else 200."""
    return 400 if form.errors or getattr(form, "form_errors", None) else 200


def render_form(template: str, form, **context):
    """Render a form page with the right status: 400 while it shows errors."""
    return render_template(template, form=form, **context), form_status(form)
