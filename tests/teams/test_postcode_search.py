"""Issue 14 item 9: split districts list their teams, punctuation in postcodes is accepted, the team page formats it."""

from __future__ import annotations

import pytest

from engagement.teams import services
from engagement.teams.services import parse_postcode
from tests.support.html import without_bdi


@pytest.mark.parametrize("text", ["B16-8QT", "b16.8qt", "  B16   8QT ", "b16 – 8qt", "B16/8QT", "B16 8QT."])
def test_common_punctuation_in_a_postcode_is_accepted(text):
    assert parse_postcode(text) == services.Postcode("B16", "B16 8", "B16 8QT")


def test_a_sector_can_be_typed_with_a_hyphen():
    assert parse_postcode("b16-8") == services.Postcode("B16", "B16 8", None)


@pytest.fixture
def split_b16(make_team):
    """The demo's split: Ladywood has B16 8, Edgbaston B16 0 and B16 9 (and B15)."""
    ladywood = make_team(name="Ladywood", coverage=["B1", "B16 8"])
    edgbaston = make_team(name="Edgbaston", coverage=["B15", "B16 0", "B16 9"])
    return ladywood, edgbaston


def test_a_split_district_gives_its_teams_and_their_sectors(app, split_b16):
    ladywood, edgbaston = split_b16
    found = services.match_postcode("b16")
    assert found.team is None
    assert found.choices == ((edgbaston, ("B16 0", "B16 9")), (ladywood, ("B16 8",)))
    assert services.match_postcode("B16 9AA").team == edgbaston
    assert services.match_postcode("B16-8QT").team == ladywood
    assert services.match_postcode("B1 1AA").team == ladywood  # B1 is not a prefix of B16's sectors


def test_a_split_district_page_lists_the_teams_and_asks_for_the_full_postcode(client, split_b16):
    response = client.get("/?q=B16")
    page = without_bdi(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "This site covers the West Midlands" not in page and "could not find" not in page
    assert "B16 is split between 2 teams" in page
    assert "Enter your full postcode" in page
    assert 'href="/teams/ladywood"' in page and 'href="/teams/edgbaston"' in page
    assert "postcodes starting B16 0, B16 9" in page
    assert 'value="B16"' in page  # the answer stays in the box


def test_an_uncovered_sector_of_a_split_district_points_to_its_neighbours(client, split_b16):
    page = without_bdi(client.get("/?q=B16 7AA").get_data(as_text=True))
    assert "We have no team recorded for B16 7AA" in page
    assert "Ladywood" in page and "Edgbaston" in page


def test_a_hyphenated_postcode_finds_the_team_and_the_team_page_formats_it(client, split_b16):
    response = client.get("/?q=b16-8qt")
    assert response.status_code == 302
    assert response.headers["Location"] == "/teams/ladywood?postcode=B16+8QT"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    # The postcode is isolated left to right (`|ltr`), so it reads the same inside Urdu or Arabic text.
    assert 'the neighbourhood team for <bdi dir="ltr">B16 8QT</bdi>.' in page
    older_link = client.get("/teams/ladywood?postcode=B168QT").get_data(as_text=True)
    assert 'team for <bdi dir="ltr">B16 8QT</bdi>.' in older_link and "B168QT</bdi>" not in older_link
    assert "the neighbourhood team for" not in client.get("/teams/ladywood?postcode=<b>").get_data(as_text=True)


def test_a_postcode_nobody_covers_still_says_so(client, split_b16):
    page = client.get("/?q=SW1A-1AA").get_data(as_text=True)
    assert "could not find a neighbourhood team covering SW1A 1AA" in page


def test_demo_data_shows_the_split():
    from engagement.demo.data import TEAMS  # noqa: PLC0415

    owners = {name: prefixes for _slug, name, _area, prefixes, *_ in TEAMS}
    b16 = {name for name, prefixes in owners.items() if any(p.startswith("B16") for p in prefixes)}
    assert {"Ladywood", "Edgbaston"} <= b16
