"""Surveys: questions, responses, results, feedback after events and "You said, we did"."""

from __future__ import annotations


def init_app(app) -> None:
    from engagement.core.worker import register_task
    from engagement.surveys import models, views  # noqa: F401 - models
    from engagement.surveys.answering import purge_expired
    from engagement.surveys.feedback import send_due_feedback

    views.init_app(app)
    app.register_blueprint(views.bp)
    register_task("surveys-feedback", send_due_feedback)
    register_task("surveys-purge", purge_expired)
