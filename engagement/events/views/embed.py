"""Embeddable pages for other sites' iframes (the force website, councils): /embed/teams/<slug>.

Only /embed/ pages may be framed (core.security.allow_framing); every other page keeps
frame-ancestors 'none' and X-Frame-Options DENY. Links open in the top window, built on
BASE_URL, because the page is shown inside someone else's site.
"""

from __future__ import annotations

from flask import render_template, request

from engagement.core.security import allow_framing
from engagement.core.urls import public_url
from engagement.events import queries
from engagement.events.ical import webcal
from engagement.teams.services import team_by_slug

EMBED_LIMIT = 5
EMBED_MAX = 20
CACHE_CONTROL = "public, max-age=300"


def embed_team(slug: str):
    allow_framing()
    team = team_by_slug(slug.lower())
    if team is None:
        return render_template("events/embed.html", team=None, slug=slug), 404
    limit = min(max(request.args.get("limit", EMBED_LIMIT, type=int), 1), EMBED_MAX)
    rows = queries.team_upcoming(team, limit=limit)
    feed = public_url("events.team_calendar_feed", slug=team.slug)
    response = render_template(
        "events/embed.html",
        team=team,
        rows=rows,
        links={
            "team": public_url("teams.team_page", slug=team.slug),
            "events": public_url("events.event_list", team=team.slug),
            "feed": feed,
            "webcal": webcal(feed),
        },
        event_url=lambda row: public_url("events.occurrence", occurrence_id=row.id),
    )
    return response, 200, {"Cache-Control": CACHE_CONTROL}
