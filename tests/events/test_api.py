"""The JSON API /api/v1/events: item shape, filters, dates, cursor pages, errors, CORS, query counts,
and every kind of response checked against /api/v1/openapi.json with openapi-core."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_spec_validator import validate as validate_spec
from werkzeug.test import EnvironBuilder

from engagement.events import series
from engagement.events.api_query import encode_cursor
from engagement.events.details import When
from engagement.events.recurrence import RepeatPattern
from engagement.events.services import cancel_event, save_venue
from tests.events.conftest import NOW
from tests.events.test_query_counts import add_events
from tests.support.queries import count_queries

ITEM_KEYS = {
    "id",
    "uid",
    "title",
    "type",
    "team",
    "start",
    "end",
    "status",
    "url",
    "venue",
    "signup_mode",
    "capacity",
    "places_left",
    "languages",  # issue 15: languages spoken there, and the officer's translated titles
    "translations",
}
WINTER = datetime(2027, 3, 2, 18, 0)  # GMT
SUMMER = datetime(2027, 7, 6, 18, 0)  # BST


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response.get_json()


def titles(body) -> list[str]:
    return [item["title"] for item in body["items"]]


@pytest.fixture
def winter_event(make_event):
    return make_event(WINTER, WINTER + timedelta(minutes=90), title="Winter surgery", capacity=12)


# --- items -----------------------------------------------------------------------------


def test_item_has_exactly_the_documented_fields_in_uk_time(client, winter_event, team):
    body = get_json(client, "/api/v1/events?from=2027-03-01&to=2027-03-31")
    assert body["next"] is None
    [item] = body["items"]
    row = winter_event.occurrences[0]
    assert set(item) == ITEM_KEYS
    assert item == {
        "id": row.id,
        "uid": winter_event.uid,
        "title": "Winter surgery",
        "type": "police-surgery",
        "team": team.slug,
        "start": "2027-03-02T18:00:00+00:00",
        "end": "2027-03-02T19:30:00+00:00",
        "status": "confirmed",
        "url": f"http://localhost/events/{row.id}",
        "venue": {
            "name": "Ladywood Community Library",
            "address": "Ladywood Middleway",
            "postcode": "B16 8HA",
            "accessibility": {
                "step_free": True,
                "hearing_loop": True,
                "accessible_toilet": False,
                "parking": False,
                "bsl_on_request": False,
                "notes": "Lift to the first floor",
            },
        },
        "signup_mode": "optional",
        "capacity": 12,
        "places_left": 12,
        "languages": [],
        "translations": {},
    }
    # The url is the occurrence's own page.
    assert client.get(urlsplit(item["url"]).path).status_code == 200


def test_summer_dates_carry_the_bst_offset_and_unlimited_places_are_null(client, make_event):
    make_event(SUMMER, SUMMER + timedelta(hours=1), title="Summer surgery")
    [item] = get_json(client, "/api/v1/events?from=2027-07-06&to=2027-07-06")["items"]
    assert item["start"] == "2027-07-06T18:00:00+01:00"
    assert item["end"] == "2027-07-06T19:00:00+01:00"
    assert datetime.fromisoformat(item["start"]).utcoffset() == timedelta(hours=1)
    assert item["capacity"] is None and item["places_left"] is None


def test_online_event_has_no_venue(client, make_event):
    make_event(WINTER, venue=None, online_url="https://meet.example.org/ladywood", title="Online surgery")
    [item] = get_json(client, "/api/v1/events?from=2027-03-02&to=2027-03-02")["items"]
    assert item["venue"] is None


def test_series_dates_are_listed_one_by_one_with_cancelled_and_moved_dates(
    client, db, make_event, officer, other_venue
):
    event = make_event(WINTER, WINTER + timedelta(hours=1), pattern=RepeatPattern("weekly", count=4), title="Weekly")
    first, second, third, _ = event.occurrences
    series.cancel_occurrence(second, actor=officer, reason="Operational demands", now=NOW)
    moved = datetime(2027, 3, 16, 19, 0)
    series.move_occurrence(
        third, actor=officer, when=When(moved, moved + timedelta(hours=1)), venue=other_venue, now=NOW
    )
    db.session.commit()
    items = get_json(client, "/api/v1/events?from=2027-03-01&to=2027-03-31")["items"]
    assert [i["id"] for i in items] == [o.id for o in event.occurrences]
    assert {i["uid"] for i in items} == {event.uid}
    assert [i["status"] for i in items] == ["confirmed", "cancelled", "confirmed", "confirmed"]
    assert items[2]["start"] == "2027-03-16T19:00:00+00:00"
    assert items[2]["venue"]["name"] == "St John's Church Hall"
    assert items[2]["venue"]["accessibility"]["parking"] is True
    assert items[0]["venue"]["name"] == "Ladywood Community Library"


def test_only_public_events_and_cancelled_ones_stay_as_cancelled(client, db, make_event, officer):
    make_event(WINTER, title="Published")
    make_event(WINTER + timedelta(hours=1), title="Draft", publish=False)
    never_published = make_event(WINTER + timedelta(hours=2), title="Cancelled draft", publish=False)
    cancel_event(never_published, actor=officer, reason="Not needed", now=NOW)
    called_off = make_event(WINTER + timedelta(hours=3), title="Called off")
    cancel_event(called_off, actor=officer, reason="Venue unavailable", now=NOW)
    db.session.commit()
    items = get_json(client, "/api/v1/events?from=2027-03-02&to=2027-03-02")["items"]
    assert [(i["title"], i["status"]) for i in items] == [("Published", "confirmed"), ("Called off", "cancelled")]


# --- filters and dates -------------------------------------------------------------------


def test_team_type_and_area_filters_are_repeatable_like_the_feeds(
    client, db, make_event, types, other_team, team, outsider
):
    make_event(WINTER, title="Ladywood surgery")
    make_event(WINTER, title="Ladywood cuppa", type_slug="cuppa-with-a-copper")
    venue = save_venue(None, actor=None, team=other_team, name="Foleshill Library", address="", postcode="CV6 5AA")
    make_event(WINTER, title="Foleshill surgery", team=other_team, venue=venue, contact=outsider, actor=outsider)
    db.session.commit()
    base = "/api/v1/events?from=2027-03-02&to=2027-03-02"

    def listed(query):
        return sorted(titles(get_json(client, base + query)))

    assert listed("") == ["Foleshill surgery", "Ladywood cuppa", "Ladywood surgery"]
    assert listed(f"&team={team.slug}") == ["Ladywood cuppa", "Ladywood surgery"]
    assert listed(f"&team={team.slug.upper()}") == ["Ladywood cuppa", "Ladywood surgery"]
    assert listed(f"&team={team.slug}&team={other_team.slug}") == listed("")
    assert listed("&type=police-surgery") == ["Foleshill surgery", "Ladywood surgery"]
    assert listed("&type=police-surgery&type=cuppa-with-a-copper") == listed("")
    assert listed("&area=Coventry") == ["Foleshill surgery"]
    assert listed("&area=coventry&area=Birmingham") == listed("")
    assert listed(f"&team={team.slug}&type=cuppa-with-a-copper") == ["Ladywood cuppa"]
    assert listed(f"&team={team.slug}&area=Coventry") == []


def test_from_and_to_are_uk_dates_and_to_is_inclusive(client, make_event):
    make_event(datetime(2027, 3, 1, 23, 30), datetime(2027, 3, 2, 0, 30), title="Across midnight")
    make_event(datetime(2027, 3, 2, 0, 30), title="Just after midnight")
    make_event(datetime(2027, 3, 3, 23, 0), datetime(2027, 3, 3, 23, 45), title="Late on the 3rd")
    make_event(datetime(2027, 7, 6, 0, 30), title="BST small hours")  # 23:30 UTC on the 5th
    assert titles(get_json(client, "/api/v1/events?from=2027-03-02&to=2027-03-02")) == [
        "Across midnight",
        "Just after midnight",
    ]
    assert titles(get_json(client, "/api/v1/events?from=2027-03-03&to=2027-03-03")) == ["Late on the 3rd"]
    assert titles(get_json(client, "/api/v1/events?from=2027-07-06&to=2027-07-06")) == ["BST small hours"]
    assert titles(get_json(client, "/api/v1/events?from=2027-07-05&to=2027-07-05")) == []
    assert titles(get_json(client, "/api/v1/events?from=2027-03-04")) == ["BST small hours"]


def test_from_defaults_to_today_and_to_is_unbounded(client, make_event):
    today = date.today()
    make_event(datetime.combine(today - timedelta(days=2), datetime.min.time()) + timedelta(hours=10), title="Past")
    make_event(datetime.combine(today + timedelta(days=1), datetime.min.time()) + timedelta(hours=10), title="Soon")
    make_event(datetime(2030, 1, 8, 10, 0), title="Far off")
    assert titles(get_json(client, "/api/v1/events")) == ["Soon", "Far off"]


# --- pages -------------------------------------------------------------------------------


def test_cursor_pages_cover_every_date_once_and_keep_the_filters(client, db, make_event, team):
    event = make_event(WINTER, pattern=RepeatPattern("weekly", count=5), title="Weekly")
    url = f"/api/v1/events?team={team.slug}&type=police-surgery&from=2027-03-01&per_page=2"
    seen, pages = [], 0
    while url:
        body = get_json(client, url)
        pages += 1
        seen += [item["id"] for item in body["items"]]
        assert len(body["items"]) == (2 if body["next"] else 1)
        url = body["next"]
        if url:
            assert url.startswith("http://localhost/api/v1/events?")
            query = parse_qs(urlsplit(url).query)
            assert query["team"] == [team.slug] and query["type"] == ["police-surgery"]
            assert query["from"] == ["2027-03-01"] and query["per_page"] == ["2"]
    assert pages == 3
    assert seen == [o.id for o in event.occurrences]


def test_a_date_added_before_the_cursor_does_not_shift_the_next_page(client, db, make_event):
    make_event(WINTER, pattern=RepeatPattern("weekly", count=4), title="Weekly")
    first = get_json(client, "/api/v1/events?from=2027-03-01&per_page=2")
    make_event(WINTER - timedelta(hours=2), title="Added earlier")
    second = get_json(client, first["next"])
    assert titles(second) == ["Weekly", "Weekly"]
    assert {i["id"] for i in first["items"]}.isdisjoint(i["id"] for i in second["items"])
    assert second["next"] is None


def test_a_full_last_page_ends_with_next_null(client, make_event):
    make_event(WINTER, pattern=RepeatPattern("weekly", count=2), title="Weekly")
    body = get_json(client, "/api/v1/events?from=2027-03-01&per_page=2")
    assert len(body["items"]) == 2 and body["next"] is None


def test_pages_cost_the_same_queries_for_1_and_200_dates(app, db, client, types, team, officer):
    url = f"/api/v1/events?team={team.slug}&type=police-surgery&area=Birmingham&from=2031-03-01&per_page=200"

    def measure(path):
        client.get(path)  # warm up compiled statements
        with count_queries(db.engine) as statements:
            body = get_json(client, path)
        return len(statements), body

    add_events(db, team, types, [officer], 1, 0)
    one, body = measure(url)
    assert len(body["items"]) == 3  # the first event is a short series
    unfiltered_one, _ = measure("/api/v1/events?from=2031-03-01&per_page=200")
    add_events(db, team, types, [officer], 199, 1)
    many, body = measure(url)
    assert len(body["items"]) == 200 and body["next"]
    unfiltered_many, _ = measure("/api/v1/events?from=2031-03-01&per_page=200")
    assert one == many == 2  # names check + page
    assert unfiltered_one == unfiltered_many == 1


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2027-02-30", "from must be a date written as YYYY-MM-DD"),
        ("from=tomorrow", "from must be a date"),
        ("to=2027-3-1", "to must be a date"),
        ("to=", "to must be a date written as YYYY-MM-DD"),  # format: date, so empty is not a date
        ("from=", "leave from out rather than empty"),
        ("to=9999-12-31", "between 1970-01-01 and 2199-12-31"),
        ("from=0001-01-01", "between 1970-01-01 and 2199-12-31"),
        ("from=2027-03-02&from=2027-03-03", "Give from only once"),
        ("team=", "team must be a team's slug"),
        ("team=lady%20wood", "team must be a team's slug"),
        ("type=-karaoke", "type must be a kind of event's slug"),
        ("team=1234567890", "team must be a team's slug"),  # a number, not a slug
        ("team=" + "a" * 81, "team must be a team's slug"),
        ("area=Narnia", "There is no area called 'Narnia'"),
        ("area=", "There is no area called ''"),
        ("per_page=0", "per_page must be a whole number from 1 to 200"),
        ("per_page=201", "per_page must be a whole number from 1 to 200"),
        ("per_page=ten", "per_page must be a whole number"),
        ("per_page=-1", "per_page must be a whole number"),
        ("per_page=", "per_page must be a whole number"),
        ("cursor=", "cursor is not valid"),
        ("cursor=not-a-cursor", "cursor is not valid"),
        ("cursor=WyJ4IiwxXQ", "cursor is not valid"),  # an old-style (base64) cursor
        ("cursor=12-", "cursor is not valid"),
        ("cursor=-12-3", "cursor is not valid"),
        ("cursor=%F0%9F%98%80", "cursor is not valid"),
    ],
)
def test_bad_parameters_get_a_400_with_a_json_error(client, team, types, query, message):
    body = get_json(client, f"/api/v1/events?{query}", status=400)
    assert message in body["error"]
    assert body["status"] == 400
    assert set(body) == {"error", "status"}


def test_unknown_api_paths_are_json_404s_with_cors(client):
    body = get_json(client, "/api/v1/nothing-here", status=404)
    assert body["status"] == 404 and body["error"]


def test_a_cursor_from_another_page_keeps_working(client, make_event):
    event = make_event(WINTER, pattern=RepeatPattern("weekly", count=3), title="Weekly")
    cursor = encode_cursor(event.occurrences[0])
    items = get_json(client, f"/api/v1/events?from=2027-03-01&cursor={cursor}")["items"]
    assert [i["id"] for i in items] == [o.id for o in event.occurrences[1:]]


def test_the_api_sends_cors_and_cache_headers_and_answers_head(client, winter_event):
    response = client.get("/api/v1/events")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "public, max-age=60"
    head = client.head("/api/v1/events")
    assert head.status_code == 200 and head.headers["Access-Control-Allow-Origin"] == "*"
    # CORS is for the API only.
    assert "Access-Control-Allow-Origin" not in client.get("/events").headers


# --- the OpenAPI document matches real responses --------------------------------------------


@pytest.fixture
def openapi(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    document = response.get_json()
    validate_spec(document)  # openapi-spec-validator: a valid OpenAPI 3.1 document
    return OpenAPI.from_dict(document)  # validates it again, then checks requests and responses


def check_against_spec(openapi, client, url: str, *, status: int, valid_request: bool = True):
    """Send the request for real, then validate the response (and the request, if it should be valid)."""
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    request = EnvironBuilder(url, base_url="http://localhost").get_request()
    if valid_request:
        openapi.validate_request(WerkzeugOpenAPIRequest(request))
    openapi.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response))
    return response


def test_the_openapi_document_describes_the_endpoint(openapi, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "http://localhost/api/v1"}]
    operation = document["paths"]["/events"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"team", "type", "area", "language", "from", "to", "per_page", "cursor"}
    assert set(operation["responses"]) == {"200", "400", "404"}
    item = document["components"]["schemas"]["Occurrence"]
    assert set(item["required"]) == set(item["properties"]) == ITEM_KEYS
    assert item["additionalProperties"] is False
    assert item["properties"]["status"]["enum"] == ["confirmed", "cancelled"]


def test_real_responses_match_the_openapi_document(openapi, client, db, make_event, officer, team, other_venue):
    event = make_event(WINTER, pattern=RepeatPattern("weekly", count=3), title="Weekly", capacity=10)
    series.cancel_occurrence(event.occurrences[1], actor=officer, reason="Operational demands", now=NOW)
    make_event(SUMMER, venue=None, online_url="https://meet.example.org/x", title="Online")
    make_event(SUMMER + timedelta(days=1), venue=other_venue, type_slug="public-meeting", title="Meeting")
    db.session.commit()

    normal = check_against_spec(openapi, client, "/api/v1/events?from=2027-03-01", status=200)
    assert len(normal.get_json()["items"]) == 5
    filtered = f"/api/v1/events?team={team.slug}&type=police-surgery&area=Birmingham&from=2027-03-01&to=2027-07-31"
    assert len(check_against_spec(openapi, client, filtered, status=200).get_json()["items"]) == 4
    paged = check_against_spec(openapi, client, "/api/v1/events?from=2027-03-01&per_page=2", status=200)
    next_url = paged.get_json()["next"]
    assert next_url
    check_against_spec(openapi, client, next_url, status=200)
    empty = check_against_spec(openapi, client, "/api/v1/events?from=2028-01-01&to=2028-01-31", status=200)
    assert empty.get_json() == {"items": [], "next": None}
    check_against_spec(openapi, client, "/api/v1/events?team=no-such-team", status=404)  # a valid request
    check_against_spec(openapi, client, "/api/v1/events?to=2000-01-01", status=200)
    for bad in (
        "/api/v1/events?to=",
        "/api/v1/events?from=2027-02-30",
        "/api/v1/events?per_page=500",
        "/api/v1/events?cursor=broken",
    ):
        check_against_spec(openapi, client, bad, status=400, valid_request=False)


def test_the_openapi_check_fails_on_a_response_that_breaks_the_schema(openapi, client, winter_event):
    """The check above can fail: an extra field or an unknown status is caught."""
    from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
    from openapi_core.validation.response.exceptions import InvalidData

    url = "/api/v1/events?from=2027-03-01"
    request = WerkzeugOpenAPIRequest(EnvironBuilder(url, base_url="http://localhost").get_request())
    response = client.get(url)
    body = response.get_json()
    for broken in (
        {**body, "items": [{**body["items"][0], "all_day": False}]},
        {**body, "items": [{**body["items"][0], "status": "scheduled"}]},
        {**body, "items": [{**body["items"][0], "start": "next Tuesday"}]},
        {key: value for key, value in body.items() if key != "next"},
    ):
        response.set_data(json.dumps(broken))
        with pytest.raises((InvalidData, MediaTypeNotFound)):
            openapi.validate_response(request, WerkzeugOpenAPIResponse(response))


def test_places_left_is_the_single_hook_and_equals_capacity_for_now(app, winter_event):
    from engagement.events.api_json import places_left

    row = winter_event.occurrences[0]
    assert places_left([row]) == {row.id: 12}


def test_the_static_openapi_document_agrees_with_the_code():
    """openapi.json is a static file: its limits and lists must be the ones the API enforces."""
    from engagement.events.api_json import ACCESS_FACTS, OPENAPI
    from engagement.events.api_query import (
        CURSOR_PATTERN,
        DATE_PATTERN,
        FIRST_DATE,
        LAST_DATE,
        MAX_VALUES,
        PER_PAGE_DEFAULT,
        PER_PAGE_MAX,
        SLUG_MAX,
        SLUG_PATTERN,
    )
    from engagement.events.models import SIGNUP_MODES
    from engagement.teams.models import AREAS

    params = {p["name"]: p for p in OPENAPI["paths"]["/events"]["get"]["parameters"]}
    per_page = params["per_page"]["schema"]
    assert (per_page["minimum"], per_page["maximum"], per_page["default"]) == (1, PER_PAGE_MAX, PER_PAGE_DEFAULT)
    assert params["per_page"]["description"] == f"Dates per page, 1 to {PER_PAGE_MAX}."
    for name in ("from", "to"):
        assert f"{FIRST_DATE.year} to {LAST_DATE.year}" in params[name]["description"]
        assert params[name]["schema"] == {"type": "string", "format": "date", "pattern": DATE_PATTERN}
    for name in ("team", "type"):
        assert params[name]["schema"] == {"type": "array", "maxItems": MAX_VALUES,
                                          "items": {"type": "string", "maxLength": SLUG_MAX,
                                                    "pattern": SLUG_PATTERN}}  # fmt: skip
    assert params["cursor"]["schema"] == {"type": "string", "pattern": CURSOR_PATTERN}
    assert params["area"]["schema"]["items"]["enum"] == list(AREAS)
    schemas = OPENAPI["components"]["schemas"]
    mode = schemas["Occurrence"]["properties"]["signup_mode"]
    assert mode["enum"] == list(SIGNUP_MODES)
    assert mode["description"] == "; ".join(f"{key}: {text}" for key, text in SIGNUP_MODES.items())
    assert list(schemas["Accessibility"]["properties"]) == [*ACCESS_FACTS, "notes"]
