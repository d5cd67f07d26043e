import pytest

from engagement.core.errors import Conflict, DomainError, NotFound
from engagement.teams import services
from engagement.teams.services import InvalidPostcode, parse_postcode


@pytest.mark.parametrize(
    "text,district,sector,full",
    [
        ("B16 8QT", "B16", "B16 8", "B16 8QT"),
        ("b168qt", "B16", "B16 8", "B16 8QT"),
        ("  ws1  1aa ", "WS1", "WS1 1", "WS1 1AA"),
        ("B16 8", "B16", "B16 8", None),
        ("CV1", "CV1", None, None),
        ("EC1A 1BB", "EC1A", "EC1A 1", "EC1A 1BB"),
    ],
)
def test_parse_postcode_accepts_full_sector_and_district(text, district, sector, full):
    assert parse_postcode(text) == services.Postcode(district, sector, full)


@pytest.mark.parametrize("text", ["", "12345", "B16 8Q", "BB", "B16 8QTT", "<script>", "SW1A-1AA!"])
def test_parse_postcode_rejects_malformed_with_a_readable_message(text):
    with pytest.raises(InvalidPostcode) as excinfo:
        parse_postcode(text)
    assert "Enter a full postcode, like B16 8QT" in excinfo.value.message


def test_sector_beats_district(app, make_team):
    district_team = make_team(name="Broad", coverage=["B16"])
    sector_team = make_team(name="Narrow", coverage=["B16 8"])
    assert services.find_team_for_postcode("B16 8QT") == sector_team
    assert services.find_team_for_postcode("B16 9AA") == district_team
    assert services.find_team_for_postcode("b16") == district_team


def test_unknown_postcode_is_a_clear_not_found(app, make_team):
    make_team(coverage=["B1"])
    with pytest.raises(NotFound) as excinfo:
        services.find_team_for_postcode("SW1A 1AA")
    assert "SW1A 1AA" in excinfo.value.message and "West Midlands" in excinfo.value.message


def test_coverage_is_parsed_and_normalised():
    assert services.parse_coverage("b1, B16 8\nb18;b18") == ["B1", "B16 8", "B18"]
    with pytest.raises(DomainError, match="full postcode"):
        services.parse_coverage("B16 8QT")
    with pytest.raises(DomainError, match="not a postcode district"):
        services.parse_coverage("Ladywood")


def test_a_prefix_belongs_to_one_team_and_nothing_half_saved(app, db, make_team):
    from engagement.teams.models import Team

    make_team(name="Ladywood", coverage=["B1"])
    with pytest.raises(Conflict, match="B1 \\(Ladywood\\)"):
        services.save_team(None, actor=None, name="Other", area="Birmingham", coverage=["B2", "B1"])
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Team.id))) == 1


def test_team_validation(app, make_team):
    make_team(name="Ladywood")
    with pytest.raises(Conflict):
        services.save_team(None, actor=None, name="Ladywood", area="Birmingham")
    with pytest.raises(DomainError, match="area"):
        services.save_team(None, actor=None, name="Atlantis", area="Narnia")
    with pytest.raises(DomainError, match="lower-case"):
        services.save_team(None, actor=None, name="Atlantis", slug="Bad Slug!", area="Coventry")


def test_search_by_name_and_area(app, make_team):
    make_team(name="Ladywood", area="Birmingham")
    make_team(name="Foleshill", area="Coventry")
    assert [t.name for t in services.search_teams_by_name("lady")] == ["Ladywood"]
    assert [t.name for t in services.search_teams_by_name("coventry")] == ["Foleshill"]
    assert services.search_teams_by_name("zzz") == []
