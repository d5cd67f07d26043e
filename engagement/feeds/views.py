"""Staff screens for imported feeds: follow a source, see its entries and why it failed, use an entry.

No fetching happens here: "Fetch now" only asks the worker to fetch on its next pass.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engagement.core.errors import DomainError
from engagement.core.forms import apply_domain_error
from engagement.core.permissions import ADMIN, COORDINATOR, get_or_404, require_team, staff_route
from engagement.extensions import db
from engagement.feeds import services
from engagement.feeds.forms import SourceForm
from engagement.feeds.models import FeedEntry, FeedSource
from engagement.teams.models import Team
from engagement.teams.services import all_teams

bp = Blueprint("feeds", __name__, url_prefix="/staff/feeds")


def _teams(user) -> list[Team]:
    return all_teams() if user.role in (ADMIN, COORDINATOR) else list(user.teams)


def _load(source_id: int) -> FeedSource:
    source = get_or_404(FeedSource, source_id)
    require_team(source.team)
    return source


@staff_route(bp, "", "staff")
def sources():
    return render_template("feeds/sources.html", rows=services.sources_for(current_user))


def _form(source: FeedSource | None) -> SourceForm:
    form = SourceForm(obj=source) if source is not None and request.method == "GET" else SourceForm()
    form.team.choices = [(t.id, t.name) for t in _teams(current_user)]
    if source is not None:
        form.team.choices = [(source.team.id, source.team.name)]
        form.team.data = source.team.id
    return form


@staff_route(bp, "/new", "staff", methods=["GET", "POST"])
def source_new():
    form = _form(None)
    if form.validate_on_submit():
        try:
            source = services.add_source(actor=current_user, team=db.session.get(Team, form.team.data),
                                         title=form.title.data, url=form.url.data)  # fmt: skip
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"{source.team.name} now follows “{source.title}”. It will be fetched within a few minutes.",
                  "success")  # fmt: skip
            return redirect(url_for("feeds.source", source_id=source.id))
    return render_template("feeds/source_form.html", form=form, source=None), 400 if form.errors else 200


@staff_route(bp, "/<int:source_id>", "team")
def source(source_id: int):
    source = _load(source_id)
    return render_template("feeds/source.html", source=source, entries=services.recent_entries(source))


@staff_route(bp, "/<int:source_id>/edit", "team", methods=["GET", "POST"])
def source_edit(source_id: int):
    source = _load(source_id)
    form = _form(source)
    if form.validate_on_submit():
        try:
            services.update_source(source, actor=current_user, title=form.title.data, url=form.url.data,
                                   active=form.active.data)  # fmt: skip
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash("Saved the feed.", "success")
            return redirect(url_for("feeds.source", source_id=source_id))
    return render_template("feeds/source_form.html", form=form, source=source), 400 if form.errors else 200


@staff_route(bp, "/<int:source_id>/fetch", "team", methods=["POST"])
def source_fetch(source_id: int):
    source = _load(source_id)
    try:
        services.request_fetch(source, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        db.session.commit()
        flash("The feed will be fetched within a minute. Reload this page to see the result.", "success")
    return redirect(url_for("feeds.source", source_id=source_id))


@staff_route(bp, "/<int:source_id>/delete", "team", methods=["GET", "POST"])
def source_delete(source_id: int):
    """A check page first: deleting forgets every entry the feed brought in."""
    source = _load(source_id)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        count = len(source.entries)
        return render_template("feeds/delete.html", source=source, count=count)
    title = source.title
    services.delete_source(source, actor=current_user)
    db.session.commit()
    flash(f"Stopped following “{title}”.", "success")
    return redirect(url_for("feeds.sources"))


@staff_route(bp, "/entries/<int:entry_id>/news", "team", methods=["POST"])
def entry_to_news(entry_id: int):
    entry = get_or_404(FeedEntry, entry_id)
    require_team(entry.source.team)
    try:
        post = services.entry_to_news(entry, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for("feeds.source", source_id=entry.source_id))
    db.session.commit()
    flash("Made a draft news post from the entry. Check it, then publish it.", "success")
    return redirect(url_for("news.post_edit", post_id=post.id))
