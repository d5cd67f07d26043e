"""Issue 14 item 8: volunteer sign-ins appear in the admin's account list, with their team, and can be filtered."""

from __future__ import annotations

from engagement.accounts.services import create_volunteer_account
from engagement.core.db import utcnow
from engagement.speedwatch.volunteers.models import APPROVED, Volunteer
from tests.support.queries import count_queries


def add_volunteer(db, team, name, email):
    user = create_volunteer_account(email=email, display_name=name)
    db.session.add(
        Volunteer(team_id=team.id, user_id=user.id, name=name, email=email, status=APPROVED, applied_at=utcnow())
    )
    db.session.commit()
    return user


def test_volunteer_sign_ins_are_listed_with_their_team_and_link_to_their_volunteer_page(
    client, db, make_team, make_user, login_as
):
    ladywood, edgbaston = make_team(name="Ladywood"), make_team(name="Edgbaston")
    admin = make_user(role="admin", display_name="Ada Admin")
    make_user(role="officer", teams=[ladywood], display_name="Olu Officer")
    add_volunteer(db, edgbaston, "Vera Volunteer", "vera@example.org")
    login_as(admin)
    page = client.get("/staff/users").get_data(as_text=True)
    assert "Vera Volunteer" in page and "vera@example.org" in page
    row = page[page.index("Vera Volunteer") - 300 : page.index("vera@example.org") + 400]
    assert "Speed Watch volunteer" in row and "(approved)" in row and ">Edgbaston</td>" in row
    assert 'href="/staff/speed-watch/volunteers/' in row  # managed on the Speed Watch pages, not the account form
    assert "Olu Officer" in page


def test_filter_by_kind_team_and_words(client, db, make_team, make_user, login_as):
    ladywood, edgbaston = make_team(name="Ladywood"), make_team(name="Edgbaston")
    login_as(make_user(role="admin", display_name="Ada Admin"))
    make_user(role="officer", teams=[ladywood], display_name="Olu Officer")
    make_user(role="officer", teams=[edgbaston], display_name="Eve Officer")
    add_volunteer(db, ladywood, "Lee Volunteer", "lee@example.org")
    add_volunteer(db, edgbaston, "Vera Volunteer", "vera@example.org")

    volunteers = client.get("/staff/users?kind=volunteers").get_data(as_text=True)
    assert "Lee Volunteer" in volunteers and "Vera Volunteer" in volunteers and "Olu Officer" not in volunteers
    staff = client.get("/staff/users?kind=staff").get_data(as_text=True)
    assert "Olu Officer" in staff and "Lee Volunteer" not in staff
    ladywood_people = client.get("/staff/users?team=ladywood").get_data(as_text=True)
    assert "Olu Officer" in ladywood_people and "Lee Volunteer" in ladywood_people
    assert "Eve Officer" not in ladywood_people and "Vera Volunteer" not in ladywood_people
    words = client.get("/staff/users?q=VERA@").get_data(as_text=True)
    assert "Vera Volunteer" in words and "Lee Volunteer" not in words
    nonsense = client.get("/staff/users?kind=robots&team=atlantis")
    assert nonsense.status_code == 200 and "Vera Volunteer" in nonsense.get_data(as_text=True)  # ignored, not an error


def test_the_list_costs_the_same_queries_for_one_or_many_volunteers(client, db, make_team, make_user, login_as):
    team = make_team(name="Ladywood")
    login_as(make_user(role="admin", display_name="Ada Admin"))
    add_volunteer(db, team, "Volunteer 0", "v0@example.org")
    with count_queries() as few:
        assert client.get("/staff/users").status_code == 200
    for n in range(1, 30):
        add_volunteer(db, team, f"Volunteer {n}", f"v{n}@example.org")
    with count_queries() as many:
        assert client.get("/staff/users").status_code == 200
    assert len(many) == len(few)
