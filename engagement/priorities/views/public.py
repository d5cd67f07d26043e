"""Residents' pages: a team's priorities, its police.uk JSON files, the priorities feeds, people's photos."""

from __future__ import annotations

from flask import Response, abort, jsonify, render_template, request

from engagement.core.http_cache import make_etag
from engagement.news.rss import ATOM, RSS
from engagement.priorities import people_policeuk, policeuk, queries, rss
from engagement.teams.services import team_by_slug

CACHE_CONTROL = "public, max-age=300"


def _team_or_404(slug: str):
    team = team_by_slug(slug.lower())
    if team is None:
        abort(404, f"There is no team at /teams/{slug}. Find your team by postcode on the home page.")
    return team


def _no_team(slug: str):
    return jsonify({"error": f"There is no team called {slug[:80]!r}. See /teams for the list.", "status": 404}), 404


def team_priorities(slug: str):
    team = _team_or_404(slug)
    current, closed = queries.team_priorities(team)
    return render_template("priorities/page.html", team=team, current=current, closed=closed)


def _json(payload) -> Response:
    response = jsonify(payload)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def priorities_json(slug: str):
    """police.uk shape; current priorities only, as police.uk lists them, unless ?include=closed."""
    team = team_by_slug(slug.lower())
    if team is None:
        return _no_team(slug)
    current, closed = queries.team_priorities(team)
    include = request.args.get("include", "")
    if include not in ("", "closed"):
        return _json({"error": "include must be “closed” or left out.", "status": 400}), 400
    return _json(policeuk.export(current, closed if include == "closed" else None))


def people_json(slug: str):
    team = team_by_slug(slug.lower())
    if team is None:
        return _no_team(slug)
    return _json(people_policeuk.export(team, queries.shown_people(team)))


def feed_rss(slug: str):
    return rss.priorities_feed(RSS, _team_or_404(slug))


def feed_atom(slug: str):
    return rss.priorities_feed(ATOM, _team_or_404(slug))


def photo(slug: str, person_id: int):
    """A shown person's re-encoded photo, from our own domain, with a validator so browsers revalidate cheaply."""
    team = _team_or_404(slug)
    found = queries.shown_photo(team, person_id)
    if found is None:
        abort(404, "There is no photo here.")
    data, photo_at = found
    etag = make_etag("photo", person_id, photo_at.isoformat())
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(data, mimetype="image/jpeg")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Content-Disposition"] = "inline"
    return response
