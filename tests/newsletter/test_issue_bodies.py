"""A newsletter's content (headings, "Coming up", dates) frozen in each recipient's language (issue 15)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from engagement.core.i18n import force_language
from engagement.core.timeutil import format_date, to_local
from engagement.core.worker import run_once
from engagement.newsletter.issues import schedule
from tests.newsletter.conftest import body_text, link

TITLE_UR = "پولیس سے ملاقات"


def _events(db, team, officer):
    """Two published dates: one with an Urdu title, one only in English, cancelled."""
    from engagement.events.details import EventDetails, When
    from engagement.events.models import EventType
    from engagement.events.services import cancel_event, create_event, ensure_default_types, publish_event, save_venue

    ensure_default_types()
    surgery = db.session.scalar(db.select(EventType).where(EventType.slug == "police-surgery"))
    venue = save_venue(None, actor=officer, team=team, name="Ladywood Library", address="Ladywood Middleway",
                       postcode="B16 8HA")  # fmt: skip
    first = datetime.combine(date.today() + timedelta(days=5), time(18, 0))
    made = []
    for title, translations in [("Police surgery", {"ur": {"title": TITLE_UR, "description": ""}}),
                                ("Bike marking", None)]:  # fmt: skip
        details = EventDetails(team=team, event_type=surgery, title=title, venue=venue, translations=translations)
        event = create_event(actor=officer, details=details, when=When(first, first + timedelta(minutes=90)))
        publish_event(event, actor=officer)
        made.append(event)
    cancel_event(made[1], actor=officer, reason="Rain")
    db.session.commit()
    return made


def test_an_urdu_subscriber_gets_urdu_headings_and_dates_the_english_copy_is_the_frozen_english(
    client, db, smtp, team, officer, subscribe, make_issue
):
    subscribe("ada@example.org", team=team)
    subscribe("nadia@example.org", team=team).language = "ur"
    db.session.commit()
    surgery, _bikes = _events(db, team, officer)
    issue = make_issue(intro="Hello from the **team**.")
    schedule(issue, actor=officer)
    db.session.commit()
    assert run_once()["newsletter-send"] == 2

    assert set(issue.bodies) == {"ur"}  # one copy per language the recipients read; English stays in body_*
    by_address = {m["To"]: m for m in smtp.parsed()}
    english, urdu = body_text(by_address["ada@example.org"]), body_text(by_address["nadia@example.org"])
    assert issue.body_text in english and "COMING UP" in english and "CANCELLED: Bike marking" in english
    assert "Police surgery" in english and TITLE_UR not in english
    with force_language("ur"):
        day_ur = format_date(to_local(surgery.occurrences[0].starts_at).date())
    assert "آنے والی تقریبات" in urdu and "COMING UP" not in urdu  # "Coming up"
    assert day_ur in urdu and "منسوخ: Bike marking" in urdu  # the date and "Cancelled:" in Urdu
    assert TITLE_UR in urdu and "Police surgery" not in urdu  # the event's own Urdu title
    assert "Hello from the team." in urdu  # the officer's words as written
    html = by_address["nadia@example.org"].get_body(("html",)).get_content()
    assert '<div class="intro" lang="en-GB" dir="auto">' in html and f'dir="rtl">{TITLE_UR}</a>' in html
    assert re.search(r'href="[^"]*/events\?[^"]*lang=ur"', html)  # "See all events" opens in Urdu

    manage = link(by_address["nadia@example.org"], "/manage/")
    assert manage.endswith("?lang=ur")  # the token comes before the language, so the link still works
    page = client.get(manage)
    assert page.status_code == 200 and 'lang="ur"' in page.get_data(as_text=True)
    assert "?lang=" not in link(by_address["ada@example.org"], "/manage/")


def test_an_issue_started_before_languages_were_frozen_falls_back_to_english(
    db, smtp, team, officer, subscribe, make_issue
):
    """Deliveries of an issue with no `bodies` (started by the previous release): the English content."""
    subscribe("nadia@example.org", team=team).language = "ur"
    db.session.commit()
    _events(db, team, officer)
    issue = make_issue(intro="Hello from the **team**.")
    schedule(issue, actor=officer)
    db.session.commit()
    from engagement.newsletter import delivery

    delivery.start_due()
    issue.bodies = None
    db.session.commit()
    delivery.send_due()
    [message] = smtp.parsed()
    assert issue.body_text in body_text(message) and "COMING UP" in body_text(message)
    assert message["Content-Language"] == "ur"  # the frame around it is still in their language
