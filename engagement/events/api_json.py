"""What the public JSON API sends: dates as items, errors, its headers and its OpenAPI document.

The OpenAPI 3.1 description is the static file openapi.json next to this module, read once at
import; only its server URL is filled in (from BASE_URL) when it is served. Tests check real
responses against it with openapi-core, and that it agrees with the limits in api_query.py.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import current_app, jsonify, request

from engagement.core.hooks import provider
from engagement.core.timeutil import to_local
from engagement.core.urls import public_url
from engagement.events.languages import translations_json
from engagement.events.models import Occurrence, Venue

API_PREFIX = "/api/"
CACHE_CONTROL = "public, max-age=60"
ACCESS_FACTS = ("step_free", "hearing_loop", "accessible_toilet", "parking", "bsl_on_request")
OPENAPI_FILE = Path(__file__).with_name("openapi.json")
OPENAPI = json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))


def json_error(status: int, message: str):
    """The API's error body, the same shape core.security sends for HTTP errors on /api/ paths."""
    return jsonify(error=message, status=status), status


def api_headers(response):
    """Anyone may read the API from a browser: CORS on every /api/ response, errors included (an after_request hook)."""
    if request.path.startswith(API_PREFIX):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers.setdefault("Cache-Control", CACHE_CONTROL)
    return response


def openapi_document() -> dict:
    """The OpenAPI document with its server on this site's BASE_URL."""
    return OPENAPI | {"servers": [{"url": f"{current_app.config['BASE_URL']}/api/v1"}]}


# --- places -------------------------------------------------------------------------------


def places_left(rows: list[Occurrence]) -> dict[int, int | None]:
    """Places still free per date id; None when places are unlimited.

    The sign-ups feature provides the answer (one query over these rows) through core.hooks;
    without it every place is free. Speed Watch shifts are staffed by volunteers, not sign-ups,
    so Speed Watch answers for those ("places_left.volunteers": max team less those signed up).
    """
    provide = provider("places_left")
    places = provide(rows) if provide is not None else {row.id: row.event.capacity for row in rows}
    volunteers = provider("places_left.volunteers")
    if volunteers is not None:
        places.update(volunteers([row for row in rows if row.event.signup_mode == "volunteers"]))
    return places


# --- items --------------------------------------------------------------------------------


def venue_json(venue: Venue | None) -> dict | None:
    if venue is None:
        return None
    facts = {name: bool(getattr(venue, name)) for name in ACCESS_FACTS}
    return {
        "name": venue.name,
        "address": venue.address,
        "postcode": venue.postcode,
        "accessibility": facts | {"notes": venue.access_notes},
    }


def item_json(row: Occurrence, places: dict[int, int | None]) -> dict:
    event = row.event
    return {
        "id": row.id,
        "uid": event.uid,
        "title": event.title,
        "type": event.event_type.slug,
        "team": event.team.slug,
        "start": to_local(row.starts_at).isoformat(),
        "end": to_local(row.ends_at).isoformat(),
        "status": "cancelled" if row.is_cancelled else "confirmed",
        "url": public_url("events.occurrence", occurrence_id=row.id),
        "venue": venue_json(row.venue),
        "signup_mode": event.signup_mode,
        "capacity": event.capacity,
        "places_left": places.get(row.id),
        "languages": event.language_codes,  # spoken there, BCP 47 codes (events.languages)
        "translations": translations_json(event),  # {"ur": {"title": ...}}: every language in one response
    }
