"""How Speed Watch emails a team, and the templates' folder.

Emails are queued in the outbox in the caller's transaction; the worker sends them. Team
notices go to the team's contact address and its officers (see `team_recipients`).
"""

from __future__ import annotations

from flask import current_app

from engagement.core.mail import queue_templated
from engagement.core.permissions import OFFICER

EMAIL_DIR = "speedwatch/email"


def team_recipients(team, *, officers: bool = True) -> list[str]:
    """The team's contact address and (if asked, or if there is no contact address) its active officers.

    Officers only: coordinators and admins belong to teams too, but they work across every team
    and are not the team's point of contact for its Speed Watch group."""
    found = [team.contact_email] if team.contact_email else []
    if officers or not found:
        found += [u.email for u in team.members if u.role == OFFICER and u.active]
    seen, unique = set(), []
    for address in found:
        if address.lower() not in seen:
            seen.add(address.lower())
            unique.append(address)
    return unique


def send(to: str, subject: str, template: str, **context) -> None:
    """Queue speedwatch/email/<template>.txt to one address, signed with the FORCE_NAME setting."""
    queue_templated(to, subject, f"{EMAIL_DIR}/{template}", force_name=current_app.config["FORCE_NAME"], **context)
