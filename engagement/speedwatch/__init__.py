"""Community Speed Watch, the whole scheme: approved volunteers, risk-assessed sites and site requests,
speed devices and their calibration, a shift rota with a minimum team, returns with traffic counts,
and the letter ladder (letters, keeper lookup, referrals for a visit).

Parts: volunteers/, sites/, requests/, devices/, shifts/, returns/, letters/, overview/ (each with its
models, services, queries, forms and views), plus the pieces they share: blueprint (the URL table),
access (who sees what), expiry (the worker's expiry warnings), mail (team recipients), dates, forms.

Public interface (what other features may import):
* engagement.speedwatch.volunteers.models: Volunteer and its statuses (APPLIED, APPROVED, ...)
* engagement.speedwatch.sites.models: Site
* engagement.speedwatch.shifts.models: Shift, ShiftStaffing, ShiftSignup, the roles and quorum outcomes
* engagement.speedwatch.returns.models: SessionReturn, Vehicle
* engagement.speedwatch.devices.models: Device, DeviceCalibration
* engagement.speedwatch.requests.models: SiteRequest, SiteRequestPhoto
* engagement.speedwatch.letters.models: LadderVehicle, LadderStep, Letter, LetterBatch, LetterTemplate, Referral
* engagement.speedwatch.devices.services.register_device, requests.services.propose_site and
  returns.services.record_return (the demo data goes through them)
* engagement.speedwatch.shifts.services.sign_up_for_shift (the demo data uses it)
Everything else is private to the package. Other features reach Speed Watch only through what
init_app registers: the blueprint, worker tasks, hooks and the `plate` template filter.
"""

from __future__ import annotations


def init_app(app) -> None:
    from engagement.core import hooks
    from engagement.core.worker import register_task
    from engagement.speedwatch import expiry
    from engagement.speedwatch.blueprint import bp
    from engagement.speedwatch.devices import models as device_models  # noqa: F401 - models for Alembic
    from engagement.speedwatch.devices import sections as device_sections
    from engagement.speedwatch.letters import models as letter_models  # noqa: F401 - models for Alembic
    from engagement.speedwatch.letters import tasks as letter_tasks
    from engagement.speedwatch.requests import models as request_models  # noqa: F401 - models for Alembic
    from engagement.speedwatch.returns import models as return_models  # noqa: F401 - models for Alembic
    from engagement.speedwatch.returns import plates, tasks
    from engagement.speedwatch.shifts import listeners, quorum, sections
    from engagement.speedwatch.shifts import models as shift_models  # noqa: F401 - models for Alembic
    from engagement.speedwatch.sites import models as site_models  # noqa: F401 - models for Alembic
    from engagement.speedwatch.volunteers import models as volunteer_models  # noqa: F401 - models for Alembic
    from engagement.speedwatch.volunteers import queries as volunteer_queries
    from engagement.speedwatch.volunteers import sections as volunteer_sections

    app.register_blueprint(bp)
    app.jinja_env.filters["plate"] = plates.display

    register_task("speedwatch-expiry-warnings", expiry.warn_expiring)
    register_task("speedwatch-quorum", quorum.check_quorum)
    register_task("speedwatch-returns-purge", tasks.purge_returns)
    register_task("speedwatch-keeper-erase", letter_tasks.erase_keepers)

    hooks.register_team_section("speedwatch", volunteer_sections.team_section, order=40)
    hooks.register_dashboard_section("speedwatch-attention", volunteer_sections.dashboard_section, order=20)
    hooks.register_dashboard_section("speedwatch-shifts", sections.dashboard_section, order=12)
    hooks.register_dashboard_section("speedwatch-devices", device_sections.dashboard_section, order=21)
    hooks.register_occurrence_section("speedwatch", sections.occurrence_section, order=5, columns=sections.page_columns)
    hooks.register_occurrence_lines("speedwatch", sections.date_lines, order=5)  # a shift's line on staff lists
    hooks.register_provider("places_left.volunteers", sections.places_left)  # the API's places_left for shifts
    hooks.register_listener("occurrences.changed", "speedwatch", listeners.occurrences_changed)
    hooks.register_listener("occurrences.removed", "speedwatch", listeners.occurrences_removed)
    hooks.register_listener("speedwatch.volunteer_suspended", "speedwatch-shifts", listeners.volunteer_suspended)
    # The admin's account list shows volunteer sign-ins with their team (accounts sits below Speed Watch)
    hooks.register_provider("accounts.volunteer_memberships", volunteer_queries.memberships_for_users)
    hooks.register_provider("accounts.volunteer_user_ids", volunteer_queries.volunteer_user_ids)
    from engagement.speedwatch import privacy  # data-subject requests and retention

    privacy.register()
