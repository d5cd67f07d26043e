"""Public archive of sent newsletters (/newsletters, /newsletters/<id>, /newsletters.rss), the
"is this message genuine?" checker (/verify) and the team events feed.

The archive shows the content exactly as it was frozen when sending started.
"""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from engagement.core.http_cache import BodyCache, conditional_feed
from engagement.core.i18n import _
from engagement.core.urls import public_url
from engagement.extensions import db, limiter
from engagement.news.rss import MIMETYPES, RSS, FeedItem, FeedMeta, build_feed
from engagement.newsletter import upcoming
from engagement.newsletter.forms import VerifyForm
from engagement.newsletter.issues import scope_label
from engagement.newsletter.models import SENDING, SENT, Issue
from engagement.newsletter.references import normalise_reference, stable_guid
from engagement.teams.models import Team
from engagement.teams.services import team_by_slug

FEED_SIZE = 50


def _sent():
    return select(Issue).where(Issue.status.in_((SENDING, SENT)), Issue.started_at.is_not(None))


def _team_or_404(slug: str) -> Team:
    team = team_by_slug(slug)
    if team is None:
        abort(404, f"There is no team at /teams/{slug}. Find your team by postcode on the home page.")
    return team


def archive():
    slug = request.args.get("team", "").strip()
    team = _team_or_404(slug) if slug else None
    query = _sent().options(joinedload(Issue.team)).order_by(Issue.started_at.desc(), Issue.id.desc())
    if team is not None:
        query = query.where((Issue.team_id == team.id) | (Issue.area == team.area))
    page = db.paginate(query, page=request.args.get("page", 1, type=int), per_page=20, error_out=False)
    return render_template("newsletter/archive.html", page=page, team=team, args={"team": slug} if slug else {})


def archive_issue(issue_id: int):
    issue = db.session.scalars(_sent().where(Issue.id == issue_id).options(joinedload(Issue.team))).one_or_none()
    if issue is None:
        abort(404, "We could not find that newsletter. It may not have been sent yet, or the link may be wrong.")
    content = Markup(issue.body_html)  # noqa: S704 - frozen from escaped templates and nh3-sanitised parts
    return render_template("newsletter/archive_issue.html", issue=issue, scope=scope_label(issue), content=content)


def archive_feed():
    count, changed = db.session.execute(
        _sent().with_only_columns(func.count(Issue.id), func.max(Issue.updated_at))
    ).one()

    def build() -> bytes:
        issues = db.session.scalars(
            _sent().options(joinedload(Issue.team)).order_by(Issue.started_at.desc(), Issue.id.desc()).limit(FEED_SIZE)
        ).all()
        items = [
            FeedItem(
                guid=stable_guid("newsletter", issue.id),
                title=f"{issue.subject} ({scope_label(issue)})",
                link=public_url("newsletter.archive_issue", issue_id=issue.id),
                published=issue.started_at,
                updated=issue.started_at,
                summary=f"Newsletter from {scope_label(issue)}, reference {issue.reference}.",
                content_html=issue.body_html,
                author=scope_label(issue),
            )
            for issue in issues
        ]
        home = public_url("newsletter.archive")
        force = current_app.config["FORCE_NAME"]
        meta = FeedMeta(title=f"{force} neighbourhood newsletters", home_url=home, feed_id=home,
                        description=f"Every newsletter sent by {force} neighbourhood teams, newest first.",
                        self_url=public_url("newsletter.archive_feed"), updated=changed)  # fmt: skip
        return build_feed(RSS, meta, items)

    return conditional_feed(
        cache=current_app.extensions.setdefault("newsletter_feed_cache", BodyCache(size=8)),
        key=("newsletters",),
        version=(count, changed.isoformat() if changed else ""),
        last_modified=changed,
        build=build,
        mimetype=MIMETYPES[RSS],
    )


@limiter.limit("30 per minute; 300 per hour", key_func=lambda: "verify:" + (request.remote_addr or ""),
               exempt_when=lambda: not request.args.get("code"))  # fmt: skip
def verify():
    """Anyone can check a reference code from an email's footer: genuine, from which team, when."""
    form = VerifyForm(request.args)
    issue = code = None
    if "code" in request.args:
        raw = (request.args.get("code") or "").strip()
        code = normalise_reference(raw)
        if not raw:
            form.code.errors = [_("Enter the reference from the email")]  # the page's language, like the form's
        elif code is None:
            form.code.errors = [
                _("Enter the reference as it appears in the email, like %(example)s", example="NL-7KQ3-M9TP")
            ]
        else:
            query = _sent().where(Issue.reference == code).options(joinedload(Issue.team))
            issue = db.session.scalars(query).one_or_none()
    return render_template("newsletter/verify.html", form=form, issue=issue, code=code,
                           scope=scope_label(issue) if issue else None), 400 if form.code.errors else 200  # fmt: skip


def team_events_feed(slug: str):
    return upcoming.events_feed(_team_or_404(slug))
