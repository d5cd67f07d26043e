"""Rules for news posts: who may write for which scope, drafting, publishing and withdrawing.

Officers write for their own teams; coordinators and admins may also write for a whole
area or the whole force. Services take the actor explicitly, audit each change and never
commit. Published posts are never deleted: their guid is in people's feed readers.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import DomainError, FieldChecks, PermissionDenied
from engagement.core.i18n import _
from engagement.core.markup import clean_source, has_markdown_tags, has_tags, strip_tags
from engagement.core.permissions import can_manage_team, works_across_teams
from engagement.extensions import db
from engagement.news.models import BODY_MAX, DRAFT, PUBLISHED, SUMMARY_MAX, TITLE_MAX, NewsPost
from engagement.teams.models import AREAS

# Markdown's own <https://...> links look like tags to an HTML parser but are welcome.


@dataclass
class PostDetails:
    """What an officer types; `team` or `area` (or neither, force-wide) says who it is from."""

    title: str
    summary: str
    body: str
    team: object | None = None
    area: str | None = None


def may_write_for(actor, team=None, area: str | None = None) -> bool:
    """Teams for their officers; areas and the whole force for coordinators and admins only."""
    if actor is None:  # the CLI and demo loader act as the system
        return True
    if team is not None:
        return can_manage_team(actor, team)
    return works_across_teams(actor)


def scope_label(post: NewsPost) -> str:
    """Who a post is from, as residents read it, in the page's language (feeds: English unless ?lang=)."""
    if post.team is not None:
        return _("%(team)s Neighbourhood Team", team=post.team.name)
    if post.area:
        return _("All teams in %(area)s", area=post.area)
    return current_app.config["FORCE_NAME"]


def _single_line(value: str, label: str, field: str, limit: int, required: bool = True) -> str:
    text = " ".join((value or "").split())
    if has_tags(text):
        raise DomainError(f"The {label} cannot contain HTML. Write plain text.", field=field)
    if required and not text:
        raise DomainError(f"Enter the {label}", field=field)
    if len(text) > limit:
        raise DomainError(f"The {label} must be {limit} characters or fewer", field=field)
    return text


def _body(text: str) -> str:
    if has_markdown_tags(text):
        raise DomainError(
            "The post cannot contain HTML tags. Use Markdown instead: **bold**, *italic*, [link text](https://...).",
            field="body",
        )
    body = clean_source(text)
    if not body:
        raise DomainError("Enter the text of the post", field="body")
    if len(body) > BODY_MAX:
        raise DomainError(f"The post must be {BODY_MAX:,} characters or fewer", field="body")
    return body


def _check(details: PostDetails, actor) -> PostDetails:
    """Every field checked in one pass: the form lists the title, summary and body problems together."""
    checks = FieldChecks()
    title = checks(_single_line, details.title, "title", "title", TITLE_MAX)
    summary = checks(_single_line, details.summary, "summary", "summary", SUMMARY_MAX)
    body = checks(_body, details.body)
    if details.team is not None and details.area:
        checks.add("Choose a team or an area, not both", "scope")
    elif details.area and details.area not in AREAS:
        checks.add(f"Choose an area: {', '.join(AREAS)}", "scope")
    checks.done()
    if not may_write_for(actor, details.team, details.area):
        if details.team is not None:
            raise PermissionDenied(f"You can only write news for your own teams, not {details.team.name}.", "scope")
        raise PermissionDenied("Only coordinators can write news for a whole area or the force.", field="scope")
    return PostDetails(title=title, summary=summary, body=body, team=details.team, area=details.area or None)


def check_post(details: PostDetails, actor) -> PostDetails:
    """The post's fields checked without saving (a form's `submit(check=...)`: every problem at once)."""
    return _check(details, actor)


def save_post(post: NewsPost | None, details: PostDetails, *, actor, publish: bool = False) -> NewsPost:
    """Create (post=None) or edit a post; `publish=True` also publishes it."""
    if post is not None and not may_write_for(actor, post.team, post.area):
        raise PermissionDenied("You cannot change this post.")
    clean = _check(details, actor)
    creating = post is None
    if creating:
        post = NewsPost(status=DRAFT, author_id=getattr(actor, "id", None))
        post.author_name = actor.public_name if actor is not None else ""
        db.session.add(post)
    post.title, post.summary, post.body = clean.title, clean.summary, clean.body
    post.team, post.area = clean.team, clean.area
    db.session.flush()
    audit.record("news.create" if creating else "news.update", actor=actor, target=post, summary=post.title)
    if publish:
        publish_post(post, actor=actor)
    return post


def publish_post(post: NewsPost, *, actor) -> NewsPost:
    """Make a post public. Its date is the first time it was published, and stays so."""
    if not may_write_for(actor, post.team, post.area):
        raise PermissionDenied("You cannot publish this post.")
    if post.status == PUBLISHED:
        return post
    post.status = PUBLISHED
    post.published_at = post.published_at or utcnow()
    post.updated_at = utcnow()
    audit.record("news.publish", actor=actor, target=post, summary=post.title)
    return post


def unpublish_post(post: NewsPost, *, actor) -> NewsPost:
    """Take a post off the site and out of the feeds (readers that already fetched it keep their copy)."""
    if not may_write_for(actor, post.team, post.area):
        raise PermissionDenied("You cannot change this post.")
    if post.status != PUBLISHED:
        raise DomainError("That post is not published.")
    post.status = DRAFT
    post.updated_at = utcnow()
    audit.record("news.unpublish", actor=actor, target=post, summary=post.title)
    return post


def delete_post(post: NewsPost, *, actor) -> None:
    """Delete a draft that was never published; published posts can only be withdrawn."""
    if not may_write_for(actor, post.team, post.area):
        raise PermissionDenied("You cannot delete this post.")
    if post.published_at is not None:
        raise DomainError("This post has been published, so it cannot be deleted. Take it off the site instead.")
    audit.record("news.delete", actor=actor, target=post, summary=post.title)
    db.session.delete(post)


def post_from_text(*, title: str, summary: str, body: str, team, actor) -> NewsPost:
    """A draft made from text that came from elsewhere (an imported feed entry): tags stripped, limits applied."""
    title = " ".join(strip_tags(title).split())[:TITLE_MAX] or "Untitled"
    summary = " ".join(strip_tags(summary).split())
    if len(summary) > SUMMARY_MAX:
        summary = summary[: SUMMARY_MAX - 1].rstrip() + "…"
    details = PostDetails(title=title, summary=summary or title, body=strip_tags(body)[:BODY_MAX], team=team)
    return save_post(None, details, actor=actor)
