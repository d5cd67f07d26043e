"""Staff screens for imported feeds: follow a source, see its entries and why it failed, use an entry.

No fetching happens here: "Fetch now" only asks the worker to fetch on its next pass.
"""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user

from engagement.core.actions import perform, render_form, submit
from engagement.core.permissions import access, get_or_404, require_team
from engagement.extensions import db
from engagement.feeds import services
from engagement.feeds.forms import SourceForm
from engagement.feeds.models import FeedEntry, FeedSource
from engagement.teams.models import Team
from engagement.teams.services import teams_for


def _load(source_id: int) -> FeedSource:
    source = get_or_404(FeedSource, source_id)
    require_team(source.team)
    return source


@access("staff")
def sources():
    return render_template("feeds/sources.html", rows=services.sources_for(current_user))


def _form(source: FeedSource | None) -> SourceForm:
    form = SourceForm(obj=source) if source is not None and request.method == "GET" else SourceForm()
    form.team.choices = [(t.id, t.name) for t in teams_for(current_user)]
    if source is not None:
        form.team.choices = [(source.team.id, source.team.name)]
        form.team.data = source.team.id
    return form


@access("staff")
def source_new():
    form = _form(None)
    done = submit(
        form,
        lambda: services.add_source(
            actor=current_user, team=db.session.get(Team, form.team.data), title=form.title.data, url=form.url.data
        ),
        success=lambda source: url_for("feeds.source", source_id=source.id),
        message=lambda source: (
            f"{source.team.name} now follows “{source.title}”. It will be fetched within a few minutes."
        ),
    )
    return done or render_form("feeds/source_form.html", form, source=None)


@access("team")
def source(source_id: int):
    source = _load(source_id)
    return render_template("feeds/source.html", source=source, entries=services.recent_entries(source))


@access("team")
def source_edit(source_id: int):
    source = _load(source_id)
    form = _form(source)
    done = submit(
        form,
        lambda: services.update_source(
            source, actor=current_user, title=form.title.data, url=form.url.data, active=form.active.data
        ),
        success=url_for("feeds.source", source_id=source_id),
        message="Saved the feed.",
    )
    return done or render_form("feeds/source_form.html", form, source=source)


@access("team")
def source_fetch(source_id: int):
    source = _load(source_id)
    return perform(
        lambda: services.request_fetch(source, actor=current_user),
        success=url_for("feeds.source", source_id=source_id),
        message="The feed will be fetched within a minute. Reload this page to see the result.",
    )


@access("team")
def source_delete(source_id: int):
    """A check page first: deleting forgets every entry the feed brought in."""
    source = _load(source_id)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        return render_template("feeds/delete.html", source=source, count=len(source.entries))
    title = source.title
    return perform(
        lambda: services.delete_source(source, actor=current_user),
        success=url_for("feeds.sources"),
        message=f"Stopped following “{title}”.",
    )


@access("team")
def entry_to_news(entry_id: int):
    entry = get_or_404(FeedEntry, entry_id)
    require_team(entry.source.team)
    return perform(
        lambda: services.entry_to_news(entry, actor=current_user),
        success=lambda post: url_for("news.post_edit", post_id=post.id),
        message="Made a draft news post from the entry. Check it, then publish it.",
        failure=url_for("feeds.source", source_id=entry.source_id),
    )
