"""Speed Watch volunteers over HTTP: the public about and apply pages, and the team's volunteer pages.

Public: /teams/<slug>/speed-watch (about the group, never volunteers' names) and .../apply
(rate-limited). Staff: /staff/speed-watch/volunteers/...; the list is "staff" (limited to the
user's teams), a single volunteer "team" (require_team). Volunteers' phone numbers and addresses
appear on staff pages only. The URLs are listed in speedwatch/blueprint.py.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from engagement.core.actions import perform, render_form, submit
from engagement.core.permissions import access, get_or_404, require_team
from engagement.extensions import db, limiter
from engagement.speedwatch.access import list_scope, team_or_404
from engagement.speedwatch.dates import local_today
from engagement.speedwatch.forms import ConfirmForm
from engagement.speedwatch.sites.queries import active_site_count
from engagement.speedwatch.volunteers import queries, services
from engagement.speedwatch.volunteers.forms import ApplyForm, ApproveForm, DeclineForm, SuspendForm, TrainingForm
from engagement.speedwatch.volunteers.models import APPLIED, Volunteer
from engagement.teams.services import teams_for

APPLY_LIMIT = "5 per minute; 20 per hour"


def _warning_days() -> int:
    return current_app.config["SPEEDWATCH_WARNING_DAYS"]


def _training_months() -> int:
    return current_app.config["SPEEDWATCH_TRAINING_MONTHS"]


# --- public -------------------------------------------------------------------------------------


def about(slug: str):
    team = team_or_404(slug)
    return render_template("speedwatch/volunteer_about.html", team=team, sites=active_site_count(team))


def _consent_text(team) -> str:
    return (
        f"We keep your name, email address and phone number so that the {team.name} neighbourhood team can "
        "contact you about your application, training and Speed Watch shifts. Only the team's officers and "
        "Speed Watch coordinators see them; other volunteers do not. We record your training and vetting dates "
        "if you are approved. Ask the team at any time to see or delete your details."
    )


@limiter.limit(APPLY_LIMIT, methods=["POST"])
def apply(slug: str):
    team = team_or_404(slug)
    form = ApplyForm()
    if request.method == "POST" and form.website.data:
        return redirect(url_for("speedwatch.apply_done", slug=team.slug))  # a bot: nothing is kept

    def applied(volunteer: Volunteer) -> str:
        session["speedwatch_applied"] = volunteer.id  # the thank-you page greets them by name
        return url_for("speedwatch.apply_done", slug=team.slug)

    done = submit(
        form,
        lambda: services.apply(
            team, name=form.name.data, email=form.email.data, phone=form.phone.data, consent=form.consent.data
        ),
        success=applied,
    )
    return done or render_form("speedwatch/apply_form.html", form, team=team, consent=_consent_text(team))


def apply_done(slug: str):
    team = team_or_404(slug)
    volunteer = db.session.get(Volunteer, session.get("speedwatch_applied") or 0)
    if volunteer is not None and volunteer.team_id != team.id:
        volunteer = None
    return render_template("speedwatch/apply_done.html", team=team, volunteer=volunteer)


# --- staff ---------------------------------------------------------------------------------------


def _volunteer(volunteer_id: int) -> Volunteer:
    volunteer = get_or_404(Volunteer, volunteer_id)
    require_team(volunteer.team)
    return volunteer


def _page(volunteer: Volunteer) -> str:
    return url_for("speedwatch.volunteer", volunteer_id=volunteer.id)


@access("staff")
def volunteers():
    team_ids, chosen = list_scope()
    return render_template(
        "speedwatch/volunteer_list.html",
        groups=queries.staff_list(team_ids),
        chosen=chosen,
        teams=teams_for(current_user),
        today=local_today(),
        days=_warning_days(),
        training_state=queries.training_state,
    )


@access("team")
def volunteer(volunteer_id: int):
    volunteer = _volunteer(volunteer_id)
    return render_template(
        "speedwatch/volunteer_detail.html",
        volunteer=volunteer,
        history=queries.history(volunteer),
        training=queries.training_state(volunteer, local_today(), _warning_days()),
        form=ConfirmForm(),
    )


@access("team")
def volunteer_approve(volunteer_id: int):
    volunteer = _volunteer(volunteer_id)
    form = ApproveForm()
    if request.method == "POST" and volunteer.status != APPLIED:
        # Decided meanwhile (a colleague, another tab): say so instead of checking the answers.
        form.form_errors.append(f"This volunteer is already {volunteer.status_label.lower()}.")
    else:
        done = submit(
            form,
            lambda: services.approve(
                volunteer,
                actor=current_user,
                training_date=form.training_date.data,
                training_expires=form.training_expires.data,
                vetting_done=form.vetting_done.data,
                vetting_date=form.vetting_date.data,
            ),
            success=_page(volunteer),
            message=f"Approved {volunteer.name}. We have emailed them a link to set their password.",
            check=lambda: services.check_approval(
                form.training_date.data, form.training_expires.data, form.vetting_done.data, form.vetting_date.data
            ),
        )
        if done:
            return done
    return render_form("speedwatch/volunteer_approve.html", form, volunteer=volunteer, months=_training_months())


@access("team")
def volunteer_decline(volunteer_id: int):
    volunteer = _volunteer(volunteer_id)
    form = DeclineForm()
    done = submit(
        form,
        lambda: services.decline(volunteer, actor=current_user, reason=form.reason.data or ""),
        success=_page(volunteer),
        message=f"Declined {volunteer.name}'s application. We have emailed them.",
    )
    return done or render_form("speedwatch/volunteer_decline.html", form, volunteer=volunteer)


@access("team")
def volunteer_suspend(volunteer_id: int):
    volunteer = _volunteer(volunteer_id)
    form = SuspendForm()
    done = submit(
        form,
        lambda: services.suspend(volunteer, actor=current_user, reason=form.reason.data),
        success=_page(volunteer),
        message=f"Suspended {volunteer.name}. They are signed out and their future shifts are given up.",
    )
    return done or render_form("speedwatch/volunteer_suspend.html", form, volunteer=volunteer)


@access("team")
def volunteer_reinstate(volunteer_id: int):
    volunteer = _volunteer(volunteer_id)
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form had expired. Go back, reload the page and try again.")
    return perform(
        lambda: services.reinstate(volunteer, actor=current_user),
        success=_page(volunteer),
        message=f"Reinstated {volunteer.name}. They can sign in again.",
    )


@access("team")
def volunteer_training(volunteer_id: int):
    volunteer = _volunteer(volunteer_id)
    form = TrainingForm()
    done = submit(
        form,
        lambda: services.record_training(
            volunteer,
            actor=current_user,
            training_date=form.training_date.data,
            training_expires=form.training_expires.data,
        ),
        success=_page(volunteer),
        message=f"Recorded training for {volunteer.name}.",
    )
    return done or render_form(
        "speedwatch/volunteer_training.html", form, volunteer=volunteer, months=_training_months()
    )
