"""The archive, its RSS feed, /verify reference codes and the team events feed, read back by feedparser."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engagement.core.db import utcnow
from engagement.core.worker import run_once
from engagement.newsletter.issues import schedule
from engagement.newsletter.references import stable_guid
from tests.news.helpers import read_feed
from tests.support.html import without_bdi
from tests.support.queries import count_queries


@pytest.fixture
def sent(db, team, officer, subscribe, make_issue):
    subscribe("resident@example.org", team=team)
    issue = make_issue("Ladywood news, November", intro="Our **autumn** update.")
    schedule(issue, actor=officer)
    db.session.commit()
    run_once()
    db.session.refresh(issue)
    return issue


def test_archive_lists_only_sent_issues(client, sent, make_issue):
    draft = make_issue("Not sent yet")
    page = client.get("/newsletters").get_data(as_text=True)
    assert "Ladywood news, November" in page and "Not sent yet" not in page
    assert client.get(f"/newsletters/{draft.id}").status_code == 404
    copy = client.get(f"/newsletters/{sent.id}").get_data(as_text=True)
    assert "Our <strong>autumn</strong> update." in copy and sent.reference in copy
    assert client.get("/newsletters?team=ladywood").status_code == 200
    assert client.get("/newsletters?team=atlantis").status_code == 404


def test_archive_feed(client, sent):
    response = client.get("/newsletters.rss")
    feed = read_feed(response)
    [entry] = feed.entries
    assert entry.id == stable_guid("newsletter", sent.id)
    assert entry.link == f"http://localhost/newsletters/{sent.id}"
    assert entry.title == "Ladywood news, November (Ladywood Neighbourhood Team)"
    assert entry.published_parsed[:6] == sent.started_at.timetuple()[:6]
    assert client.get("/newsletters.rss", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("typed", ["{ref}", "{lower}", "{compact}", " {ref} "])
def test_verify_accepts_the_code_as_people_type_it(client, sent, typed):
    ref = sent.reference
    code = typed.format(ref=ref, lower=ref.lower(), compact=ref.replace("-", "")[2:])
    response = client.get("/verify", query_string={"code": code})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "This is a genuine newsletter" in page
    assert "Ladywood Neighbourhood Team, West Midlands Police" in page and f"/newsletters/{sent.id}" in page


def test_verify_unknown_and_malformed_codes(client, sent):
    unknown = without_bdi(client.get("/verify?code=NL-AAAA-BBBB").get_data(as_text=True))
    assert "We have not sent a newsletter with the reference NL-AAAA-BBBB" in unknown
    assert "report@phishing.gov.uk" in unknown
    bad = client.get("/verify?code=hello")
    assert bad.status_code == 400 and "There is a problem" in bad.get_data(as_text=True)
    assert client.get("/verify?code=").status_code == 400
    assert "Check an email is really from us" in client.get("/verify").get_data(as_text=True)


def test_verify_lookups_are_rate_limited(client, sent):
    statuses = [client.get("/verify?code=NL-AAAA-BBBB").status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429
    assert client.get("/verify").status_code == 200  # the empty form is never limited


# --- the team events feed ----------------------------------------------------------------------


@pytest.fixture
def events(db, team, officer):
    from datetime import date, datetime, time

    from engagement.events.details import EventDetails, When
    from engagement.events.models import EventType
    from engagement.events.recurrence import RepeatPattern
    from engagement.events.services import create_event, ensure_default_types, publish_event, save_venue

    ensure_default_types()
    surgery = db.session.scalar(db.select(EventType).where(EventType.slug == "police-surgery"))
    venue = save_venue(
        None,
        actor=officer,
        team=team,
        name="Ladywood Community Library",
        address="Ladywood Middleway",
        postcode="B16 8HA",
    )
    first = datetime.combine(date.today() + timedelta(days=10), time(18, 0))

    def make(title="Police surgery", weeks=1, publish=True):
        event = create_event(actor=officer, details=EventDetails(team=team, event_type=surgery, title=title,
                                                                 venue=venue),
                             when=When(first, first + timedelta(minutes=90)),
                             pattern=RepeatPattern("weekly", count=weeks) if weeks > 1 else None)  # fmt: skip
        if publish:
            publish_event(event, actor=officer)
        db.session.commit()
        return event

    return make


def test_events_feed_puts_date_and_place_in_the_title(client, db, events):
    from engagement.events.display import event_when

    event = events()
    response = client.get("/teams/ladywood/events.rss")
    feed = read_feed(response)
    [entry] = feed.entries
    occurrence = event.occurrences[0]
    assert entry.title == f"{event_when(occurrence)}: Police surgery at Ladywood Community Library"
    assert entry.id == stable_guid("occurrence", occurrence.id)
    assert entry.link == f"http://localhost/events/{occurrence.id}"
    assert entry.published_parsed[:6] == event.published_at.timetuple()[:6]  # publication time, not event time
    self_links = [link.href for link in feed.feed.links if link.rel == "self"]
    assert self_links == ["http://localhost/teams/ladywood/events.rss"]


def test_events_feed_hides_drafts_shows_cancellations_and_answers_304(client, db, events, officer):
    from engagement.events.services import cancel_event

    events("Draft surgery", publish=False)
    event = events("Cuppa")
    first = client.get("/teams/ladywood/events.rss")
    assert [e.title.split(": ", 1)[1] for e in read_feed(first).entries] == ["Cuppa at Ladywood Community Library"]
    assert client.get("/teams/ladywood/events.rss", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    cancel_event(event, actor=officer, reason="Library closed for repairs")
    db.session.commit()
    changed = client.get("/teams/ladywood/events.rss", headers={"If-None-Match": first.headers["ETag"]})
    [entry] = read_feed(changed).entries
    assert entry.title.startswith("Cancelled: ") and "Library closed for repairs" in entry.summary


def test_events_feed_costs_the_same_for_1_and_50_dates(client, db, events):
    events(weeks=1)
    with count_queries() as one:
        assert len(read_feed(client.get("/teams/ladywood/events.rss")).entries) == 1
    events("Weekly surgery", weeks=60)
    with count_queries() as many:
        assert len(read_feed(client.get("/teams/ladywood/events.rss")).entries) == 50
    assert len(many) == len(one)


def test_newsletter_includes_upcoming_events(db, smtp, team, officer, subscribe, make_issue, events):
    subscribe("resident@example.org", team=team)
    events("Cuppa with a Copper")
    issue = make_issue()
    schedule(issue, actor=officer)
    db.session.commit()
    run_once()
    [message] = smtp.parsed()
    text = message.get_body(("plain",)).get_content()
    assert "COMING UP" in text and "Cuppa with a Copper, 6pm to 7:30pm, Ladywood Community Library" in text
    assert utcnow() < issue.started_at + timedelta(minutes=1)
