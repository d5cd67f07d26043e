"""The staff dashboard's data-protection box (for admins), registered through core.hooks."""

from __future__ import annotations

from flask import render_template

from engagement.core.permissions import has_access


def dashboard_section(user, teams) -> str:
    if not has_access(user, "privacy"):
        return ""
    return render_template("privacy/_dashboard.html")
