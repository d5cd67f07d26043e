"""Public news pages and feeds, the team page's news section, and staff screens for writing news.

Feeds answer conditional GETs from a one-query version (count and last change) before
building anything, so feed readers polling every few minutes cost one small query.
"""

from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from flask_login import current_user

from engagement.core.actions import perform, render_form, submit
from engagement.core.errors import DomainError
from engagement.core.http_cache import conditional_feed
from engagement.core.permissions import access, get_or_404, require, works_across_teams
from engagement.core.urls import public_url
from engagement.extensions import db
from engagement.news import queries, services
from engagement.news.forms import FORCE, PostForm, scope_choices, scope_value
from engagement.news.models import NewsPost
from engagement.news.rss import ATOM, MIMETYPES, RSS, FeedMeta, build_feed, news_items
from engagement.teams.models import AREAS, Team
from engagement.teams.services import team_by_slug, teams_for


def _team_or_404(slug: str) -> Team:
    team = team_by_slug(slug)
    if team is None:
        abort(404, f"There is no team at /teams/{slug}. Find your team by postcode on the home page.")
    return team


def news_list():
    slug = request.args.get("team", "").strip()
    team = _team_or_404(slug) if slug else None
    page = queries.public_page(team, page=request.args.get("page", 1, type=int))
    return render_template("news/list.html", page=page, team=team, args={"team": slug} if slug else {})


def post(post_id: int):
    viewer = current_user if current_user.is_authenticated else None
    return render_template("news/post.html", post=queries.public_post(post_id, viewer))


def _feed(kind: str, team: Team | None):
    """One news feed (all teams, or one team with its area's and the force's posts), conditional."""
    count, changed = queries.feed_state(team)
    slug = team.slug if team else None
    endpoint = "news.team_feed_" + kind if team else "news.feed_" + kind
    self_url = public_url(endpoint, slug=slug) if team else public_url(endpoint)
    home_url = public_url("news.news_list", team=slug) if team else public_url("news.news_list")
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


def feed_rss():
    return _feed(RSS, None)


def feed_atom():
    return _feed(ATOM, None)


def team_feed_rss(slug: str):
    return _feed(RSS, _team_or_404(slug))


def team_feed_atom(slug: str):
    return _feed(ATOM, _team_or_404(slug))


def team_news_section(team):
    """The public team page's latest news (registered through core.hooks)."""
    return render_template("news/_team_news.html", team=team, posts=queries.latest(team, limit=3))


# --- staff ---------------------------------------------------------------------------------


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
    form.scope.choices = scope_choices(teams_for(current_user), works_across_teams(current_user), AREAS)
    if post is not None and request.method == "GET":
        form.scope.data = scope_value(post)
    elif request.method == "GET" and request.args.get("team"):
        team = team_by_slug(request.args["team"])
        form.scope.data = f"team:{team.id}" if team else None
    return form


def _save(form: PostForm, post: NewsPost | None):
    """Save (and with the Publish button, publish) the post; None while the form is to be shown again."""
    return submit(
        form,
        lambda: services.save_post(
            post, _details(form), actor=current_user, publish=request.form.get("action") == "publish"
        ),
        success=url_for("news.staff_posts"),
        message=lambda saved: (
            f"Published “{saved.title}”." if saved.is_public else f"Saved “{saved.title}” as a draft."
        ),
        check=lambda: services.check_post(_details(form), current_user),
    )


@access("staff")
def staff_posts():
    page = queries.staff_posts(current_user, page=request.args.get("page", 1, type=int))
    return render_template("news/staff/list.html", page=page)


@access("staff")
def post_new():
    form = _form(None)
    if not form.scope.choices:
        return render_template("news/staff/no_team.html"), 403
    return _save(form, None) or render_form("news/staff/form.html", form, post=None)


@access("team")
def post_edit(post_id: int):
    post = _load(post_id)
    form = _form(post)
    return _save(form, post) or render_form("news/staff/form.html", form, post=post)


@access("team")
def post_publish(post_id: int):
    post = _load(post_id)
    return perform(
        lambda: services.publish_post(post, actor=current_user),
        success=url_for("news.staff_posts"),
        message=lambda _: f"Published “{post.title}”.",
    )


@access("team")
def post_unpublish(post_id: int):
    post = _load(post_id)
    return perform(
        lambda: services.unpublish_post(post, actor=current_user),
        success=url_for("news.staff_posts"),
        message=lambda _: f"“{post.title}” is no longer on the site. It is saved as a draft.",
    )


@access("team")
def post_delete(post_id: int):
    """Asks first: deleting a draft cannot be undone."""
    post = _load(post_id)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        return render_template("news/staff/delete.html", post=post)
    return perform(
        lambda: services.delete_post(post, actor=current_user),
        success=url_for("news.staff_posts"),
        message=lambda _: f"Deleted the draft “{post.title}”.",
    )
