"""Every multi-line field takes what a browser sends: paragraphs separated by CRLF, lists and links.

Browsers submit a textarea's line breaks as CRLF; the tag check once read `\\r\\n` as markup and
refused every multi-paragraph news post. Each case posts through the real form and reads back
what was stored: LF only, the paragraphs and the list kept.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from engagement.core.db import utcnow
from engagement.core.markup import has_markdown_tags, has_tags
from engagement.events.models import Event, Venue
from engagement.news.models import NewsPost
from engagement.newsletter.models import Issue
from engagement.signups.models import Signup
from engagement.speedwatch.sites.models import Site
from engagement.surveys.models import Survey
from tests.events.helpers import form_fields
from tests.signups.conftest import soon
from tests.surveys.conftest import build_survey

MARKDOWN = "First paragraph & more.\r\n\r\n- tea\r\n- cake\r\n\r\nSee [the map](https://example.org/map?a=1&b=2)."
PLAIN = "Ring the bell.\r\n\r\nWheelchair user & a guide dog.\r\n"


def stored(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def news(ctx):
    data = {"scope": f"team:{ctx.team.id}", "title": "Thefts", "summary": "Line one.\r\nLine two.",
            "body": MARKDOWN + "\r\nAlso <https://example.org/a>", "action": "publish"}  # fmt: skip
    return "/staff/news/new", data, lambda db: db.session.scalar(db.select(NewsPost.body))


def newsletter(ctx):
    data = {"scope": f"team:{ctx.team.id}", "subject": "November", "intro": MARKDOWN, "weeks": "2"}
    return "/staff/newsletters/new", data, lambda db: db.session.scalar(db.select(Issue.intro))


def event(ctx):
    data = form_fields(ctx.team, ctx.types, ctx.venue, ctx.officer, description=MARKDOWN)
    return "/staff/events/new", data, lambda db: db.session.scalar(db.select(Event.description))


def venue_notes(ctx):
    data = {"team": str(ctx.team.id), "name": "Canal Café", "postcode": "B1 2JT", "access_notes": PLAIN}
    return "/staff/venues/new", data, lambda db: db.session.scalar(db.select(Venue.access_notes).where(Venue.name == "Canal Café"))  # fmt: skip


def survey_intro(ctx):
    data = {"scope": f"team:{ctx.team.id}", "title": "Street lighting", "introduction": MARKDOWN, "mode": "anonymous",
            "opens_date": "1/6/2030", "opens_time": "09:00", "closes_date": "30/6/2030", "closes_time": "",
            "feedback_for": ""}  # fmt: skip
    return "/staff/surveys/new", data, lambda db: db.session.scalar(db.select(Survey.introduction))


def you_said_we_did(ctx):
    survey = build_survey(ctx.db, ctx.team)
    survey.closes_at = utcnow() - timedelta(minutes=1)
    ctx.db.session.commit()
    data = {"said": MARKDOWN, "will_do": MARKDOWN, "action": "publish"}
    return f"/staff/surveys/{survey.id}/outcome", data, lambda db: db.session.get(Survey, survey.id).outcome.will_do


def volunteer_notes(ctx):
    today = date.today()
    data = {"team": ctx.team.slug, "name": "Lichfield Road", "road": "Lichfield Road", "speed_limit": "30",
            "volunteer_notes": PLAIN, "assessed_on": f"{today:%-d/%-m/%Y}"}  # fmt: skip
    return "/staff/speed-watch/sites/new", data, lambda db: db.session.scalar(db.select(Site.volunteer_notes))


def access_needs(ctx):
    row = ctx.make_event(ctx.team, capacity=10, signup_mode="required").occurrences[0]
    data = {"name": "Ada Lovelace", "email": "ada@example.org", "places": "1", "access_needs": PLAIN}
    return f"/events/{row.id}/sign-up", data, lambda db: db.session.scalar(db.select(Signup.access_needs))


def walk_in_needs(ctx):
    row = ctx.make_event(ctx.team, start=soon(1), capacity=10, signup_mode="required").occurrences[0]
    data = {"name": "Sam Walker", "places": "1", "access_needs": PLAIN}
    return f"/staff/occurrences/{row.id}/walk-in", data, lambda db: db.session.scalar(db.select(Signup.access_needs))


PLAIN_CASES = (
    venue_notes,
    volunteer_notes,
    access_needs,
    walk_in_needs,
)  # plain text kept as typed, line breaks and all
CASES = [
    news,
    newsletter,
    event,
    venue_notes,
    survey_intro,
    you_said_we_did,
    volunteer_notes,
    access_needs,
    walk_in_needs,
]


class Context:
    def __init__(self, **values):
        self.__dict__.update(values)


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_a_crlf_paragraph_is_accepted_and_stored_with_lf(
    client, db, login_as, post_form, officer, team, types, venue, make_event, case
):
    login_as(officer)
    ctx = Context(db=db, team=team, officer=officer, types=types, venue=venue, make_event=_dated(make_event))
    url, data, read = case(ctx)
    if url.startswith("/events/"):  # the resident's form carries its own hidden fields
        page = client.get(url).get_data(as_text=True)
        data |= dict(re.findall(r'name="(request_key|consent_version)" type="hidden" value="([^"]*)"', page))
    response = post_form(url, data)
    assert response.status_code == 302, response.get_data(as_text=True)
    value = read(db)
    expected = PLAIN if case in PLAIN_CASES else MARKDOWN
    assert "\r" not in value and value.startswith(stored(expected))


def _dated(make_event):
    from tests.signups.conftest import at

    def build(team, start=None, **details):
        start = start or at(10)
        return make_event(start, start + timedelta(hours=1), now=utcnow(), **details)

    return build


def test_news_with_crlf_shows_paragraphs_and_a_list(client, db, login_as, post_form, officer, team):
    login_as(officer)
    url, data, _read = news(Context(team=team))
    post_form(url, data)
    post = db.session.scalar(db.select(NewsPost))
    page = client.get(f"/news/{post.id}").get_data(as_text=True)
    assert "<p>First paragraph &amp; more.</p>" in page and "<li>tea</li>" in page
    assert 'href="https://example.org/map?a=1&amp;b=2"' in page


@pytest.mark.parametrize(
    ("text", "tagged"),
    [
        ("a\r\nb", False),
        ("a\rb", False),
        ("Fish &amp; chips", False),
        ("Tea&nbsp;and cake", False),
        ("a < b and 5 > 3", False),
        ("<b>bold</b>", True),
        ("&lt;script&gt;alert(1)&lt;/script&gt;", True),
        ("line\r\n<img src=x onerror=alert(1)>", True),
    ],
)
def test_the_tag_check_sees_tags_only(text, tagged):
    assert has_tags(text) is tagged


def test_markdown_autolinks_are_not_tags():
    assert not has_markdown_tags("See <https://example.org/a?b=1>\r\nor <mailto:a@example.org>")
    assert has_markdown_tags("See <https://example.org> and <b>this</b>")
