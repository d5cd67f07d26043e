"""Issue 14 items 3 and 4: the dashboard's one line per date, and saying who will be told before a date
is cancelled or moved (with a check step for moves), and the cancellation email's "other events" link."""

from __future__ import annotations

import re

from engagement.events.models import Occurrence
from engagement.signups.event_changes import who_will_be_told
from tests.signups.conftest import at
from tests.support.outbox import outbox


def _page(response) -> str:
    return response.get_data(as_text=True)


def _full_with_waiting(make_date, book, *, booked=2, waiting=1):
    row = make_date(capacity=booked, mode="required", title="Cuppa with a Copper")
    for _ in range(booked + waiting):
        book(row)
    return row


def test_dashboard_has_one_truthful_line_per_date(client, db, login_as, officer, make_date, book):
    full = _full_with_waiting(make_date, book)
    open_date = make_date(days=5, capacity=20, title="Neighbourhood Watch meeting")
    book(open_date, places=3)
    draft = make_date(days=6, capacity=8, title="Draft surgery", publish=False)
    login_as(officer)
    page = _page(client.get("/staff/"))
    assert "Sign-up counts will appear here" not in page
    lines = dict(re.findall(r'<p class="event-meta date-line"><a href="[^"]*/(\d+)/signups">([^<]+)<', page))
    texts = list(lines.values())
    assert lines[str(full.id)] == "2 of 2 places booked · 1 waiting · full: waiting list open", lines
    assert "3 of 20 places booked · sign-up open" in texts
    assert "0 of 8 places booked · sign-up opens when published" in texts
    assert draft.id and ">2 places<" not in page and ">8 places<" not in page  # no second, contradicting figure
    assert len(texts) == 3  # one line per date, and no second list of the same dates
    assert "Sign-ups in the next two weeks" not in page


def test_who_will_be_told_counts_people_booked_and_waiting(db, make_date, book):
    row = _full_with_waiting(make_date, book, booked=4, waiting=3)
    assert who_will_be_told([row]) == "The 4 people booked and 3 waiting will get an email."
    lone = make_date(days=12, capacity=5)
    book(lone)
    assert who_will_be_told([lone]) == "The 1 person booked will get an email."
    assert who_will_be_told([make_date(days=14)]) == "Nobody has signed up, so nobody needs to be told."


def test_cancel_check_page_says_who_will_be_told(client, db, login_as, post_form, officer, make_date, book):
    row = _full_with_waiting(make_date, book)
    login_as(officer)
    check = post_form(f"/staff/occurrences/{row.id}/cancel", {"reason": "Room flooded"})
    assert check.status_code == 200
    assert "The 2 people booked and 1 waiting will get an email." in _page(check)
    whole = post_form(f"/staff/events/{row.event_id}/cancel", {"reason": "Room flooded"})
    assert "The 2 people booked and 1 waiting will get an email." in _page(whole)


def test_moving_a_date_has_a_check_step_that_says_who_will_be_told(
    client, db, login_as, post_form, officer, make_event, book
):
    from engagement.core.db import utcnow
    from engagement.events.recurrence import RepeatPattern

    event = make_event(at(10), at(10, 19), now=utcnow(), pattern=RepeatPattern("weekly", count=2), capacity=2,
                       signup_mode="required", title="Cuppa with a Copper")  # fmt: skip
    row = event.occurrences[0]
    for _ in range(3):
        book(row)
    start = row.starts_at
    login_as(officer)
    form = _page(client.get(f"/staff/occurrences/{row.id}/move"))
    assert "For a repeating event, the first date" not in form and "New date" in form
    new_day = at(11).date().isoformat()
    answers = {"date": new_day, "start_time": "19:00", "end_time": "20:00", "venue": "0"}
    check = post_form(f"/staff/occurrences/{row.id}/move", answers)
    page = _page(check)
    assert check.status_code == 200 and "Check before you move this date" in page
    assert "The 2 people booked and 1 waiting will get an email." in page
    assert f'name="date" value="{new_day}"' in page and re.search(r'name="confirmed" type="hidden" value="yes"', page)
    db.session.expire_all()
    assert db.session.get(Occurrence, row.id).starts_at == start  # nothing moved, nobody emailed yet
    assert not [m for m in outbox(db) if m["Subject"].startswith("Changed")]
    back = post_form(f"/staff/occurrences/{row.id}/move", answers | {"confirmed": "yes", "change": "1"})
    assert back.status_code == 200 and f'value="{new_day}"' in _page(back)  # answers kept to change
    done = post_form(f"/staff/occurrences/{row.id}/move", answers | {"confirmed": "yes"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Occurrence, row.id).starts_at != start


def test_cancellation_email_links_the_teams_events_not_the_cancelled_date(db, make_date, book, officer):
    from engagement.events import services

    row = make_date(capacity=5)
    book(row, email="told@example.org")
    services.cancel_event(row.event, actor=officer, reason="Room flooded")
    db.session.commit()
    mail = outbox(db, "told@example.org")[-1]
    text = mail.get_body(("plain",)).get_content()
    line = next(line for line in text.splitlines() if "other events" in line)
    assert f"/events/{row.id}" not in line and "/events?team=" in line
