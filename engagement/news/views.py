"""Public news pages and feeds, the team page's news section, and staff screens for writing news.

Feeds answer conditional GETs from a one-query version (count and last change) before
building anything, so feed readers polling every few minutes cost one small query.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engagement.core.errors import DomainError
from engagement.core.forms import apply_domain_error
from engagement.core.hooks import register_team_section
from engagement.core.http_cache import BodyCache, conditional_feed
from engagement.core.markup import render_markdown
from engagement.core.permissions import get_or_404, require, staff_route
from engagement.extensions import db
from engagement.news import queries, services
from engagement.news.forms import FORCE, PostForm, scope_choices, scope_value
from engagement.news.models import NewsPost
from engagement.news.rss import ATOM, MIMETYPES, RSS, FeedMeta, build_feed, news_items, site_url
from engagement.teams.models import AREAS, Team
from engagement.teams.services import all_teams, team_by_slug

bp = Blueprint("news", __name__)


def _team_or_404(slug: str) -> Team:
    team = team_by_slug(slug)
    if team is None:
        abort(404, f"There is no team at /teams/{slug}. Find your team by postcode on the home page.")
    return team


@bp.route("/news")
def news_list():
    slug = request.args.get("team", "").strip()
    team = _team_or_404(slug) if slug else None
    page = queries.public_page(team, page=request.args.get("page", 1, type=int))
    return render_template("news/list.html", page=page, team=team, args={"team": slug} if slug else {})


@bp.route("/news/<int:post_id>")
def post(post_id: int):
    viewer = current_user if current_user.is_authenticated else None
    return render_template("news/post.html", post=queries.public_post(post_id, viewer))


def _feed(kind: str, team: Team | None):
    """One news feed (all teams, or one team with its area's and the force's posts), conditional."""
    count, changed = queries.feed_state(team)
    slug = team.slug if team else None
    endpoint = "news.team_feed_" + kind if team else "news.feed_" + kind
    self_url = site_url(endpoint, slug=slug) if team else site_url(endpoint)
    home_url = site_url("news.news_list", team=slug) if team else site_url("news.news_list")
    force = current_app.config["FORCE_NAME"]

    def build() -> bytes:
        meta = FeedMeta(
            title=f"{team.name} Neighbourhood Team news" if team else f"{force} neighbourhood news",
            description=(
                f"News from {team.name} Neighbourhood Team, {team.area}, and from across {force}."
                if team
                else f"News from every {force} neighbourhood policing team."
            ),
            home_url=home_url,
            self_url=self_url,
            feed_id=home_url,
            updated=changed,
        )
        return build_feed(kind, meta, news_items(queries.latest(team), services.scope_label))

    version = (count, changed.isoformat() if changed else "", team.updated_at.isoformat() if team else "")
    return conditional_feed(
        cache=current_app.extensions["news_feed_cache"],
        key=("news", kind, slug or "*"),
        version=version,
        last_modified=max(filter(None, (changed, team.updated_at if team else None)), default=None),
        build=build,
        mimetype=MIMETYPES[kind],
    )


@bp.route("/news.rss")
def feed_rss():
    return _feed(RSS, None)


@bp.route("/news.atom")
def feed_atom():
    return _feed(ATOM, None)


@bp.route("/teams/<slug>/news.rss")
def team_feed_rss(slug: str):
    return _feed(RSS, _team_or_404(slug))


@bp.route("/teams/<slug>/news.atom")
def team_feed_atom(slug: str):
    return _feed(ATOM, _team_or_404(slug))


def team_news_section(team):
    return render_template("news/_team_news.html", team=team, posts=queries.latest(team, limit=3))


# --- staff ---------------------------------------------------------------------------------


def _managed_teams(user) -> list[Team]:
    return all_teams() if services.is_coordinator(user) else list(user.teams)


def _load(post_id: int) -> NewsPost:
    post = get_or_404(NewsPost, post_id)
    require(services.may_write_for(current_user, post.team, post.area))
    return post


def _details(form: PostForm) -> services.PostDetails:
    kind, _, value = (form.scope.data or "").partition(":")
    team = db.session.get(Team, int(value)) if kind == "team" and value.isdigit() else None
    area = value if kind == "area" else None
    if kind == "team" and team is None or (kind not in ("team", "area") and form.scope.data != FORCE):
        raise DomainError("Choose who the news is from", field="scope")
    return services.PostDetails(form.title.data or "", form.summary.data or "", form.body.data or "", team, area)


def _form(post: NewsPost | None) -> PostForm:
    form = PostForm(obj=post) if post is not None and request.method == "GET" else PostForm()
    form.scope.choices = scope_choices(_managed_teams(current_user), services.is_coordinator(current_user), AREAS)
    if post is not None and request.method == "GET":
        form.scope.data = scope_value(post)
    elif request.method == "GET" and request.args.get("team"):
        team = team_by_slug(request.args["team"])
        form.scope.data = f"team:{team.id}" if team else None
    return form


def _save(form: PostForm, post: NewsPost | None):
    if not form.validate_on_submit():
        return None
    try:
        post = services.save_post(
            post, _details(form), actor=current_user, publish=request.form.get("action") == "publish"
        )
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return None
    db.session.commit()
    flash(f"Published “{post.title}”." if post.is_public else f"Saved “{post.title}” as a draft.", "success")
    return redirect(url_for("news.staff_posts"))


@staff_route(bp, "/staff/news", "staff")
def staff_posts():
    page = queries.staff_posts(current_user, page=request.args.get("page", 1, type=int))
    return render_template("news/staff/list.html", page=page)


@staff_route(bp, "/staff/news/new", "staff", methods=["GET", "POST"])
def post_new():
    form = _form(None)
    if not form.scope.choices:
        return render_template("news/staff/no_team.html"), 403
    done = _save(form, None)
    return done or (render_template("news/staff/form.html", form=form, post=None), 400 if form.errors else 200)


@staff_route(bp, "/staff/news/<int:post_id>/edit", "team", methods=["GET", "POST"])
def post_edit(post_id: int):
    post = _load(post_id)
    form = _form(post)
    done = _save(form, post)
    return done or (render_template("news/staff/form.html", form=form, post=post), 400 if form.errors else 200)


def _act(post_id: int, action, done_message: str):
    post = _load(post_id)
    try:
        action(post, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for("news.staff_posts"))
    title = post.title
    db.session.commit()
    flash(done_message.format(title=title), "success")
    return redirect(url_for("news.staff_posts"))


@staff_route(bp, "/staff/news/<int:post_id>/publish", "team", methods=["POST"])
def post_publish(post_id: int):
    return _act(post_id, services.publish_post, "Published “{title}”.")


@staff_route(bp, "/staff/news/<int:post_id>/unpublish", "team", methods=["POST"])
def post_unpublish(post_id: int):
    return _act(post_id, services.unpublish_post, "“{title}” is no longer on the site. It is saved as a draft.")


@staff_route(bp, "/staff/news/<int:post_id>/delete", "team", methods=["GET", "POST"])
def post_delete(post_id: int):
    """Asks first: deleting a draft cannot be undone."""
    if request.method == "GET" or request.form.get("confirm") != "yes":
        return render_template("news/staff/delete.html", post=_load(post_id))
    return _act(post_id, services.delete_post, "Deleted the draft “{title}”.")


def init_app(app) -> None:
    app.extensions["news_feed_cache"] = BodyCache()
    app.jinja_env.filters.setdefault("markdown", render_markdown)
    app.jinja_env.filters["news_scope"] = services.scope_label
    register_team_section("news", team_news_section, order=20)
