from engagement.teams.models import Team

FOOTER_BITS = ["999", "101", "18000", "Crimestoppers", "0800 555 111", "not for reporting crime"]


def test_home_has_finder_and_footer(client, app):
    page = client.get("/").get_data(as_text=True)
    assert 'label class="label" for="q"' in page
    for bit in FOOTER_BITS:
        assert bit in page


def test_full_postcode_redirects_to_team(client, make_team):
    make_team(name="Ladywood", coverage=["B1", "B16 8"])
    response = client.get("/?q=b16 8qt")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/teams/ladywood")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ladywood Neighbourhood Team" in page and "B16 8QT" in page


def test_malformed_and_unknown_postcodes_get_messages_and_keep_input(client, make_team):
    make_team(name="Ladywood", coverage=["B1"])
    bad = client.get("/?q=B16 8Q")
    assert bad.status_code == 400
    assert "Enter a full postcode" in bad.get_data(as_text=True)
    assert 'value="B16 8Q"' in bad.get_data(as_text=True)
    unknown = client.get("/?q=SW1A 1AA")
    assert unknown.status_code == 400
    assert "could not find a neighbourhood team covering SW1A 1AA" in unknown.get_data(as_text=True)


def test_name_search(client, make_team):
    make_team(name="Walsall South", area="Walsall", coverage=["WS1"])
    make_team(name="Walsall North", area="Walsall", coverage=["WS3"])
    page = client.get("/?q=walsall").get_data(as_text=True)
    assert "Walsall South" in page and "Walsall North" in page
    assert client.get("/?q=walsall south").headers["Location"] == "/teams/walsall-south"


def test_team_page_and_unknown_team(client, make_team, make_user):
    team = make_team(name="Ladywood", coverage=["B1"], contact_email="ladywood.npt@example.org")
    make_user(teams=[team], display_name="Aisha Khan", rank="PCSO", email="aisha@example.org")
    page = client.get("/teams/ladywood").get_data(as_text=True)
    # Officers appear only once they choose to (engagement.priorities.people), never just for being members.
    assert "PCSO Aisha Khan" not in page and "ladywood.npt@example.org" in page
    assert "aisha@example.org" not in page  # officers' personal emails are never public
    missing = client.get("/teams/atlantis")
    assert missing.status_code == 404
    assert "There is no team at /teams/atlantis" in missing.get_data(as_text=True)


def test_admin_creates_team_and_errors_keep_input(client, db, make_user, login_as, post_form):
    admin = make_user(role="admin")
    login_as(admin)
    bad = post_form("/staff/teams/new", {"name": "Hall Green", "area": "Birmingham", "coverage": "B28, nonsense"})
    assert bad.status_code == 400
    body = bad.get_data(as_text=True)
    assert "There is a problem" in body and "Hall Green" in body and "nonsense" in body
    assert db.session.scalar(db.select(db.func.count(Team.id))) == 0
    ok = post_form("/staff/teams/new", {"name": "Hall Green", "area": "Birmingham", "coverage": "B28, B13 0"})
    assert ok.status_code == 302
    team = db.session.scalar(db.select(Team).where(Team.slug == "hall-green"))
    assert team.coverage == ["B13 0", "B28"]
