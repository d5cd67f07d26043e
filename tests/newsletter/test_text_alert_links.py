"""From an event's staff page to a prefilled text alert (issue 16): about the event, and about its cancellation."""

from __future__ import annotations

import html
import re

from tests.conftest import csrf_token

from .test_archive import events  # noqa: F401 - the fixture: published events of the Ladywood team


def _alert_link(page: str, kind: str) -> str:
    found = re.search(rf'href="(/staff/text-alerts/new\?occurrence=\d+&amp;kind={kind})"', page)
    assert found, f"no link to a {kind} alert on the page"
    return html.unescape(found[1])


def _checked(page: str) -> str:
    return re.search(r'<input checked[^>]*name="kind"[^>]*value="(\w+)"', page)[1]


def test_event_page_links_to_a_prefilled_alert_and_again_after_cancelling(client, db, events, officer, login_as):  # noqa: F811
    event = events("Cuppa with a Copper")
    draft = events("Draft surgery", publish=False)
    occurrence = event.occurrences[0]
    login_as(officer)
    page = client.get(f"/staff/events/{event.id}").get_data(as_text=True)
    assert "Text the team's alert subscribers about this event" in page
    compose = client.get(_alert_link(page, "event")).get_data(as_text=True)
    assert "New: " in compose and f"/events/{occurrence.id}" in compose and _checked(compose) == "event"
    assert "/staff/text-alerts/new?" not in client.get(f"/staff/events/{draft.id}").get_data(as_text=True)

    token = csrf_token(client)
    check = client.post(f"/staff/events/{event.id}/cancel", data={"csrf_token": token, "reason": "Library closed"})
    assert "the event's page has a link to text them about the cancellation" in check.get_data(as_text=True)
    done = client.post(f"/staff/events/{event.id}/cancel",
                       data={"csrf_token": token, "reason": "Library closed", "confirmed": "yes"})  # fmt: skip
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert 'id="text-cancellation"' in page and "about this event" not in page
    compose = client.get(_alert_link(page, "cancellation")).get_data(as_text=True)
    assert "is CANCELLED. Details:" in compose and _checked(compose) == "cancellation"
