"""Priorities on the team page, their own page, the staff screens, "You said, we did", feeds and newsletters."""

from __future__ import annotations

import re
from datetime import timedelta

import feedparser

from engagement.core.db import utcnow
from engagement.priorities.models import Priority
from engagement.priorities.services import close_priority, today
from engagement.surveys.outcomes import save_outcome
from tests.surveys.helpers import sample_records as survey_sample


def uk(day) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def test_the_team_page_shows_current_priorities_first_and_the_page_keeps_closed_ones(
    client, db, team, officer, make_priority
):
    old = make_priority("Drug dealing near the shops", days_ago=90, actions=[(60, "Two warrants executed")])
    close_priority(old, actor=officer, closed_on=today() - timedelta(days=7), outcome="No reports since May")
    make_priority("Speeding on Icknield Port Road", days_ago=40, actions=[(20, "12 Speed Watch sessions held")])
    db.session.commit()

    page = client.get(f"/teams/{team.slug}").get_data(as_text=True)
    assert "Our priorities" in page and "Speeding on Icknield Port Road" in page
    assert f"Latest:</strong> {uk(today() - timedelta(days=20))}: 12 Speed Watch sessions held" in page
    assert "Drug dealing near the shops" not in page  # closed ones are on the priorities page
    assert f'href="/teams/{team.slug}/priorities"' in page

    full = client.get(f"/teams/{team.slug}/priorities").get_data(as_text=True)
    assert full.index("Current priorities") < full.index("Speeding on Icknield") < full.index("Closed priorities")
    assert full.index("Closed priorities") < full.index("Drug dealing near the shops")
    assert f"Closed {uk(today() - timedelta(days=7))}.</strong> No reports since May" in full
    assert "Two warrants executed" in full
    assert client.get("/teams/atlantis/priorities").status_code == 404


def test_an_officer_sets_a_priority_with_every_error_listed_and_answers_kept(client, db, team, officer, login_as,
                                                                             post_form):  # fmt: skip
    login_as(officer)
    url = f"/staff/teams/{team.slug}/priorities/new"
    assert client.get(url).status_code == 200
    bad = post_form(url, data={"issue": "", "set_on": "31/02/2026", "how": "meeting", "how_detail": "Forum",
                               "survey": "0"})  # fmt: skip
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "There is a problem" in page
    assert "Enter the issue" in page and "Enter a real date" in page and 'value="Forum"' in page
    done = post_form(url, data={"issue": "Speeding on Icknield Port Road", "set_on": today().strftime("%d/%m/%Y"),
                                "how": "meeting", "how_detail": "Ladywood Community Forum", "survey": "0"})  # fmt: skip
    assert done.status_code == 302
    priority = db.session.scalars(db.select(Priority)).one()
    assert priority.how_detail == "Ladywood Community Forum" and priority.created_by_id == officer.id

    action = post_form(f"/staff/priorities/{priority.id}/actions/new",
                       data={"taken_on": today().isoformat(), "text": "Dispersal order 2–9 March"})  # fmt: skip
    assert action.status_code == 302
    closing = post_form(f"/staff/priorities/{priority.id}/close", data={"closed_on": today().isoformat(),
                                                                         "outcome": ""})  # fmt: skip
    assert closing.status_code == 400 and "Enter the outcome" in closing.get_data(as_text=True)
    post_form(f"/staff/priorities/{priority.id}/close", data={"closed_on": today().isoformat(), "outcome": "Fixed"})
    db.session.expire_all()
    assert db.session.get(Priority, priority.id).status == "closed"
    listing = client.get(f"/staff/teams/{team.slug}/priorities").get_data(as_text=True)
    assert "Closed (1)" in listing and "Reopen" in listing


def test_other_teams_officers_get_403(client, team, outsider, login_as, make_priority):
    priority = make_priority()
    login_as(outsider)
    assert client.get(f"/staff/teams/{team.slug}/priorities").status_code == 403
    assert client.get(f"/staff/priorities/{priority.id}/edit").status_code == 403


def test_you_said_we_did_becomes_a_priority_or_an_action(client, db, team, officer, login_as, make_priority):
    from engagement.surveys.models import Survey

    survey = db.session.get(Survey, survey_sample(team)["survey_id"])
    survey.closes_at = utcnow() - timedelta(minutes=5)
    save_outcome(survey, actor=None, said="Speeding worries you most.", will_do="Run **Speed Watch** weekly.",
                 headline_ids=[], publish=True)  # fmt: skip
    db.session.commit()
    existing = make_priority("Anti-social behaviour at the leisure centre")
    login_as(officer)

    listing = client.get(f"/staff/teams/{team.slug}/priorities").get_data(as_text=True)
    offer = f"/staff/teams/{team.slug}/priorities/from-survey/{survey.id}"
    assert offer in listing
    page = client.get(offer).get_data(as_text=True)
    assert "Speeding worries you most." in page and "<strong>Speed Watch</strong>" in page
    assert f"/staff/teams/{team.slug}/priorities/new?survey={survey.id}" in page
    assert f"/staff/priorities/{existing.id}/actions/new?survey={survey.id}" in page

    form = client.get(f"/staff/teams/{team.slug}/priorities/new?survey={survey.id}").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="survey"', form) and f'<option selected value="{survey.id}">' in form
    action_form = client.get(f"/staff/priorities/{existing.id}/actions/new?survey={survey.id}").get_data(as_text=True)
    assert "You said, we did (Sample survey): Run Speed Watch weekly." in action_form


def test_priority_feeds_parse_and_their_guids_never_change(client, db, team, officer, make_priority):
    priority = make_priority("Speeding on Icknield Port Road", actions=[(5, "12 Speed Watch sessions")])
    first = feedparser.parse(client.get(f"/teams/{team.slug}/priorities.rss").data)
    assert not first.bozo and first.feed.title == "Ladywood Neighbourhood Team: priorities"
    titles = [e.title for e in first.entries]
    assert titles == ["Update on “Speeding on Icknield Port Road”", "New priority: Speeding on Icknield Port Road"]
    close_priority(priority, actor=officer, closed_on=today(), outcome="Average speeds down 6 mph")
    db.session.commit()
    atom = client.get(f"/teams/{team.slug}/priorities.atom")
    later = feedparser.parse(atom.data)
    assert atom.mimetype == "application/atom+xml" and later.entries[0].title.startswith("Priority closed")
    assert {e.id for e in first.entries} <= {e.id for e in later.entries}
    assert client.get(f"/teams/{team.slug}/priorities.atom", headers={"If-None-Match": atom.headers["ETag"]}
                      ).status_code == 304  # fmt: skip


def test_the_newsletter_offers_current_priorities_as_a_section(client, db, team, officer, login_as, post_form,
                                                               make_priority):  # fmt: skip
    from engagement.newsletter.issues import create_issue, render_content

    make_priority("Speeding on Icknield Port Road", actions=[(2, "340 advisory letters")])
    issue = create_issue(actor=officer, team=team, subject="December news", intro="Hello", weeks=0)
    db.session.commit()
    html, text = render_content(issue)
    assert "Our priorities" not in html  # offered, not forced
    login_as(officer)
    page = client.get(f"/staff/newsletters/{issue.id}").get_data(as_text=True)
    assert "Include the team&#39;s current priorities" in page or "Include the team's current priorities" in page
    response = post_form(f"/staff/newsletters/{issue.id}", data={"subject": "December news", "intro": "Hello",
                                                                  "weeks": "0", "priorities": "y", "action": "save"})  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    html, text = render_content(db.session.get(type(issue), issue.id))
    assert "<h2>Our priorities</h2>" in html and "Speeding on Icknield Port Road" in html
    assert "OUR PRIORITIES" in text and "340 advisory letters" in text
