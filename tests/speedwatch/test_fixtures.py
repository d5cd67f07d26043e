"""The shared fixtures build what they say: a volunteer who can sign in sees only volunteer pages."""

from engagement.speedwatch.access import volunteer_for
from tests.speedwatch.conftest import PASSWORD


def test_volunteer_account_is_not_staff(app, db, team, make_volunteer, login_as, client):
    volunteer = make_volunteer(team, name="Pat Jones")
    user = volunteer.user
    assert user.role == "volunteer" and user.is_volunteer and user.role_label == "Speed Watch volunteer"
    assert volunteer_for(user) == volunteer
    login_as(user, PASSWORD)
    assert client.get("/staff/").status_code == 403
    assert client.get("/staff/users").status_code == 403
