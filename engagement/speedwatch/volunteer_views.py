"""Speed Watch volunteers and sites over HTTP: the public about and apply pages, the team's pages.

Public: /teams/<slug>/speed-watch (about the group, never volunteers' names) and .../apply
(rate-limited). Staff: /staff/speed-watch/volunteers/... and /staff/speed-watch/sites/...;
lists are "staff" (limited to the user's teams), single records "team" (require_team).
Volunteers' phone numbers and addresses appear on staff pages only.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from engagement.core.errors import DomainError
from engagement.core.forms import apply_domain_error
from engagement.core.permissions import ADMIN, COORDINATOR, get_or_404, require_team, staff_route
from engagement.extensions import db, limiter
from engagement.speedwatch import sites as site_services
from engagement.speedwatch import volunteers as services
from engagement.speedwatch.models import APPLIED, Site, Volunteer
from engagement.speedwatch.views import bp
from engagement.speedwatch.volunteer_forms import (
    ApplyForm,
    ApproveForm,
    ConfirmForm,
    DeclineForm,
    SiteForm,
    SuspendForm,
    TrainingForm,
)
from engagement.teams.services import all_teams, team_by_slug

ID = "int(min=1, max=2147483647)"
APPLY_LIMIT = "5 per minute; 20 per hour"


def _team_or_404(slug: str):
    team = team_by_slug(slug)
    if team is None:
        abort(404, f"There is no team at /teams/{slug}. Find your team by postcode on the home page.")
    return team


def _warning_days() -> int:
    return current_app.config["SPEEDWATCH_WARNING_DAYS"]


# --- public -------------------------------------------------------------------------------------


@bp.route("/teams/<slug>/speed-watch")
def about(slug: str):
    team = _team_or_404(slug)
    return render_template("speedwatch/volunteer_about.html", team=team, sites=site_services.active_site_count(team))


def _consent_text(team) -> str:
    return (
        f"We keep your name, email address and phone number so that the {team.name} neighbourhood team can "
        "contact you about your application, training and Speed Watch shifts. Only the team's officers and "
        "Speed Watch coordinators see them; other volunteers do not. We record your training and vetting dates "
        "if you are approved. Ask the team at any time to see or delete your details."
    )


@bp.route("/teams/<slug>/speed-watch/apply", methods=["GET", "POST"])
@limiter.limit(APPLY_LIMIT, methods=["POST"])
def apply(slug: str):
    team = _team_or_404(slug)
    form = ApplyForm()
    if request.method == "POST" and form.website.data:
        return redirect(url_for("speedwatch.apply_done", slug=team.slug))  # a bot: nothing is kept
    if form.validate_on_submit():
        try:
            volunteer = services.apply(
                team, name=form.name.data, email=form.email.data, phone=form.phone.data, consent=form.consent.data
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        except IntegrityError:  # the same address applied at the same moment (partial unique index)
            db.session.rollback()
            form.email.errors.append(services.duplicate_message(team, None))
        else:
            session["speedwatch_applied"] = volunteer.id
            return redirect(url_for("speedwatch.apply_done", slug=team.slug))
    return render_template(
        "speedwatch/apply_form.html", form=form, team=team, consent=_consent_text(team)
    ), 400 if form.errors or form.form_errors else 200


@bp.route("/teams/<slug>/speed-watch/apply/done")
def apply_done(slug: str):
    team = _team_or_404(slug)
    volunteer = db.session.get(Volunteer, session.get("speedwatch_applied") or 0)
    if volunteer is not None and volunteer.team_id != team.id:
        volunteer = None
    return render_template("speedwatch/apply_done.html", team=team, volunteer=volunteer)


def team_section(team):
    """A box on the public team page inviting volunteers, once the team has an approved site."""
    if not site_services.active_site_count(team):
        return ""
    return render_template("speedwatch/volunteer_team_section.html", team=team)


# --- staff: helpers ------------------------------------------------------------------------------


def managed_teams(user):
    return all_teams() if user.role in (ADMIN, COORDINATOR) else sorted(user.teams, key=lambda t: t.name)


def _filter_teams():
    """The team ids a list shows (None: every team), and the chosen team from ?team=slug."""
    slug = request.args.get("team", "").strip()
    if slug:
        team = _team_or_404(slug)
        require_team(team)
        return [team.id], team
    if current_user.role in (ADMIN, COORDINATOR):
        return None, None
    return sorted(current_user.team_ids), None


def _volunteer(volunteer_id: int) -> Volunteer:
    volunteer = get_or_404(Volunteer, volunteer_id)
    require_team(volunteer.team)
    return volunteer


def _site(site_id: int) -> Site:
    site = get_or_404(Site, site_id)
    require_team(site.team)
    return site


def _done(volunteer: Volunteer, message: str):
    flash(message, "success")
    return redirect(url_for("speedwatch.volunteer", volunteer_id=volunteer.id))


def _action_page(template: str, form, volunteer: Volunteer, **context):
    status = 400 if form.errors or form.form_errors else 200
    return render_template(template, form=form, volunteer=volunteer, **context), status


# --- staff: volunteers ---------------------------------------------------------------------------


@staff_route(bp, "/staff/speed-watch/volunteers", "staff")
def volunteers():
    team_ids, chosen = _filter_teams()
    return render_template(
        "speedwatch/volunteer_list.html",
        groups=services.staff_list(team_ids),
        chosen=chosen,
        teams=managed_teams(current_user),
        today=services.local_today(),
        days=_warning_days(),
        training_state=services.training_state,
    )


@staff_route(bp, f"/staff/speed-watch/volunteers/<{ID}:volunteer_id>", "team")
def volunteer(volunteer_id: int):
    volunteer = _volunteer(volunteer_id)
    today = services.local_today()
    return render_template(
        "speedwatch/volunteer_detail.html",
        volunteer=volunteer,
        history=services.history(volunteer),
        training=services.training_state(volunteer, today, _warning_days()),
        form=ConfirmForm(),
    )


@staff_route(bp, f"/staff/speed-watch/volunteers/<{ID}:volunteer_id>/approve", "team", methods=["GET", "POST"])
def volunteer_approve(volunteer_id: int):
    volunteer = _volunteer(volunteer_id)
    form = ApproveForm()
    if volunteer.status == APPLIED and form.validate_on_submit():
        try:
            services.approve(
                volunteer,
                actor=current_user,
                training_date=form.training_date.data,
                training_expires=form.training_expires.data,
                vetting_done=form.vetting_done.data,
                vetting_date=form.vetting_date.data,
            )
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            return _done(volunteer, f"Approved {volunteer.name}. We have emailed them a link to set their password.")
    elif request.method == "POST" and volunteer.status != APPLIED:
        form.form_errors.append(f"This volunteer is already {volunteer.status_label.lower()}.")
    return _action_page("speedwatch/volunteer_approve.html", form, volunteer, months=_training_months())


def _training_months() -> int:
    return current_app.config["SPEEDWATCH_TRAINING_MONTHS"]


@staff_route(bp, f"/staff/speed-watch/volunteers/<{ID}:volunteer_id>/decline", "team", methods=["GET", "POST"])
def volunteer_decline(volunteer_id: int):
    volunteer = _volunteer(volunteer_id)
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            services.decline(volunteer, actor=current_user, reason=form.reason.data or "")
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            return _done(volunteer, f"Declined {volunteer.name}'s application. We have emailed them.")
    return _action_page("speedwatch/volunteer_decline.html", form, volunteer)


@staff_route(bp, f"/staff/speed-watch/volunteers/<{ID}:volunteer_id>/suspend", "team", methods=["GET", "POST"])
def volunteer_suspend(volunteer_id: int):
    volunteer = _volunteer(volunteer_id)
    form = SuspendForm()
    if form.validate_on_submit():
        try:
            services.suspend(volunteer, actor=current_user, reason=form.reason.data)
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            return _done(
                volunteer, f"Suspended {volunteer.name}. They are signed out and their future shifts are given up."
            )
    return _action_page("speedwatch/volunteer_suspend.html", form, volunteer)


@staff_route(bp, f"/staff/speed-watch/volunteers/<{ID}:volunteer_id>/reinstate", "team", methods=["POST"])
def volunteer_reinstate(volunteer_id: int):
    volunteer = _volunteer(volunteer_id)
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form had expired. Go back, reload the page and try again.")
    try:
        services.reinstate(volunteer, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for("speedwatch.volunteer", volunteer_id=volunteer.id))
    db.session.commit()
    return _done(volunteer, f"Reinstated {volunteer.name}. They can sign in again.")


@staff_route(bp, f"/staff/speed-watch/volunteers/<{ID}:volunteer_id>/training", "team", methods=["GET", "POST"])
def volunteer_training(volunteer_id: int):
    volunteer = _volunteer(volunteer_id)
    form = TrainingForm()
    if form.validate_on_submit():
        try:
            services.record_training(
                volunteer,
                actor=current_user,
                training_date=form.training_date.data,
                training_expires=form.training_expires.data,
            )
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            return _done(volunteer, f"Recorded training for {volunteer.name}.")
    return _action_page("speedwatch/volunteer_training.html", form, volunteer, months=_training_months())


# --- staff: sites ------------------------------------------------------------------------------


@staff_route(bp, "/staff/speed-watch/sites", "staff")
def sites():
    team_ids, chosen = _filter_teams()
    return render_template(
        "speedwatch/site_list.html",
        sites=site_services.staff_sites(team_ids),
        chosen=chosen,
        teams=managed_teams(current_user),
        today=services.local_today(),
        state=site_services.assessment_state,
    )


def _save_site(form: SiteForm, site: Site | None, team=None) -> Site:
    return site_services.save_site(
        site,
        actor=current_user,
        team=team,
        name=form.name.data,
        road=form.road.data,
        speed_limit=form.speed_limit.data,
        location=form.location.data or "",
        latitude=form.latitude.data,
        longitude=form.longitude.data,
        volunteer_notes=form.volunteer_notes.data or "",
        assessed_on=form.assessed_on.data,
        assessment_expires=form.assessment_expires.data,
        active=form.active.data,
    )


def _site_page(form: SiteForm, site: Site | None):
    status = 400 if form.errors or form.form_errors else 200
    return render_template("speedwatch/site_form.html", form=form, site=site), status


@staff_route(bp, "/staff/speed-watch/sites/new", "staff", methods=["GET", "POST"])
def site_new():
    teams = managed_teams(current_user)
    form = SiteForm()
    form.team.choices = [(t.slug, t.name) for t in teams]
    if request.method == "GET" and len(teams) == 1:
        form.team.data = teams[0].slug
    if form.validate_on_submit():
        team = next((t for t in teams if t.slug == form.team.data), None)
        try:
            site = _save_site(form, None, team)
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"Added {site.name}.", "success")
            return redirect(url_for("speedwatch.sites"))
    return _site_page(form, None)


@staff_route(bp, f"/staff/speed-watch/sites/<{ID}:site_id>/edit", "team", methods=["GET", "POST"])
def site_edit(site_id: int):
    site = _site(site_id)
    form = SiteForm(obj=site) if request.method == "GET" else SiteForm()
    if request.method == "GET":
        form.speed_limit.data = str(site.speed_limit)
        form.latitude.data = "" if site.latitude is None else str(site.latitude)
        form.longitude.data = "" if site.longitude is None else str(site.longitude)
    form.team.choices = [(site.team.slug, site.team.name)]
    if form.validate_on_submit():
        try:
            _save_site(form, site)
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"Saved {site.name}.", "success")
            return redirect(url_for("speedwatch.sites"))
    return _site_page(form, site)


# --- the staff dashboard ---------------------------------------------------------------------------


def dashboard_section(user, teams):
    """What needs attention in my teams' Speed Watch: three queries, whatever the number of rows."""
    mine = [t for t in teams if t.id in user.team_ids] or list(teams)
    if not mine:
        return ""
    team_ids = [t.id for t in mine]
    today = services.local_today()
    waiting, expiring_sites, expiring_training = services.needing_attention(team_ids, today, _warning_days())
    if not (waiting or expiring_sites or expiring_training):
        return ""
    return render_template(
        "speedwatch/volunteer_dashboard.html",
        waiting=waiting,
        sites=expiring_sites,
        training=expiring_training,
        today=today,
    )


def init_app(app) -> None:
    from engagement.core import hooks
    from engagement.core.worker import register_task
    from engagement.speedwatch.volunteer_tasks import warn_expiring

    hooks.register_team_section("speedwatch", team_section, order=40)
    hooks.register_dashboard_section("speedwatch-attention", dashboard_section, order=20)
    register_task("speedwatch-expiry-warnings", warn_expiring)
