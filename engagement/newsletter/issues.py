"""Composing newsletter issues: who may write one, what goes in, preview, test, schedule.

An issue belongs to a team (its officers) or a whole area (coordinators). Its content is
the introduction, chosen news posts and imported entries, and the team's public events for
the next N weeks, filled in automatically. Content is rendered by `render_content`, the
same function the worker uses when sending starts, so the preview is what residents get.
When sending starts the content is also rendered in each other language its recipients read
(`render_bodies`): the headings, dates and "Coming up" translate, the officer's words do not.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, render_template
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import DomainError, FieldChecks, PermissionDenied
from engagement.core.i18n import SOURCE, available, current_language, force_language, languages
from engagement.core.mail import OutboxMessage
from engagement.core.markup import clean_source, has_markdown_tags, has_tags, plain_text, render_markdown
from engagement.core.permissions import can_manage_team, works_across_teams
from engagement.core.timeutil import format_date
from engagement.core.urls import public_url
from engagement.events.display import by_local_day
from engagement.extensions import db
from engagement.feeds.models import FeedEntry
from engagement.feeds.services import entries_for_teams
from engagement.news.models import PUBLISHED, NewsPost
from engagement.news.queries import in_scope_of, published_for_choice
from engagement.newsletter import upcoming
from engagement.newsletter.copies import MANAGE_SLOT, UNSUBSCRIBE_SLOT, WIRE, Envelope, build_message, sender_domain
from engagement.newsletter.models import (
    DRAFT,
    INTRO_MAX,
    MAX_WEEKS,
    SCHEDULED,
    SUBJECT_MAX,
    Delivery,
    Issue,
    IssueItem,
)
from engagement.newsletter.subscriptions import recipient_ids
from engagement.priorities.queries import current_for_teams
from engagement.teams.models import AREAS, Team

MAX_SCHEDULE_AHEAD = timedelta(days=90)


def may_manage(actor, issue_or_team=None, area: str | None = None) -> bool:
    """A team's issues for its officers; an area's for coordinators and admins only."""
    if actor is None:
        return True  # the CLI and the worker act as the system
    team = issue_or_team.team if isinstance(issue_or_team, Issue) else issue_or_team
    if team is not None:
        return can_manage_team(actor, team)
    return works_across_teams(actor)


def _require(actor, issue_or_team=None, area=None) -> None:
    if not may_manage(actor, issue_or_team, area):
        raise PermissionDenied("Only the team's officers (or coordinators, for a whole area) can do that.")


def scope_label(issue: Issue) -> str:
    return f"{issue.team.name} Neighbourhood Team" if issue.team is not None else f"Neighbourhood teams in {issue.area}"


def team_ids(issue: Issue) -> list[int]:
    if issue.team_id:
        return [issue.team_id]
    return list(db.session.scalars(select(Team.id).where(Team.area == issue.area)))


def _subject(subject: str) -> str:
    subject = " ".join((subject or "").split())
    if not subject:
        raise DomainError("Enter a subject line", field="subject")
    if has_tags(subject):
        raise DomainError("The subject line cannot contain HTML", field="subject")
    if len(subject) > SUBJECT_MAX:
        raise DomainError(f"The subject line must be {SUBJECT_MAX} characters or fewer", field="subject")
    return subject


def _intro(intro: str) -> str:
    if has_markdown_tags(intro):
        raise DomainError("The introduction cannot contain HTML tags. Use Markdown: **bold**, [link](https://...).",
                          field="intro")  # fmt: skip
    intro = clean_source(intro)
    if len(intro) > INTRO_MAX:
        raise DomainError(f"The introduction must be {INTRO_MAX:,} characters or fewer", field="intro")
    return intro


def check_text(subject: str, intro: str, weeks) -> tuple[str, str, int]:
    """The subject, introduction and weeks checked without saving (a form's `submit(check=...)`)."""
    return _check(subject, intro, weeks)


def _check(subject: str, intro: str, weeks: int) -> tuple[str, str, int]:
    """Every field checked in one pass (DomainErrors), so the form lists all the problems together."""
    checks = FieldChecks()
    subject, intro = checks(_subject, subject), checks(_intro, intro)
    if weeks is None or not 0 <= int(weeks) <= MAX_WEEKS:
        checks.add(f"Choose between 0 and {MAX_WEEKS} weeks of events", "weeks")
    checks.done()
    return subject, intro, int(weeks)


def create_issue(*, actor, subject: str, intro: str = "", weeks: int = 2, team=None, area=None) -> Issue:
    if (team is None) == (area is None):
        raise DomainError("Choose a team or an area", field="scope")
    if area is not None and area not in AREAS:
        raise DomainError(f"Choose an area: {', '.join(AREAS)}", field="scope")
    _require(actor, team, area)
    subject, intro, weeks = _check(subject, intro, weeks)
    issue = Issue(team=team, area=area, subject=subject, intro=intro, weeks=weeks,
                  created_by_id=getattr(actor, "id", None))  # fmt: skip
    db.session.add(issue)
    db.session.flush()
    audit.record("newsletter.create", actor=actor, target=issue, summary=subject)
    return issue


def _editable(issue: Issue) -> None:
    if issue.status == SCHEDULED:
        raise DomainError("This newsletter is scheduled. Cancel the scheduled send before changing it.")
    if issue.status != DRAFT:
        raise DomainError("This newsletter has been sent, so it cannot be changed.")


def update_issue(issue: Issue, *, actor, subject: str, intro: str, weeks: int, post_ids=(), entry_ids=(),
                 priorities: bool = False) -> Issue:  # fmt: skip
    """Change the text and the chosen items; only posts and entries the issue may use are kept."""
    _require(actor, issue)
    _editable(issue)
    issue.subject, issue.intro, issue.weeks = _check(subject, intro, weeks)
    issue.priorities = bool(priorities)
    posts = {p.id: p for p in post_choices(issue)}
    entries = {e.id: e for e in entry_choices(issue)}
    chosen = [IssueItem(news_post=posts[i]) for i in post_ids if i in posts]
    chosen += [IssueItem(feed_entry=entries[i]) for i in entry_ids if i in entries]
    for position, item in enumerate(chosen):
        item.position = position
    issue.items = chosen
    issue.updated_at = utcnow()
    audit.record("newsletter.update", actor=actor, target=issue, summary=issue.subject)
    return issue


def post_choices(issue: Issue, limit: int = 30) -> list[NewsPost]:
    """Published posts residents of the issue's teams see: the teams', their areas' and the force's."""
    teams = [issue.team] if issue.team is not None else []
    chosen = [item.news_post for item in issue.items if item.news_post is not None]
    found = published_for_choice(teams, area=issue.area, limit=limit)
    return found + [p for p in chosen if p not in found]


def entry_choices(issue: Issue, limit: int = 30) -> list[FeedEntry]:
    chosen = [item.feed_entry for item in issue.items if item.feed_entry is not None]
    found = entries_for_teams(team_ids(issue), limit=limit)
    return found + [e for e in chosen if e not in found]


def latest_posts(team, *, since, limit: int = 10) -> list[NewsPost]:
    """For `flask newsletter compose`: the team's (and its area's and force's) posts since a time."""
    query = (
        select(NewsPost)
        .where(NewsPost.status == PUBLISHED, NewsPost.published_at >= since, in_scope_of(team))
        .order_by(NewsPost.published_at.desc(), NewsPost.id.desc())
        .limit(limit)
    )
    return db.session.scalars(query).all()


def last_sent_at(team):
    return db.session.scalar(select(func.max(Issue.started_at)).where(Issue.team_id == team.id))


COMPOSE_DAYS = 30  # `compose` looks back at least this far, so a draft soon after the last issue still has news


def compose_news(team, *, now=None) -> tuple[list[NewsPost], str]:
    """The news `flask newsletter compose` puts in a draft, and a sentence saying which news that is.

    News since the team's last newsletter or from the last 30 days, whichever reaches further back
    (so a draft composed a week after the last issue still has news); posts an earlier newsletter
    of the team already carried are left out, so the longer window does not repeat them.
    """
    now = now or utcnow()
    last = last_sent_at(team)
    window = now - timedelta(days=COMPOSE_DAYS)
    since = min(last, window) if last else window
    sent_before = (
        select(IssueItem.news_post_id)
        .join(Issue, Issue.id == IssueItem.issue_id)
        .where(Issue.team_id == team.id, Issue.started_at.is_not(None), IssueItem.news_post_id.is_not(None))
    )
    already = set(db.session.scalars(sent_before))
    posts = [p for p in latest_posts(team, since=since, limit=30) if p.id not in already][:10]
    count = f"{len(posts)} news post{'' if len(posts) == 1 else 's'}" if posts else "No news posts"
    if last and last < window:
        return posts, f"{count} since the last newsletter ({format_date(last)})."
    reason = f"{count} from the last {COMPOSE_DAYS} days (since {format_date(since)})"
    if last:
        reason += f", leaving out any the last newsletter ({format_date(last)}) already had"
    return posts, reason + "."


# --- rendering ---------------------------------------------------------------------------------


def content_context(issue: Issue, now=None) -> dict:
    now = now or utcnow()
    rows = upcoming.upcoming(team_ids(issue), weeks=issue.weeks, now=now) if issue.weeks else []
    posts = [item.news_post for item in issue.items if item.news_post is not None and item.news_post.is_public]
    entries = [item.feed_entry for item in issue.items if item.feed_entry is not None]
    return {
        "issue": issue,
        "scope": scope_label(issue),
        "intro_html": render_markdown(issue.intro),
        "intro_text": plain_text(issue.intro),
        "posts": posts,
        "entries": entries,
        "days": by_local_day(rows),
        "event_count": len(rows),
        "priorities": current_for_teams(team_ids(issue)) if issue.priorities else [],
        # The officer's words inside a copy in another language: marked as English, direction by content.
        "original": "" if current_language() == SOURCE else Markup(' lang="en-GB" dir="auto"'),
    }


def render_content(issue: Issue, now=None) -> tuple[str, str]:
    """The issue's body as HTML and plain text (without the per-recipient footer)."""
    context = content_context(issue, now)
    return (render_template("newsletter/email/_content.html", **context),
            render_template("newsletter/email/_content.txt", **context))  # fmt: skip


def render_bodies(issue: Issue, codes, now=None) -> dict | None:
    """{"ur": {"html", "text"}}: the content in each of `codes` that is shipped and readable, for
    the recipients who read it (English stays in body_html/body_text). None if there is no other."""
    wanted = sorted({c for c in codes if c and c != SOURCE and c in languages() and available(c)})
    bodies = {}
    for code in wanted:
        with force_language(code):
            html, text = render_content(issue, now)
        bodies[code] = {"html": html, "text": text}
    return bodies or None


def body_for(issue: Issue, code: str | None) -> tuple[str, str]:
    """The frozen content a recipient reading `code` gets: their language's copy, else the English."""
    found = (issue.bodies or {}).get(code or SOURCE)
    if found:
        return found["html"], found["text"]
    return issue.body_html, issue.body_text


def is_empty(issue: Issue, now=None) -> bool:
    context = content_context(issue, now)
    return not (issue.intro or context["posts"] or context["entries"] or context["event_count"]
                or context["priorities"])  # fmt: skip


def envelope(issue: Issue) -> Envelope:
    """The parts of the message every copy shares: subject, the sender's name, the list's id."""
    scope = scope_label(issue)
    name = issue.team.slug if issue.team is not None else issue.area.lower()
    return Envelope(
        subject=issue.subject,
        display_name=f"{scope}, {current_app.config['FORCE_NAME']}",
        list_id=f"{scope} newsletter <{name}.newsletter.{sender_domain()}>",
    )


def render_email(issue: Issue, body_html: str, body_text: str, *, test: bool = False) -> tuple[str, str]:
    """The whole email with placeholders for the two per-recipient links, rendered once per issue."""
    context = {
        "issue": issue,
        "scope": scope_label(issue),
        "content": Markup(body_html),  # noqa: S704 - built from escaped templates and nh3-sanitised parts
        "content_text": body_text,
        "manage_url": MANAGE_SLOT,
        "unsubscribe_url": UNSUBSCRIBE_SLOT,
        "web_url": public_url("newsletter.archive_issue", issue_id=issue.id),
        "verify_url": public_url("newsletter.verify"),
        "test": test,
    }
    return (render_template("newsletter/email/issue.html", **context),
            render_template("newsletter/email/issue.txt", **context))  # fmt: skip


# --- sending -----------------------------------------------------------------------------------


def recipient_count(issue: Issue) -> int:
    return db.session.scalar(select(func.count()).select_from(recipient_ids(issue.team_id, issue.area).subquery()))


def schedule(issue: Issue, *, actor, send_at=None, now=None) -> Issue:
    """Queue the issue: the worker starts sending at `send_at` (now if None) to whoever is subscribed then."""
    now = now or utcnow()
    _require(actor, issue)
    _editable(issue)
    if send_at is not None and send_at < now - timedelta(minutes=1):
        raise DomainError("Choose a time in the future, or send it now", field="send_date")
    if send_at is not None and send_at > now + MAX_SCHEDULE_AHEAD:
        raise DomainError("You can schedule a newsletter up to 90 days ahead", field="send_date")
    if is_empty(issue, now):
        raise DomainError("This newsletter is empty. Add an introduction, news or events before sending it.")
    issue.status, issue.send_at = SCHEDULED, send_at or now
    issue.sent_by_id = getattr(actor, "id", None)
    audit.record("newsletter.schedule", actor=actor, target=issue, summary=issue.subject,
                 send_at=issue.send_at.isoformat(), recipients_now=recipient_count(issue))  # fmt: skip
    return issue


def cancel_schedule(issue: Issue, *, actor) -> Issue:
    _require(actor, issue)
    if issue.status != SCHEDULED:
        raise DomainError("This newsletter is not waiting to be sent, so there is nothing to cancel.")
    issue.status, issue.send_at = DRAFT, None
    audit.record("newsletter.unschedule", actor=actor, target=issue, summary=issue.subject)
    return issue


def send_test(issue: Issue, *, actor):
    """Queue one copy to the officer, marked as a test; its links go to the public manage page."""
    _require(actor, issue)
    body_html, body_text = render_content(issue)
    html, text = render_email(issue, body_html, body_text, test=True)
    generic = public_url("newsletter.lost_link")
    html, text = (part.replace(MANAGE_SLOT, generic).replace(UNSUBSCRIBE_SLOT, generic) for part in (html, text))
    msg = build_message(envelope(issue), actor.email, html, text, subject=f"[Test] {issue.subject}")
    row = OutboxMessage(
        to_addr=actor.email, subject=msg["Subject"], message_id=msg["Message-ID"], raw=msg.as_bytes(policy=WIRE)
    )
    db.session.add(row)  # the outbox delivers it like any other one-off email
    audit.record("newsletter.test", actor=actor, target=issue, summary=issue.subject)
    return row


def progress(issue: Issue) -> dict[str, int]:
    """Deliveries by status, in one aggregate query."""
    rows = db.session.execute(
        select(Delivery.status, func.count()).where(Delivery.issue_id == issue.id).group_by(Delivery.status)
    ).all()
    return dict(rows)


def failures(issue: Issue, limit: int = 50):
    return db.session.execute(
        select(Delivery.id, Delivery.last_error, Delivery.attempts)
        .where(Delivery.issue_id == issue.id, Delivery.status == "failed")
        .order_by(Delivery.id)
        .limit(limit)
    ).all()


def staff_issues(user, *, page: int = 1):
    """Issues the user may manage, newest first: one page query (team joined) plus its count."""
    query = select(Issue).options(joinedload(Issue.team)).order_by(Issue.created_at.desc(), Issue.id.desc())
    if not works_across_teams(user):
        query = query.where(Issue.team_id.in_(user.team_ids or {-1}))
    return db.paginate(query, page=page, per_page=20, error_out=False)
