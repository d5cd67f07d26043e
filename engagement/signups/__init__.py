"""Residents' sign-ups for event dates, waiting lists and attendance; most personal data lives here.

Public interface (what other features may import):
  engagement.signups.services   sign_up (the demo loader books through it) and the other rules
  engagement.signups.models     Signup, SignupSlot, EventsFeed and the status constants
Other features reach sign-ups through core.hooks (the event page's section, "places_left",
"occurrence.attendees", the dashboard, the event-change listeners) rather than by import;
everything else here is private to the package.
"""

from __future__ import annotations


def init_app(app) -> None:
    from engagement.core import hooks
    from engagement.core.worker import register_task
    from engagement.signups import event_changes, models, queries, sections, tasks  # noqa: F401 - models
    from engagement.signups.blueprint import bp

    app.register_blueprint(bp)
    hooks.register_occurrence_section("signups", sections.occurrence_section, order=10, columns=queries.page_columns)
    hooks.register_listener("occurrences.changed", "signups", event_changes.occurrences_changed)
    hooks.register_listener("occurrences.removed", "signups", event_changes.occurrences_removed)
    hooks.register_provider("places_left", queries.places_left)
    hooks.register_provider("occurrences.who_will_be_told", event_changes.who_will_be_told)  # cancel/move checks
    hooks.register_provider("occurrence.attendees", queries.attendees_for_feedback)  # surveys' feedback emails
    hooks.register_dashboard_section("signups", sections.dashboard_section, order=15)
    hooks.register_occurrence_lines("signups", sections.date_lines, order=10)  # one line per date on staff lists
    register_task("signup-reminders", tasks.send_reminders)
    register_task("signup-purge", tasks.purge_hourly)
    from engagement.signups import privacy  # data-subject requests and retention

    privacy.register()
