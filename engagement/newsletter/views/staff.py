"""Staff screens for newsletters: list, compose, choose items, preview, test, check and send.

Sending is never done here: "Send" schedules the issue and the worker starts it (at once,
or at the chosen time), so the request returns immediately whatever the list's size.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from engagement.core.actions import perform, render_form, submit
from engagement.core.errors import DomainError
from engagement.core.permissions import access, get_or_404, require, works_across_teams
from engagement.core.timeutil import format_datetime, local_zone
from engagement.extensions import db
from engagement.newsletter import issues
from engagement.newsletter.forms import IssueForm, SendForm
from engagement.newsletter.models import DRAFT, Issue
from engagement.teams.models import AREAS, Team
from engagement.teams.services import team_by_slug, teams_for


def _load(issue_id: int) -> Issue:
    issue = get_or_404(Issue, issue_id)
    require(issues.may_manage(current_user, issue))
    return issue


def _issue_page(issue_id: int) -> str:
    return url_for("newsletter.staff_issue", issue_id=issue_id)


def _scope_choices() -> list[tuple[str, str]]:
    choices = [(f"team:{t.id}", f"{t.name} Neighbourhood Team") for t in teams_for(current_user)]
    if works_across_teams(current_user):
        choices += [(f"area:{a}", f"Every team in {a}") for a in AREAS]
    return choices


@access("staff")
def staff_issues():
    page = issues.staff_issues(current_user, page=request.args.get("page", 1, type=int))
    return render_template("newsletter/staff/list.html", page=page)


def _create(form: IssueForm) -> Issue:
    kind, _, value = form.scope.data.partition(":")
    team = db.session.get(Team, int(value)) if kind == "team" and value.isdigit() else None
    return issues.create_issue(actor=current_user, team=team, area=value if kind == "area" else None,
                               subject=form.subject.data, intro=form.intro.data or "", weeks=form.weeks.data)  # fmt: skip


@access("staff")
def issue_new():
    form = IssueForm()
    form.scope.choices = _scope_choices()
    if not form.scope.choices:
        return render_template("news/staff/no_team.html"), 403
    if request.method == "GET" and request.args.get("team"):
        team = team_by_slug(request.args["team"])
        form.scope.data = f"team:{team.id}" if team else None
    done = submit(form, lambda: _create(form), success=lambda issue: _issue_page(issue.id),
                  message="Draft saved. Choose the news to include, then preview it.",
                  check=lambda: issues.check_text(form.subject.data, form.intro.data or "", form.weeks.data))  # fmt: skip
    return done or render_form("newsletter/staff/new.html", form)


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


def _after_save(issue_id: int) -> str:
    """The button pressed says where to go next: the preview, the send page, or back to the issue."""
    next_step = request.form.get("action")
    if next_step == "preview":
        return url_for("newsletter.issue_preview", issue_id=issue_id)
    if next_step == "send":
        return url_for("newsletter.issue_send", issue_id=issue_id)
    return _issue_page(issue_id)


@access("team")
def staff_issue(issue_id: int):
    issue = _load(issue_id)
    form = _edit_form(issue)
    if issue.status == DRAFT:
        done = submit(
            form,
            lambda: issues.update_issue(issue, actor=current_user, subject=form.subject.data,
                                        intro=form.intro.data or "", weeks=form.weeks.data,
                                        post_ids=form.posts.data or [], entry_ids=form.entries.data or [],
                                        priorities=form.priorities.data),
            success=_after_save(issue_id),
            message="Saved.",
            check=lambda: issues.check_text(form.subject.data, form.intro.data or "", form.weeks.data),
        )  # fmt: skip
        if done:
            return done
    return render_form(
        "newsletter/staff/issue.html", form, issue=issue, scope=issues.scope_label(issue),
        posts=issues.post_choices(issue), entries=issues.entry_choices(issue), progress=issues.progress(issue),
        failures=issues.failures(issue) if issue.status != DRAFT else [],
    )  # fmt: skip


@access("team")
def issue_preview(issue_id: int):
    """The email as residents will see it, with today's events; the worker renders the same way."""
    issue = _load(issue_id)
    body_html, _ = issues.render_content(issue)
    content = Markup(body_html)  # noqa: S704 - escaped templates and nh3-sanitised parts
    return render_template("newsletter/staff/preview.html", issue=issue, scope=issues.scope_label(issue),
                           content=content, empty=issues.is_empty(issue))  # fmt: skip


@access("team")
def issue_test(issue_id: int):
    issue = _load(issue_id)
    return perform(lambda: issues.send_test(issue, actor=current_user), success=_issue_page(issue_id),
                   message=f"A test copy is on its way to {current_user.email}. It is marked as a test.")  # fmt: skip


def _send_at(form: SendForm) -> datetime | None:
    if form.when.data != "later":
        return None
    if not form.send_date.data or not form.send_time.data:
        raise DomainError("Enter the date and time to send it", field="send_date")
    local = datetime.combine(form.send_date.data, form.send_time.data, tzinfo=local_zone())
    return local.astimezone(UTC)


@access("team")
def issue_send(issue_id: int):
    """Check your answers, then send now or schedule."""
    issue = _load(issue_id)
    form = SendForm()
    if issue.status == DRAFT:
        done = submit(
            form,
            lambda: issues.schedule(issue, actor=current_user, send_at=_send_at(form)),
            success=_issue_page(issue_id),
            message=lambda scheduled: (
                "Sending now. The first emails go out within a minute."
                if form.when.data == "now"
                else f"Scheduled for {format_datetime(scheduled.send_at)}."
            ),
        )
        if done:
            return done
    context = issues.content_context(issue)
    return render_form(
        "newsletter/staff/send.html", form, issue=issue, scope=issues.scope_label(issue),
        recipients=issues.recipient_count(issue), posts=context["posts"], entries=context["entries"],
        event_count=context["event_count"],
    )  # fmt: skip


@access("team")
def issue_cancel(issue_id: int):
    issue = _load(issue_id)
    return perform(lambda: issues.cancel_schedule(issue, actor=current_user), success=_issue_page(issue_id),
                   message="The scheduled send is cancelled. The newsletter is a draft again.")  # fmt: skip
