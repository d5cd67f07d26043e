"""The police.uk priorities and people files: their documented shapes, sanitising, round trips, all-or-nothing."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest

from engagement.priorities import queries
from engagement.priorities.models import CLOSED, Priority, TeamPerson
from engagement.priorities.people import PersonDetails, save_own_entry, save_person
from engagement.priorities.people_policeuk import import_people
from engagement.priorities.policeuk import ImportRejected, import_priorities
from engagement.priorities.services import close_priority, today

HTML_ONLY_P_BR = re.compile(r"^(?:<p>(?:[^<>]|<br>)*</p>)+$")
POLICE_UK_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T00:00:00$")


def assert_priorities_shape(items):
    """data.police.uk "neighbourhood priorities": issue, issue-date, action, action-date, nothing else."""
    assert isinstance(items, list)
    for item in items:
        assert set(item) == {"issue", "issue-date", "action", "action-date"}
        assert isinstance(item["issue"], str) and HTML_ONLY_P_BR.match(item["issue"])
        assert POLICE_UK_DATE.match(item["issue-date"])
        assert item["action"] is None or HTML_ONLY_P_BR.match(item["action"])
        assert (item["action-date"] is None) == (item["action"] is None)
        assert item["action-date"] is None or POLICE_UK_DATE.match(item["action-date"])


def assert_people_shape(items):
    """data.police.uk "neighbourhood team": name, rank, bio, contact_details (email/telephone only)."""
    assert isinstance(items, list)
    for item in items:
        assert set(item) == {"name", "rank", "bio", "contact_details"}
        assert isinstance(item["name"], str) and item["name"] and isinstance(item["rank"], str)
        assert item["bio"] is None or HTML_ONLY_P_BR.match(item["bio"])
        assert set(item["contact_details"]) <= {"email", "telephone"}


def test_priorities_json_has_the_police_uk_shape_current_first_and_closed_on_request(
    client, db, team, officer, make_priority
):
    speeding = make_priority("Speeding on Icknield Port Road\n\nNear the school & the leisure centre", days_ago=60,
                             actions=[(40, "12 Speed Watch sessions held; 340 advisory letters"),
                                      (10, "Dispersal order 2–9 March (under 18s & > 10 people)")])  # fmt: skip
    make_priority("Anti-social behaviour around the Ladywood Arts and Leisure Centre", days_ago=20)
    old = make_priority("Drug dealing near the shops", days_ago=90, actions=[(50, "Two warrants")])
    close_priority(old, actor=officer, closed_on=today() - timedelta(days=5), outcome="Reports stopped")
    db.session.commit()

    response = client.get(f"/teams/{team.slug}/priorities.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    items = response.get_json()
    assert_priorities_shape(items)
    assert len(items) == 2  # current only, as police.uk lists them
    first = items[0]
    assert first["issue"] == "<p>Speeding on Icknield Port Road</p><p>Near the school &amp; the leisure centre</p>"
    day = today() - timedelta(days=10)
    assert first["action"].endswith(
        f"<p>{day.day} {day:%B %Y}: Dispersal order 2–9 March (under 18s &amp; &gt; 10 people)</p>"
    )
    assert first["action-date"] == f"{day.isoformat()}T00:00:00"
    assert first["issue-date"] == f"{(today() - timedelta(days=60)).isoformat()}T00:00:00"
    assert items[1]["action"] is None and items[1]["action-date"] is None

    everything = client.get(f"/teams/{team.slug}/priorities.json?include=closed").get_json()
    assert_priorities_shape(everything)
    closed_on = today() - timedelta(days=5)
    assert everything[-1]["action"].endswith(f"<p>Closed on {closed_on.day} {closed_on:%B %Y}: Reports stopped</p>")
    assert everything[-1]["action-date"] == f"{closed_on.isoformat()}T00:00:00"
    assert speeding.id  # the fixture made it
    assert client.get(f"/teams/{team.slug}/priorities.json?include=everything").status_code == 400
    missing = client.get("/teams/atlantis/priorities.json")
    assert missing.status_code == 404 and missing.get_json()["status"] == 404


def test_priorities_round_trip_through_import_into_another_team(client, db, team, other_team, officer, make_priority):
    make_priority("Speeding on Icknield Port Road", days_ago=60, actions=[(40, "12 sessions"), (10, "340 letters")])
    closing = make_priority("Litter\nin the park", days_ago=80, actions=[(70, "Clean-up day")])
    close_priority(closing, actor=officer, closed_on=today() - timedelta(days=3), outcome="Bins added")
    db.session.commit()
    exported = client.get(f"/teams/{team.slug}/priorities.json?include=closed").get_data()

    summary = import_priorities(other_team, exported)
    db.session.commit()
    assert len(summary.created) == 2
    again = client.get(f"/teams/{other_team.slug}/priorities.json?include=closed").get_data()
    assert json.loads(again) == json.loads(exported)
    imported = db.session.scalars(db.select(Priority).where(Priority.team_id == other_team.id)).all()
    assert {p.status for p in imported} == {"current", CLOSED}

    # The same file again changes nothing and duplicates nothing.
    second = import_priorities(other_team, exported)
    db.session.commit()
    assert (len(second.created), len(second.updated), len(second.unchanged)) == (0, 0, 2)


def test_police_uks_own_files_import_with_html_sanitised_to_text(db, team):
    raw = json.dumps([
        {
            "issue": '<p>Anti-social <b>behaviour</b> on Broad Street<script>alert("x")</script>'
                     '<img src=x onerror="alert(1)"></p><p>Evenings &amp; weekends</p>',
            "issue-date": "2026-06-21T00:00:00",
            "action": "<p>Patrols <a href=\"javascript:alert(1)\">increased</a> at weekends.</p><p>Dispersal order used.</p>",
            "action-date": "2026-08-06T00:00:00",
        },
        {"issue": "Cycling on pavements", "issue-date": "2026-07-01", "action": None, "action-date": None},
    ])  # fmt: skip
    summary = import_priorities(team, raw)
    db.session.commit()
    assert len(summary.created) == 2
    current, _ = queries.team_priorities(team)
    first = next(p for p in current if "Broad Street" in p.issue)
    assert first.issue == "Anti-social behaviour on Broad Street\n\nEvenings & weekends"
    assert "<" not in first.issue and "alert" not in first.issue
    assert [(a.taken_on.isoformat(), a.text) for a in first.actions] == [
        ("2026-08-06", "Patrols increased at weekends.\n\nDispersal order used.")
    ]
    assert first.how_detail == "Imported from police.uk"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("[" * 100_000, "nested far too deeply"),
        ("{not json", "not valid JSON"),
        ('{"issue": "x"}', "must be a JSON list"),
        ('[{"issue": "Speeding"}]', "item 1 (index 0) has no issue-date"),
        ('[{"issue": "", "issue-date": "2026-01-01"}]', "Enter the issue"),
        ('[{"issue": "<script>x</script>", "issue-date": "2026-01-01"}]', "Enter the issue"),
        ('[{"issue": "Speeding", "issue-date": "yesterday"}]', "is not a date"),
        ('[{"issue": "Speeding", "issue-date": "9999-12-31T00:00:00"}]', "cannot be after"),
        ('[{"issue": 5, "issue-date": "2026-01-01"}]', "must be text"),
        ('[{"issue": "Speeding", "issue-date": "2026-01-01", "action": "<p>31 Smarch 2026: x</p>"}]', "not a date"),
    ],
)
def test_a_bad_file_is_rejected_whole_and_nothing_is_kept(db, team, raw, message):
    good = {"issue": "Litter", "issue-date": "2026-01-01T00:00:00", "action": None, "action-date": None}
    if raw.startswith("[{"):
        raw = json.dumps([good] + json.loads(raw))  # a good item first: it must not be kept either
        message = message.replace("item 1 (index 0)", "item 2 (index 1)")
    with pytest.raises(ImportRejected, match=re.escape(message)):
        import_priorities(team, raw)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Priority)) == 0


def test_an_import_that_would_pass_five_current_priorities_is_refused(db, team, make_priority):
    for n in range(3):
        make_priority(f"Existing {n}")
    raw = json.dumps([{"issue": f"New {n}", "issue-date": "2026-01-01", "action": None, "action-date": None}
                      for n in range(3)])  # fmt: skip
    with pytest.raises(ImportRejected, match="would have 6 current priorities"):
        import_priorities(team, raw)


def test_the_cli_imports_and_a_dry_run_saves_nothing(app, db, team, tmp_path):
    path = tmp_path / "priorities.json"
    path.write_text(json.dumps([{"issue": "Speeding", "issue-date": "2026-05-01T00:00:00",
                                 "action": "<p>Speed Watch sessions</p>", "action-date": "2026-06-01T00:00:00"}]))  # fmt: skip
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["teams", "import-police-uk-priorities", "--team", team.slug, "--dry-run", str(path)])
    assert dry.exit_code == 0 and "Created 1" in dry.output and "nothing was saved" in dry.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Priority)) == 0
    done = runner.invoke(args=["teams", "import-police-uk-priorities", "--team", team.slug, str(path)])
    assert done.exit_code == 0, done.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Priority)) == 1
    path.write_text("[" * 50_000)
    bad = runner.invoke(args=["teams", "import-police-uk-priorities", "--team", team.slug, str(path)])
    assert bad.exit_code != 0 and "rejected, nothing was imported" in bad.output


def test_people_json_lists_only_those_shown_with_the_teams_contacts(client, db, team, officer, colleague):
    save_own_entry(team, actor=officer, details=PersonDetails(name="Aisha Khan", rank="PCSO", shown=True,
                                                              bio="I cover Ladywood.\n\nAsk me about Speed Watch."),
                   max_bytes=10_000)  # fmt: skip
    save_own_entry(team, actor=colleague, details=PersonDetails(name="Tom Byrne", rank="PC", shown=False),
                   max_bytes=10_000)  # fmt: skip
    db.session.commit()
    items = client.get(f"/teams/{team.slug}/people.json").get_json()
    assert_people_shape(items)
    assert items == [{
        "name": "Aisha Khan",
        "rank": "PCSO",
        "bio": "<p>I cover Ladywood.</p><p>Ask me about Speed Watch.</p>",
        "contact_details": {"email": "ladywood.npt@example.org", "telephone": "0121 000 0000"},
    }]  # fmt: skip


def test_people_round_trip_and_police_uk_rank_words(client, db, team, other_team):
    save_person(None, team, actor=None, details=PersonDetails(name="Cheryl Cooper", rank="Sergeant", shown=True,
                                                              bio="Leads the team."), max_bytes=1)  # fmt: skip
    save_person(None, team, actor=None, details=PersonDetails(name="Priya Shah", rank="Volunteer", shown=True),
                max_bytes=1)  # fmt: skip
    db.session.commit()
    exported = client.get(f"/teams/{team.slug}/people.json").get_data()
    hidden = import_people(other_team, exported)
    db.session.commit()
    assert len(hidden.created) == 2
    assert client.get(f"/teams/{other_team.slug}/people.json").get_json() == []  # hidden until shown
    shown = import_people(other_team, exported, show=True)
    db.session.commit()
    assert len(shown.updated) == 2
    again = client.get(f"/teams/{other_team.slug}/people.json").get_json()
    assert [(p["name"], p["rank"], p["bio"]) for p in again] == [
        (p["name"], p["rank"], p["bio"]) for p in json.loads(exported)
    ]
    assert_people_shape(again)

    words = json.dumps([{"name": "<b>Sam</b> Lee", "rank": "Police Community Support Officer", "bio": None,
                         "contact_details": {"mobile": "07700 900000"}}])  # fmt: skip
    import_people(team, words)
    db.session.commit()
    sam = db.session.scalar(db.select(TeamPerson).where(TeamPerson.name == "Sam Lee"))
    assert (sam.rank, sam.shown) == ("PCSO", False)
    with pytest.raises(ImportRejected, match="the rank “Chief Constable” is not one we show"):
        import_people(team, json.dumps([{"name": "Boss", "rank": "Chief Constable"}]))


def test_an_officers_own_entry_is_never_overwritten_by_an_import(db, team, officer):
    save_own_entry(team, actor=officer, details=PersonDetails(name="Aisha Khan", rank="PCSO", bio="Mine"),
                   max_bytes=1)  # fmt: skip
    db.session.commit()
    summary = import_people(team, json.dumps([{"name": "Aisha Khan", "rank": "PC", "bio": "Not mine", "show": 1}]))
    assert summary.skipped and "own entry" in summary.skipped[0][1]
    assert db.session.scalar(db.select(TeamPerson.bio)) == "Mine"


def test_export_dates_are_uk_local_midnight_strings(make_priority, client, team):
    make_priority("Speeding", days_ago=3)
    item = client.get(f"/teams/{team.slug}/priorities.json").get_json()[0]
    assert datetime.fromisoformat(item["issue-date"]).date() == today() - timedelta(days=3)
