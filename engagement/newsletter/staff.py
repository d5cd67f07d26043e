"""Staff screens for newsletters: list, compose, choose items, preview, test, check and send.

Sending is never done here: "Send" schedules the issue and the worker starts it (at once,
or at the chosen time), so the request returns immediately whatever the list's size.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from engagement.core.errors import DomainError
from engagement.core.forms import apply_domain_error
from engagement.core.permissions import ADMIN, COORDINATOR, get_or_404, require, staff_route
from engagement.core.timeutil import format_datetime, local_zone
from engagement.extensions import db
from engagement.newsletter import issues
from engagement.newsletter.forms import IssueForm, SendForm
from engagement.newsletter.models import DRAFT, Issue
from engagement.newsletter.views import bp
from engagement.teams.models import AREAS, Team
from engagement.teams.services import all_teams, team_by_slug


def _coordinator() -> bool:
    return current_user.role in (ADMIN, COORDINATOR)


def _load(issue_id: int) -> Issue:
    issue = get_or_404(Issue, issue_id)
    require(issues.may_manage(current_user, issue))
    return issue


def _scope_choices() -> list[tuple[str, str]]:
    teams = all_teams() if _coordinator() else list(current_user.teams)
    choices = [(f"team:{t.id}", f"{t.name} Neighbourhood Team") for t in teams]
    if _coordinator():
        choices += [(f"area:{a}", f"Every team in {a}") for a in AREAS]
    return choices


@staff_route(bp, "/staff/newsletters", "staff")
def staff_issues():
    page = issues.staff_issues(current_user, page=request.args.get("page", 1, type=int))
    return render_template("newsletter/staff/list.html", page=page)


@staff_route(bp, "/staff/newsletters/new", "staff", methods=["GET", "POST"])
def issue_new():
    form = IssueForm()
    form.scope.choices = _scope_choices()
    if not form.scope.choices:
        return render_template("news/staff/no_team.html"), 403
    if request.method == "GET" and request.args.get("team"):
        team = team_by_slug(request.args["team"])
        form.scope.data = f"team:{team.id}" if team else None
    if form.validate_on_submit():
        kind, _, value = form.scope.data.partition(":")
        team = db.session.get(Team, int(value)) if kind == "team" and value.isdigit() else None
        try:
            issue = issues.create_issue(actor=current_user, team=team, area=value if kind == "area" else None,
                                        subject=form.subject.data, intro=form.intro.data or "",
                                        weeks=form.weeks.data)  # fmt: skip
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash("Draft saved. Choose the news to include, then preview it.", "success")
            return redirect(url_for("newsletter.staff_issue", issue_id=issue.id))
    return render_template("newsletter/staff/new.html", form=form), 400 if form.errors else 200


def _edit_form(issue: Issue) -> IssueForm:
    form = IssueForm(obj=issue) if request.method == "GET" else IssueForm()
    form.scope.choices = [("fixed", issues.scope_label(issue))]
    form.scope.data = "fixed"
    form.posts.choices = [(p.id, p.title) for p in issues.post_choices(issue)]
    form.entries.choices = [(e.id, e.title) for e in issues.entry_choices(issue)]
    if request.method == "GET":
        form.posts.data = [i.news_post_id for i in issue.items if i.news_post_id]
        form.entries.data = [i.feed_entry_id for i in issue.items if i.feed_entry_id]
    return form


@staff_route(bp, "/staff/newsletters/<int:issue_id>", "team", methods=["GET", "POST"])
def staff_issue(issue_id: int):
    issue = _load(issue_id)
    form = _edit_form(issue)
    if issue.status == DRAFT and form.validate_on_submit():
        try:
            issues.update_issue(issue, actor=current_user, subject=form.subject.data, intro=form.intro.data or "",
                                weeks=form.weeks.data, post_ids=form.posts.data or [],
                                entry_ids=form.entries.data or [])  # fmt: skip
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash("Saved.", "success")
            next_step = request.form.get("action")
            if next_step == "preview":
                return redirect(url_for("newsletter.issue_preview", issue_id=issue_id))
            if next_step == "send":
                return redirect(url_for("newsletter.issue_send", issue_id=issue_id))
            return redirect(url_for("newsletter.staff_issue", issue_id=issue_id))
    return render_template(
        "newsletter/staff/issue.html", issue=issue, form=form, scope=issues.scope_label(issue),
        posts=issues.post_choices(issue), entries=issues.entry_choices(issue), progress=issues.progress(issue),
        failures=issues.failures(issue) if issue.status != DRAFT else [],
    ), 400 if form.errors else 200  # fmt: skip


@staff_route(bp, "/staff/newsletters/<int:issue_id>/preview", "team")
def issue_preview(issue_id: int):
    """The email as residents will see it, with today's events; the worker renders the same way."""
    issue = _load(issue_id)
    body_html, _ = issues.render_content(issue)
    content = Markup(body_html)  # noqa: S704 - escaped templates and nh3-sanitised parts
    return render_template("newsletter/staff/preview.html", issue=issue, scope=issues.scope_label(issue),
                           content=content, empty=issues.is_empty(issue))  # fmt: skip


@staff_route(bp, "/staff/newsletters/<int:issue_id>/test", "team", methods=["POST"])
def issue_test(issue_id: int):
    issue = _load(issue_id)
    issues.send_test(issue, actor=current_user)
    db.session.commit()
    flash(f"A test copy is on its way to {current_user.email}. It is marked as a test.", "success")
    return redirect(url_for("newsletter.staff_issue", issue_id=issue_id))


def _send_at(form: SendForm) -> datetime | None:
    if form.when.data != "later":
        return None
    if not form.send_date.data or not form.send_time.data:
        raise DomainError("Enter the date and time to send it", field="send_date")
    local = datetime.combine(form.send_date.data, form.send_time.data, tzinfo=local_zone())
    return local.astimezone(UTC)


@staff_route(bp, "/staff/newsletters/<int:issue_id>/send", "team", methods=["GET", "POST"])
def issue_send(issue_id: int):
    """Check your answers, then send now or schedule."""
    issue = _load(issue_id)
    form = SendForm()
    if issue.status == DRAFT and form.validate_on_submit():
        try:
            issues.schedule(issue, actor=current_user, send_at=_send_at(form))
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            when = issue.send_at
            db.session.commit()
            flash("Sending now. The first emails go out within a minute." if form.when.data == "now"
                  else f"Scheduled for {format_datetime(when)}.", "success")  # fmt: skip
            return redirect(url_for("newsletter.staff_issue", issue_id=issue_id))
    context = issues.content_context(issue)
    return render_template(
        "newsletter/staff/send.html", issue=issue, form=form, scope=issues.scope_label(issue),
        recipients=issues.recipient_count(issue), posts=context["posts"], entries=context["entries"],
        event_count=context["event_count"],
    ), 400 if form.errors else 200  # fmt: skip


@staff_route(bp, "/staff/newsletters/<int:issue_id>/cancel", "team", methods=["POST"])
def issue_cancel(issue_id: int):
    issue = _load(issue_id)
    try:
        issues.cancel_schedule(issue, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        db.session.commit()
        flash("The scheduled send is cancelled. The newsletter is a draft again.", "success")
    return redirect(url_for("newsletter.staff_issue", issue_id=issue_id))
