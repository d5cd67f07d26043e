"""Data protection: data-subject requests (find, download, erase), retention, and the legal pages.

Every feature describes its own personal data through engagement.core.personal_data (a Provider
and RetentionRules in its privacy.py); this package runs them: `subjects` (search, export audit,
erasure in one transaction), `export` (the streamed ZIP), `retention` (the daily worker task
"privacy-retention" and the staff page's overview), `selfservice` (residents' emailed links),
and the pages at /privacy, /accessibility, /privacy/request and /staff/privacy/.
Public interface: none; nothing imports this package (it sits at the top with newsletter).
"""

from __future__ import annotations


def init_app(app) -> None:
    from engagement.core.hooks import register_dashboard_section
    from engagement.core.permissions import has_access
    from engagement.core.worker import register_task
    from engagement.privacy import models, published, retention, sections, selfservice  # noqa: F401 - models
    from engagement.privacy.blueprint import bp

    app.register_blueprint(bp)
    published.register()
    selfservice.register()
    register_task("privacy-retention", retention.run_rules, every=retention.EVERY)
    register_dashboard_section("privacy", sections.dashboard_section, order=90)
    app.jinja_env.globals["can_access"] = lambda level: _current_can(has_access, level)


def _current_can(has_access, level: str) -> bool:
    """Templates ask `can_access('privacy')` instead of comparing role strings."""
    from flask_login import current_user

    return has_access(current_user, level)
