"""The public JSON API (a stable contract, described for machines at /api/v1/openapi.json):

  GET /api/v1/events?team=&type=&area=&from=&to=&per_page=&cursor=

Dates of public events (published, or cancelled after publishing; cancelled dates stay,
with "status": "cancelled"), soonest first. team/type/area are repeatable, as in the
calendar feeds. from/to are UK dates (YYYY-MM-DD); a date is listed if any part of it
falls between the start of `from` and the end of `to`. `from` defaults to today, so a `to`
before today alone (or a `to` before `from`) is an empty list, not an error.
Parameters are read in api_query.py; items, errors and the OpenAPI document are in api_json.py.
"""

from __future__ import annotations

from flask import jsonify, request

from engagement.events.api_json import item_json, json_error, openapi_document, places_left
from engagement.events.api_query import ApiQuery, BadParameter


def api_events():
    try:
        query = ApiQuery(request.args)
        query.check_names()
    except BadParameter as exc:  # 400 for a value the OpenAPI document refuses, 404 for an unknown name
        return json_error(exc.status, str(exc))
    rows = query.rows()
    page, more = rows[: query.per_page], len(rows) > query.per_page
    places = places_left(page)
    return jsonify(
        items=[item_json(row, places) for row in page],
        next=query.next_url(page[-1]) if more else None,
    )


def api_openapi():
    return jsonify(openapi_document())
