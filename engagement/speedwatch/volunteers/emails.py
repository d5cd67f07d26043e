"""What a volunteer and their team are emailed as an application is decided, and on suspension.

Queued in the caller's transaction (the worker sends them). Team notices carry at most a
volunteer's name, with a link to the staff pages; phone numbers and addresses stay on those pages.
"""

from __future__ import annotations

from engagement.core.i18n import _, force_language, language_of
from engagement.core.urls import public_url
from engagement.speedwatch.mail import send, team_recipients
from engagement.speedwatch.volunteers.models import Volunteer


def application_received(volunteer: Volunteer) -> None:
    team = volunteer.team
    with force_language(language_of(volunteer)):  # the applicant's language; the team's notice stays English
        send(
            volunteer.email,
            _("We have your application: %(team)s Community Speed Watch", team=team.name),
            "volunteer_applied",
            volunteer=volunteer,
            team=team,
            about_url=public_url("speedwatch.about", slug=team.slug),
        )
    staff_url = public_url("speedwatch.volunteer", volunteer_id=volunteer.id)
    for address in team_recipients(team, officers=False):
        send(
            address,
            f"New Speed Watch application for {team.name}",
            "volunteer_new_application",
            volunteer=volunteer,
            team=team,
            staff_url=staff_url,
        )


def welcome(volunteer: Volunteer) -> None:
    team = volunteer.team
    with force_language(language_of(volunteer)):  # sent from a staff page: the volunteer's language, not English
        send(
            volunteer.email,
            _("Welcome to %(team)s Community Speed Watch", team=team.name),
            "volunteer_welcome",
            volunteer=volunteer,
            team=team,
            login_url=public_url("accounts.login"),
            forgot_url=public_url("accounts.forgot_password"),
            rota_url=public_url("speedwatch.rota"),
        )


def declined(volunteer: Volunteer) -> None:
    team = volunteer.team
    with force_language(language_of(volunteer)):
        send(
            volunteer.email,
            _("Your application to %(team)s Community Speed Watch", team=team.name),
            "volunteer_declined",
            volunteer=volunteer,
            team=team,
        )


def suspended(volunteer: Volunteer) -> None:
    team = volunteer.team
    with force_language(language_of(volunteer)):
        send(volunteer.email, _("Your Speed Watch volunteering is paused: %(team)s", team=team.name),
             "volunteer_suspended", team=team)  # fmt: skip


def reinstated(volunteer: Volunteer) -> None:
    team = volunteer.team
    with force_language(language_of(volunteer)):
        send(
            volunteer.email,
            _("Welcome back to %(team)s Community Speed Watch", team=team.name),
            "volunteer_reinstated",
            volunteer=volunteer,
            team=team,
            login_url=public_url("accounts.login"),
            forgot_url=public_url("accounts.forgot_password"),
        )
