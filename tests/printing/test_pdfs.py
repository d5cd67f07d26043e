"""Every printed PDF opened with pypdf: its text, its one sheet, its QR target (the code's link), its fonts."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

import pytest
from pypdf import PdfReader

from engagement.core.db import utcnow
from engagement.core.timeutil import to_local
from engagement.events.details import EventDetails, When
from engagement.events.models import EventType
from engagement.events.services import cancel_event, create_event, ensure_default_types, save_venue
from engagement.priorities.services import PriorityDetails, create_priority, today

A4 = (595, 842)  # points, rounded
EMERGENCY = ("999", "101", "18000", "18001 101", "0800 555 111")


@pytest.fixture
def team(make_team):
    return make_team(name="Ladywood", coverage=["B16"], contact_email="ladywood.npt@example.org")


@pytest.fixture
def types(db):
    ensure_default_types()
    db.session.commit()
    return {t.slug: t for t in db.session.scalars(db.select(EventType)).all()}


@pytest.fixture
def library(db, team):
    venue = save_venue(None, actor=None, team=team, name="Ladywood Community Library", address="Ladywood Middleway",
                       postcode="B16 8HA", step_free=True, hearing_loop=True)  # fmt: skip
    db.session.commit()
    return venue


@pytest.fixture
def hall(db, team):
    venue = save_venue(None, actor=None, team=team, name="St John's Church Hall", address="Monument Road",
                       postcode="B16 8UU", step_free=False)  # fmt: skip
    db.session.commit()
    return venue


def local_day(days: int, hour: int = 18) -> datetime:
    return datetime.combine(to_local(utcnow()).date() + timedelta(days=days), time(hour, 0))


@pytest.fixture
def make_date(db, team, types, library):
    def factory(title="Police surgery", days=3, *, venue=library, type_slug="police-surgery", mode=None, hour=18):
        event = create_event(actor=None, details=EventDetails(team=team, event_type=types[type_slug], title=title,
                                                              venue=venue, signup_mode=mode),
                             when=When(local_day(days, hour), local_day(days, hour) + timedelta(minutes=90)),
                             publish=True)  # fmt: skip
        db.session.commit()
        return event.occurrences[0]

    return factory


def read(response) -> PdfReader:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(response.data))


def text_of(reader: PdfReader) -> str:
    """The text as one line; an address wrapped after a "/" is joined up again."""
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages).replace("/ ", "/")


def link_targets(reader: PdfReader) -> list[str]:
    """The URIs of the link annotations: each QR code is wrapped in a link to exactly what it encodes
    (WeasyPrint may write one annotation per box of a link, so compare them as a set)."""
    found = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and action.get("/URI"):
                found.append(str(action["/URI"]))
    return found


def fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def page_size(reader: PdfReader, index: int = 0) -> tuple[int, int]:
    box = reader.pages[index].mediabox
    return round(float(box.width)), round(float(box.height))


def test_the_notice_board_poster_lists_dates_priorities_qr_and_emergency_numbers(client, db, team, make_date, hall):
    make_date("Police surgery at Ladywood Community Library", days=2)
    make_date("Neighbourhood Watch meeting", days=9, venue=hall, type_slug="neighbourhood-watch-meeting",
              mode="required")  # fmt: skip
    make_date("Far away surgery", days=40)
    create_priority(team, actor=None, details=PriorityDetails(issue="Speeding on Icknield Port Road",
                                                              set_on=today(), how="meeting"))  # fmt: skip
    db.session.commit()

    reader = read(client.get(f"/teams/{team.slug}/poster.pdf"))
    text = text_of(reader)
    assert len(reader.pages) == 1 and page_size(reader) == A4
    first = to_local(utcnow()).date() + timedelta(days=2)
    assert f"{first:%A} {first.day} {first:%B %Y}, 6pm to 7:30pm" in text
    assert "Police surgery at Ladywood Community Library, B16 8HA. Step-free: yes. No need to book." in text
    assert "Neighbourhood Watch meeting, St John's Church Hall, B16 8UU. Step-free: no." in text
    occurrence_id = db.session.scalar(db.text("SELECT o.id FROM occurrences o JOIN events e ON e.id = o.event_id "
                                              "WHERE e.title = 'Neighbourhood Watch meeting'"))  # fmt: skip
    assert f"Book at localhost/events/{occurrence_id}" in text
    assert "Far away surgery" not in text  # beyond four weeks
    assert "Speeding on Icknield Port Road" in text
    for number in EMERGENCY:
        assert number in text
    assert set(link_targets(reader)) == {"http://localhost/teams/ladywood"}
    assert "localhost/teams/ladywood" in text  # the address printed under the code, for typing
    assert {"Noto-Sans", "Noto-Sans-Bold"} <= fonts(reader)


def test_forty_dates_still_fit_one_sheet_and_say_how_many_more(client, db, team, make_date):
    for n in range(40):
        make_date(f"Police surgery number {n} at the Ladywood Community Library", days=1 + n % 27, hour=8 + n % 12)
    for n in range(5):
        create_priority(team, actor=None, details=PriorityDetails(
            issue=f"Priority {n}: anti-social behaviour around the Ladywood Arts and Leisure Centre on weekday evenings",
            set_on=today(), how="meeting"))  # fmt: skip
    db.session.commit()
    reader = read(client.get(f"/teams/{team.slug}/poster.pdf"))
    text = text_of(reader)
    assert len(reader.pages) == 1
    shown = text.count("Step-free: yes")
    assert 2 <= shown < 40
    assert f"And {40 - shown} more dates: see localhost/events?team=ladywood" in text

    leaflet = read(client.get(f"/teams/{team.slug}/leaflet.pdf"))
    assert len(leaflet.pages) == 1 and page_size(leaflet) == (A4[1], A4[0])  # A4 landscape, two A5 copies
    leaflet_text = text_of(leaflet)
    assert leaflet_text.count("Ladywood Neighbourhood Team") == 2 and leaflet_text.count("0800 555 111") == 2
    assert set(link_targets(leaflet)) == {"http://localhost/teams/ladywood"}


def test_a_poster_is_built_once_per_data_version(app, client, db, team, make_date):
    make_date(days=2)
    cache = app.extensions["print_cache"]
    first = client.get(f"/teams/{team.slug}/poster.pdf")
    builds = cache.builds
    assert client.get(f"/teams/{team.slug}/poster.pdf").data == first.data and cache.builds == builds
    assert client.get(f"/teams/{team.slug}/poster.pdf", headers={"If-None-Match": first.headers["ETag"]}
                      ).status_code == 304  # fmt: skip
    make_date("Cuppa with a Copper", days=4, type_slug="cuppa-with-a-copper")
    assert "Cuppa with a Copper" in text_of(read(client.get(f"/teams/{team.slug}/poster.pdf")))
    assert client.get("/teams/atlantis/poster.pdf").status_code == 404


def test_the_event_poster_says_where_when_how_to_book_and_links_its_page(client, db, make_date, hall):
    drop_in = make_date("Police surgery at Ladywood Community Library", days=5)
    reader = read(client.get(f"/events/{drop_in.id}/poster.pdf"))
    text = text_of(reader)
    day = to_local(drop_in.starts_at).date()
    assert len(reader.pages) == 1 and page_size(reader) == A4
    assert f"{day:%A} {day.day} {day:%B %Y}" in text and "6pm to 7:30pm" in text
    assert "Ladywood Community Library, Ladywood Middleway, B16 8HA" in text
    assert "Step-free access" in text and "Hearing loop" in text
    assert "No need to book" in text
    assert set(link_targets(reader)) == {f"http://localhost/events/{drop_in.id}"}
    for number in EMERGENCY:
        assert number in text

    booked = make_date("Neighbourhood Watch meeting", days=6, venue=hall, type_slug="neighbourhood-watch-meeting",
                       mode="required")  # fmt: skip
    booked_text = text_of(read(client.get(f"/events/{booked.id}/poster.pdf")))
    assert f"Book at localhost/events/{booked.id}" in booked_text and "No step-free access" in booked_text


def test_a_cancelled_date_prints_as_cancelled_and_a_draft_only_for_staff(client, db, team, types, make_date,
                                                                         library, make_user, login_as):  # fmt: skip
    row = make_date(days=3)
    cancel_event(row.event, actor=None, reason="The library is closed")
    db.session.commit()
    assert "CANCELLED" in text_of(read(client.get(f"/events/{row.id}/poster.pdf")))
    draft = create_event(actor=None, details=EventDetails(team=team, event_type=types["police-surgery"], title="Draft",
                                                          venue=library),
                         when=When(local_day(4), local_day(4) + timedelta(hours=1)))  # fmt: skip
    db.session.commit()
    url = f"/events/{draft.occurrences[0].id}/poster.pdf"
    assert client.get(url).status_code == 404
    login_as(make_user(role="officer", teams=[team]))
    preview = client.get(url)
    assert preview.status_code == 200 and preview.headers["Cache-Control"] == "private, no-store"


def test_a_sent_newsletter_prints_with_its_reference_and_ways_to_subscribe(app, client, db, team, make_date,
                                                                           make_user, login_as):  # fmt: skip
    from engagement.newsletter import delivery
    from engagement.newsletter.issues import create_issue, update_issue

    make_date("Police surgery at Ladywood Community Library", days=2)
    create_priority(team, actor=None, details=PriorityDetails(issue="Speeding on Icknield Port Road",
                                                              set_on=today(), how="meeting"))  # fmt: skip
    issue = create_issue(actor=None, team=team, subject="Ladywood news for December",
                         intro="Thank you to everyone who came to the **forum**. See <https://example.org/forum>.",
                         weeks=2)  # fmt: skip
    update_issue(issue, actor=None, subject=issue.subject, intro=issue.intro, weeks=2, priorities=True)
    db.session.commit()

    officer = make_user(role="officer", teams=[team])
    login_as(officer)
    draft = text_of(read(client.get(f"/staff/newsletters/{issue.id}/print.pdf")))
    assert "Draft, not sent yet" in draft and "Speeding on Icknield Port Road" in draft
    assert client.get(f"/newsletters/{issue.id}/print.pdf").status_code == 404  # not public until sent

    delivery.start(issue, now=utcnow())
    db.session.commit()
    reader = read(client.get(f"/newsletters/{issue.id}/print.pdf"))
    text = text_of(reader)
    assert page_size(reader) == A4
    assert "Ladywood news for December" in text and "Police surgery at Ladywood Community Library" in text
    assert f"Reference: {issue.reference}" in text and "localhost/verify" in text
    assert "https://example.org/forum" in text  # links are printed after their text
    assert "localhost/subscribe?team=ladywood" in "".join(text.split()) and "Draft" not in text
    assert "http://localhost/subscribe?team=ladywood" in link_targets(reader)
    for number in EMERGENCY:
        assert number in text
    assert "page 1 of" in text


def test_printing_never_fetches_anything(app, db, team):
    """An image that slipped into a document (say a newsletter) is skipped, never fetched."""
    import socket
    import threading

    from weasyprint import HTML

    from engagement.printing.render import refusing_fetcher

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(2)
    port = listener.getsockname()[1]
    connections = []
    waiter = threading.Thread(target=lambda: connections.append(_accept(listener)), daemon=True)
    waiter.start()
    html = HTML(string=f'<img src="http://127.0.0.1:{port}/x.png"><p>text</p>', url_fetcher=refusing_fetcher())
    assert len(html.render().pages) == 1
    listener.close()
    waiter.join(timeout=5)
    assert connections == [None]  # accept() gave up: nothing ever connected


def _accept(listener):
    try:
        return listener.accept()
    except OSError:
        return None


def test_the_page_language_sets_the_direction(app):
    from flask import g

    from engagement.printing.render import page_language

    with app.test_request_context():
        assert page_language() == ("en-GB", "ltr")
        g.page_lang = "ur"
        assert page_language() == ("ur", "rtl")


def test_each_language_is_its_own_poster(app, client, team):
    """The cache and ETag carry the language: a Polish reader never gets the Urdu poster built just before."""
    cache = app.extensions["print_cache"]
    before = cache.builds
    english = client.get(f"/teams/{team.slug}/poster.pdf")
    urdu = client.get(f"/teams/{team.slug}/poster.pdf?lang=ur")
    polish = client.get(f"/teams/{team.slug}/poster.pdf?lang=pl")
    assert len({english.headers["ETag"], urdu.headers["ETag"], polish.headers["ETag"]}) == 3
    assert urdu.data != polish.data and cache.builds == before + 3
    again = client.get(f"/teams/{team.slug}/poster.pdf?lang=en")  # English as before, from the cache
    assert again.headers["ETag"] == english.headers["ETag"] and again.data == english.data
