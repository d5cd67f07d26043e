from engagement.accounts.models import User
from engagement.demo.cli import load_demo
from engagement.teams.models import AREAS, Team
from tests.conftest import csrf_token


def test_demo_load_is_idempotent_and_realistic(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    teams = db.session.scalars(db.select(Team)).all()
    users = db.session.scalar(db.select(db.func.count(User.id)))
    assert len(teams) >= 12
    assert {t.area for t in teams} == set(AREAS)
    assert all(not t.name.lower().startswith("team ") and t.coverage for t in teams)
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0 and "0 teams and 0 staff added" in second.output
    assert db.session.scalar(db.select(db.func.count(Team.id))) == len(teams)
    assert db.session.scalar(db.select(db.func.count(User.id))) == users
    assert "already has data" in runner.invoke(args=["demo", "load", "--if-empty"]).output


def test_documented_demo_logins_work(app, db, client):
    load_demo()
    db.session.commit()
    officer = db.session.scalar(db.select(User).where(User.email == "officer@example.org"))
    first_team = officer.teams[0]
    assert first_team.slug == "ladywood"
    for email, role in [
        ("admin@example.org", "admin"),
        ("coordinator@example.org", "coordinator"),
        ("officer@example.org", "officer"),
        ("volunteer@example.org", "volunteer"),
    ]:
        fresh = app.test_client()
        response = fresh.post(
            "/login", data={"csrf_token": csrf_token(fresh), "email": email, "password": "demo-password"}
        )
        assert response.status_code == 302, email
        assert db.session.scalar(db.select(User.role).where(User.email == email)) == role


def test_demo_refused_in_production(app):
    app.config["PRODUCTION"] = True
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "not loaded in production" in result.output


def test_demo_speed_watch_group_is_usable(app, db, client):
    """The demo volunteer lands on a rota with shifts, and the rota shows both filling states."""
    from engagement.speedwatch.returns.models import SessionReturn
    from engagement.speedwatch.sites.models import Site
    from engagement.speedwatch.volunteers.models import Volunteer

    load_demo()
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Site.id))) >= 12
    assert db.session.scalar(db.select(db.func.count(SessionReturn.id))) > 0
    statuses = set(db.session.scalars(db.select(Volunteer.status)).all())
    assert statuses == {"applied", "approved", "suspended"}
    response = client.post(
        "/login",
        data={"csrf_token": csrf_token(client), "email": "volunteer@example.org", "password": "demo-password"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/speed-watch/rota")
    shifts = client.get("/speed-watch/shifts").get_data(as_text=True).lower()
    assert "going ahead" in shifts and "needs 1 more volunteer" in shifts
    assert client.get("/staff/").status_code == 403


def test_demo_speed_watch_scheme_is_made_through_the_services(app, db):
    """Devices (one due for calibration soon), a site request, counted returns and a computed letter ladder."""
    from datetime import timedelta

    from engagement.speedwatch.dates import local_today
    from engagement.speedwatch.devices.models import Device
    from engagement.speedwatch.letters.models import HIGH_SPEED, REFERRED, SECOND_LETTER, LadderVehicle, Referral
    from engagement.speedwatch.requests.models import SiteRequest
    from engagement.speedwatch.returns.models import SessionReturn
    from engagement.speedwatch.shifts.models import Shift

    load_demo()
    db.session.commit()
    today = local_today()
    devices = db.session.scalars(db.select(Device)).all()
    assert len(devices) >= 12 and any(today <= d.calibration_expires <= today + timedelta(days=30) for d in devices)
    assert db.session.scalar(db.select(db.func.count(Shift.event_id)).where(Shift.device_id.is_(None))) == 0
    assert db.session.scalar(db.select(SiteRequest.status)) == "pending"
    returns = db.session.scalars(db.select(SessionReturn)).all()
    assert returns and all(r.vehicles_counted and r.check_passed and r.threshold_mph for r in returns)
    steps = set(db.session.scalars(db.select(LadderVehicle.step)))
    assert {SECOND_LETTER, REFERRED, HIGH_SPEED} <= steps
    assert set(db.session.scalars(db.select(Referral.reason))) == {REFERRED, HIGH_SPEED}
    _repeat_flags_follow_the_rule(app, db)


def _repeat_flags_follow_the_rule(app, db):
    """Every demo sighting's repeat flag is what the rule gives (computed, never set by hand): a
    registration seen again within SPEEDWATCH_REPEAT_DAYS by another session is a repeat, and the
    regulars' first sighting is a first letter and their later ones are not."""
    from datetime import timedelta

    from engagement.speedwatch.letters.models import FIRST_LETTER, SECOND_LETTER, LadderStep, LadderVehicle
    from engagement.speedwatch.returns.models import Vehicle

    window = timedelta(days=app.config["SPEEDWATCH_REPEAT_DAYS"])
    rows = db.session.execute(db.select(Vehicle.registration, Vehicle.seen_at, Vehicle.return_id, Vehicle.repeat)).all()
    by_plate: dict[str, list] = {}
    for row in rows:
        by_plate.setdefault(row.registration, []).append(row)
    for plate, seen in by_plate.items():
        for row in seen:
            expected = any(
                o.return_id != row.return_id and row.seen_at - window <= o.seen_at < row.seen_at for o in seen
            )
            assert row.repeat == expected, (plate, row.seen_at)
    for plate in ("BK19XRT", "FG68LMV"):
        flags = [r.repeat for r in sorted(by_plate[plate], key=lambda r: r.seen_at)]
        assert flags[0] is False and all(flags[1:]) and len(flags) >= 2, (plate, flags)
        months = [(r.seen_at.year, r.seen_at.month) for r in by_plate[plate]]
        assert len(set(months)) == len(months), f"{plate} seen twice in one month: {months}"
        steps = db.session.scalars(db.select(LadderStep.step).join(LadderVehicle)
                                   .where(LadderVehicle.registration == plate).order_by(LadderStep.seen_at)).all()  # fmt: skip
        assert steps[:2] == [FIRST_LETTER, SECOND_LETTER], (plate, steps)


def test_demo_team_page_shows_priorities_and_people(app, db, client):
    """The demo shows what a team publishes on police.uk: its priorities (one closed) and who is in the team."""
    load_demo()
    db.session.commit()
    page = client.get("/teams/ladywood").get_data(as_text=True)
    assert "Speeding on Icknield Port Road" in page and "Declan Byrne" in page
    assert "Drug dealing near the Ladywood Middleway shops" not in page  # closed: on the priorities page only
    assert "Drug dealing near the Ladywood Middleway shops" in client.get("/teams/ladywood/priorities").get_data(
        as_text=True
    )
    data = client.get("/teams/ladywood/priorities.json").get_json()
    assert {"issue", "issue-date", "action", "action-date"} <= set(data[0])
    assert load_demo()["priorities"] == 0  # a second load adds nothing
