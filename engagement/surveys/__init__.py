"""Surveys: questions, responses, results, feedback after events and "You said, we did".

Public interface: `surveys.models` (Survey, Question, Response, ...); `surveys.services`
(SurveyDetails, save_survey, publish_survey, may_manage, scope_label); `surveys.questions`
(QuestionDetails, add_question); `surveys.outcomes` (save_outcome, open_surveys, recent_outcomes);
`surveys.results` (compile_results); `surveys.bulk` (BulkResponse, insert_responses);
`surveys.feedback.ATTENDEES_TOPIC` ("occurrence.attendees"), the core.hooks provider sign-ups
register. Surveys import events and news, which sit below them; the rest of the package is private.
"""

from __future__ import annotations


def init_app(app) -> None:
    from engagement.core.hooks import register_dashboard_section, register_occurrence_section, register_team_section
    from engagement.core.worker import register_task
    from engagement.surveys import models  # noqa: F401 - surveys, questions, responses
    from engagement.surveys.answering import purge_expired
    from engagement.surveys.blueprint import bp
    from engagement.surveys.charts import percent_text
    from engagement.surveys.feedback import send_due_feedback
    from engagement.surveys.services import readers_label, scope_label
    from engagement.surveys.views import sections

    app.register_blueprint(bp)
    app.jinja_env.filters["survey_scope"] = scope_label
    app.jinja_env.filters["survey_readers"] = readers_label
    app.jinja_env.filters["survey_pct"] = percent_text
    from engagement.surveys import translations

    translations.register(app)  # survey_tr: a survey's text in the reader's language (issue 15)
    register_team_section("surveys", sections.team_section, order=30)
    register_dashboard_section("surveys", sections.dashboard_section, order=30)
    register_occurrence_section(
        "surveys-feedback", sections.occurrence_section, order=90, columns=sections.occurrence_columns
    )
    register_task("surveys-feedback", send_due_feedback)
    register_task("surveys-purge", purge_expired)
    from engagement.surveys import privacy  # data-subject requests and retention

    privacy.register()
