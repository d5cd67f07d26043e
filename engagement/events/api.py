"""The public JSON API (a stable contract, described for machines at /api/v1/openapi.json):

  GET /api/v1/events?team=&type=&area=&from=&to=&per_page=&cursor=

Dates of public events (published, or cancelled after publishing; cancelled dates stay,
with "status": "cancelled"), soonest first. team/type/area are repeatable, as in the
calendar feeds. from/to are UK dates (YYYY-MM-DD); a date is listed if any part of it
falls between the start of `from` and the end of `to`. `from` defaults to today.

Pagination is by cursor (keyset on start time and id), so pages never skip or repeat a
date when others are added, and every page costs the same queries: one to check the
team and type names (only when given) and one for the page. Follow `next` as given.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime, timedelta

from flask import jsonify, request
from sqlalchemy import and_, literal, or_, select, union_all

from engagement.core.timeutil import local_zone, to_local
from engagement.events.feeds import FeedFilters
from engagement.events.ical import absolute, base_url
from engagement.events.models import SIGNUP_MODES, EventType, Occurrence, Venue
from engagement.events.queries import with_everything, local_midnight
from engagement.events.views import bp
from engagement.extensions import db
from engagement.teams.models import AREAS, Team

API_PREFIX = "/api/"
PER_PAGE_DEFAULT = 50
PER_PAGE_MAX = 200
CACHE_CONTROL = "public, max-age=60"
# Dates outside this range are refused: far-off dates overflow date arithmetic, and nothing is there.
FIRST_DATE, LAST_DATE = date(1970, 1, 1), date(2199, 12, 31)
MAX_ID = 2_147_483_647
ACCESS_FACTS = ("step_free", "hearing_loop", "accessible_toilet", "parking", "bsl_on_request")


class BadParameter(ValueError):
    """A query parameter the API cannot use; str() is the message sent back with the 400."""


def json_error(status: int, message: str):
    """The API's error body, the same shape core.security sends for HTTP errors on /api/ paths."""
    return jsonify(error=message, status=status), status


@bp.after_app_request
def _api_headers(response):
    """Anyone may read the API from a browser: CORS on every /api/ response, errors included."""
    if request.path.startswith(API_PREFIX):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers.setdefault("Cache-Control", CACHE_CONTROL)
    return response


# --- places -------------------------------------------------------------------------------


def places_left(rows: list[Occurrence]) -> dict[int, int | None]:
    """Places still free per date id; None when places are unlimited.

    The sign-ups feature provides the answer (one query over these rows) through core.hooks;
    without it every place is free.
    """
    from engagement.core.hooks import provider

    provide = provider("places_left")
    if provide is not None:
        return provide(rows)
    return {row.id: row.event.capacity for row in rows}


# --- parsing parameters -------------------------------------------------------------------


def _one(args, name: str) -> str | None:
    values = args.getlist(name)
    if len(values) > 1:
        raise BadParameter(f"Give {name} only once")
    return values[0] if values else None


def _date(args, name: str) -> date | None:
    value = _one(args, name)
    if value is None or value == "":
        return None
    try:
        if len(value) != 10:
            raise ValueError
        parsed = date.fromisoformat(value)
    except ValueError:
        raise BadParameter(f"{name} must be a date written as YYYY-MM-DD, like 2027-03-02") from None
    if not FIRST_DATE <= parsed <= LAST_DATE:
        raise BadParameter(f"{name} must be between {FIRST_DATE.isoformat()} and {LAST_DATE.isoformat()}")
    return parsed


def _per_page(args) -> int:
    value = _one(args, "per_page")
    if value is None or value == "":
        return PER_PAGE_DEFAULT
    if not value.isdigit() or not 1 <= int(value) <= PER_PAGE_MAX:
        raise BadParameter(f"per_page must be a whole number from 1 to {PER_PAGE_MAX}")
    return int(value)


def encode_cursor(row: Occurrence) -> str:
    raw = json.dumps([row.starts_at.isoformat(), row.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        starts, row_id = json.loads(raw)
        starts_at = datetime.fromisoformat(starts)
        if starts_at.utcoffset() is None or not FIRST_DATE.year <= starts_at.year <= LAST_DATE.year:
            raise ValueError
        if not isinstance(row_id, int) or isinstance(row_id, bool) or not 0 <= row_id <= MAX_ID:
            raise ValueError
        return starts_at, row_id
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadParameter("cursor is not valid: follow the `next` link exactly as it was given") from None


class ApiQuery:
    """The parameters of one /api/v1/events request, checked."""

    def __init__(self, args):
        self.filters = FeedFilters(args.getlist("team"), args.getlist("type"), args.getlist("area"))
        unknown = [a for a in self.filters.areas if a not in AREAS]
        if unknown:
            raise BadParameter(f"There is no area called {unknown[0]!r}. Areas: {', '.join(AREAS)}")
        self.from_date = _date(args, "from") or datetime.now(local_zone()).date()
        self.to_date = _date(args, "to")
        if self.to_date is not None and self.to_date < self.from_date:
            raise BadParameter("to must be the same as or after from")
        self.per_page = _per_page(args)
        cursor = _one(args, "cursor")
        self.after = decode_cursor(cursor) if cursor else None

    def check_names(self) -> None:
        """One query, only when names were given: every team and type asked for must exist."""
        if not (self.filters.teams or self.filters.types):
            return
        parts = []
        if self.filters.teams:
            parts.append(select(literal("team"), Team.slug).where(Team.slug.in_(self.filters.teams)))
        if self.filters.types:
            parts.append(select(literal("type"), EventType.slug).where(EventType.slug.in_(self.filters.types)))
        found = set(db.session.execute(union_all(*parts)).all())
        for kind, wanted in (("team", self.filters.teams), ("type", self.filters.types)):
            missing = [slug for slug in wanted if (kind, slug) not in found]
            if missing:
                what = "team" if kind == "team" else "kind of event"
                raise BadParameter(f"There is no {what} called {missing[0]!r}")

    def rows(self) -> list[Occurrence]:
        """One query: a page of dates plus one more (to know whether there is a next page)."""
        query = select(Occurrence).join(Occurrence.event).where(*self.filters.event_conditions())
        query = query.where(Occurrence.ends_at > local_midnight(self.from_date))
        if self.to_date is not None:
            query = query.where(Occurrence.starts_at < local_midnight(self.to_date + timedelta(days=1)))
        if self.after is not None:
            starts_at, row_id = self.after
            query = query.where(
                or_(
                    Occurrence.starts_at > starts_at,
                    and_(Occurrence.starts_at == starts_at, Occurrence.id > row_id),
                )
            )
        query = with_everything(query.order_by(Occurrence.starts_at, Occurrence.id).limit(self.per_page + 1))
        return db.session.scalars(query).unique().all()

    def next_url(self, last: Occurrence) -> str:
        """The same filters, with `from` fixed (so a next link followed tomorrow means the same)."""
        values = {
            "team": list(self.filters.teams),
            "type": list(self.filters.types),
            "area": list(self.filters.areas),
            "from": self.from_date.isoformat(),
            "per_page": self.per_page,
            "cursor": encode_cursor(last),
        }
        if self.to_date is not None:
            values["to"] = self.to_date.isoformat()
        return absolute("events.api_events", **{k: v for k, v in values.items() if v != []})


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
        "url": absolute("events.occurrence", occurrence_id=row.id),
        "venue": venue_json(row.venue),
        "signup_mode": event.signup_mode,
        "capacity": event.capacity,
        "places_left": places.get(row.id),
    }


# --- routes -------------------------------------------------------------------------------


@bp.route("/api/v1/events")
def api_events():
    try:
        query = ApiQuery(request.args)
        query.check_names()
    except BadParameter as exc:
        return json_error(400, str(exc))
    rows = query.rows()
    page, more = rows[: query.per_page], len(rows) > query.per_page
    places = places_left(page)
    return jsonify(
        items=[item_json(row, places) for row in page],
        next=query.next_url(page[-1]) if more else None,
    )


@bp.route("/api/v1/openapi.json")
def api_openapi():
    return jsonify(openapi_document())


# --- the OpenAPI document -------------------------------------------------------------------


def _nullable(schema: dict) -> dict:
    return schema | {"type": [schema["type"], "null"]}


def _object(properties: dict, description: str = "") -> dict:
    """A closed object: every property is required (null stands for "none"), nothing else is allowed."""
    schema = {"type": "object", "additionalProperties": False, "required": list(properties), "properties": properties}
    return schema | ({"description": description} if description else {})


def _query(name: str, description: str, schema: dict, **extra) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema} | extra


def _json_response(ref: str, description: str) -> dict:
    return {
        "description": description,
        "headers": {"Access-Control-Allow-Origin": {"schema": {"type": "string", "enum": ["*"]}}},
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def openapi_document() -> dict:
    """OpenAPI 3.1 for /api/v1/events; tests check real responses against it with openapi-core."""
    flag = {"type": "boolean"}
    accessibility = _object(
        {name: flag for name in ACCESS_FACTS} | {"notes": {"type": "string"}},
        "What the venue offers; bsl_on_request means a British Sign Language interpreter can be booked.",
    )
    venue = _object(
        {
            "name": {"type": "string"},
            "address": {"type": "string"},
            "postcode": {"type": "string", "description": "Empty if the venue has none recorded."},
            "accessibility": {"$ref": "#/components/schemas/Accessibility"},
        }
    )
    local_time = {"type": "string", "format": "date-time", "example": "2027-03-02T18:00:00+00:00"}
    places = {"type": "integer", "minimum": 0}
    item = _object(
        {
            "id": {"type": "integer", "minimum": 1, "description": "The date's id, as in /events/{id}."},
            "uid": {
                "type": "string",
                "description": "The event's iCalendar UID, shared by every date of a series; never changes.",
            },
            "title": {"type": "string"},
            "type": {"type": "string", "description": "The kind of event (its slug), e.g. police-surgery."},
            "team": {"type": "string", "description": "The neighbourhood team's slug, as in /teams/{slug}."},
            "start": local_time | {"description": "UK local time with its offset (+00:00 or +01:00)."},
            "end": local_time | {"description": "UK local time with its offset. All-day events end at midnight."},
            "status": {
                "type": "string",
                "enum": ["confirmed", "cancelled"],
                "description": "cancelled: the date, or its whole event, was called off. It stays listed until it "
                "has passed, so anyone who saw it learns it is off.",
            },
            "url": {"type": "string", "format": "uri", "description": "The date's public page."},
            "venue": {
                "anyOf": [{"$ref": "#/components/schemas/Venue"}, {"type": "null"}],
                "description": "null for online-only events.",
            },
            "signup_mode": {
                "type": "string",
                "enum": list(SIGNUP_MODES),
                "description": "; ".join(f"{key}: {text}" for key, text in SIGNUP_MODES.items()),
            },
            "capacity": _nullable(places) | {"description": "Places in total; null when unlimited."},
            "places_left": _nullable(places) | {"description": "Places still free; null when unlimited."},
        }
    )
    page = _object(
        {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Occurrence"}},
            "next": _nullable({"type": "string", "format": "uri"})
            | {"description": "The next page with the same filters, or null on the last page."},
        }
    )
    error = _object(
        {
            "error": {"type": "string", "description": "What was wrong, in plain English."},
            "status": {"type": "integer", "description": "The HTTP status code again."},
        }
    )
    repeatable = {"style": "form", "explode": True}
    parameters = [
        _query("team", "A team's slug; repeat for several teams.", {"type": "array", "items": {"type": "string"}})
        | repeatable,
        _query("type", "A kind of event's slug; repeat for several.", {"type": "array", "items": {"type": "string"}})
        | repeatable,
        _query(
            "area",
            "A policing area; repeat for several.",
            {"type": "array", "items": {"type": "string", "enum": list(AREAS)}},
        )
        | repeatable,
        _query(
            "from",
            "First UK date to list (YYYY-MM-DD, 1970 to 2199). Default: today.",
            {"type": "string", "format": "date"},
        ),
        _query(
            "to",
            "Last UK date to list (YYYY-MM-DD, 1970 to 2199), inclusive. Default: no limit.",
            {"type": "string", "format": "date"},
        ),
        _query(
            "per_page",
            f"Dates per page, 1 to {PER_PAGE_MAX}.",
            {"type": "integer", "minimum": 1, "maximum": PER_PAGE_MAX, "default": PER_PAGE_DEFAULT},
        ),
        _query("cursor", "Where the page starts. Opaque: only use the value inside a `next` link.", {"type": "string"}),
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Neighbourhood engagement events API",
            "version": "1.0.0",
            "description": "Public dates of neighbourhood policing events: police surgeries, Cuppa with a Copper, "
            "Neighbourhood Watch and public meetings. Recurring events are listed date by date. This is not a way "
            "to report crime: in an emergency call 999, otherwise 101.",
        },
        "servers": [{"url": f"{base_url()}/api/v1"}],
        "paths": {
            "/events": {
                "get": {
                    "operationId": "listEvents",
                    "summary": "Public event dates, soonest first",
                    "description": "A date is listed if any part of it falls between the start of `from` and the "
                    "end of `to` (UK dates). Dates of published events are listed, and cancelled dates with status "
                    "cancelled. Pages are linked by `next`; a page may hold fewer than per_page items only when it "
                    "is the last.",
                    "parameters": parameters,
                    "responses": {
                        "200": _json_response("Page", "A page of dates."),
                        "400": _json_response(
                            "Error",
                            "A parameter was wrong: a date that is not a date, an unknown "
                            "team, kind of event or area, per_page out of range or a damaged cursor.",
                        ),
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Page": page,
                "Occurrence": item,
                "Venue": venue,
                "Accessibility": accessibility,
                "Error": error,
            }
        },
    }
