"""Staff screens: compose, choose items, preview, test, check and send or schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engagement.core.worker import run_once
from engagement.newsletter.models import SCHEDULED, Issue
from tests.conftest import csrf_token
from tests.support.outbox import outbox


def test_compose_preview_test_and_send(client, db, smtp, team, officer, login_as, subscribe, make_post):
    subscribe("resident@example.org", team=team)
    post = make_post("Bike marking on Saturday")
    login_as(officer)
    form = client.get("/staff/newsletters/new?team=ladywood").get_data(as_text=True)
    assert f'<option selected value="team:{team.id}">' in form and "area:" not in form
    created = client.post("/staff/newsletters/new", data={"csrf_token": csrf_token(client), "scope": f"team:{team.id}",
                                                          "subject": "November update", "intro": "Hello **all**",
                                                          "weeks": "2"})  # fmt: skip
    issue = db.session.scalar(db.select(Issue))
    assert created.status_code == 302 and created.headers["Location"] == f"/staff/newsletters/{issue.id}"
    page = client.get(f"/staff/newsletters/{issue.id}").get_data(as_text=True)
    assert f'id="post-{post.id}" name="posts" value="{post.id}">' in page
    saved = client.post(f"/staff/newsletters/{issue.id}", data={"csrf_token": csrf_token(client),
                        "subject": "November update", "intro": "Hello **all**", "weeks": "2",
                        "posts": [str(post.id)], "action": "preview"})  # fmt: skip
    assert saved.headers["Location"] == f"/staff/newsletters/{issue.id}/preview"
    preview = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Hello <strong>all</strong>" in preview and "Bike marking on Saturday" in preview

    client.post(f"/staff/newsletters/{issue.id}/test", data={"csrf_token": csrf_token(client)})
    assert [m["Subject"] for m in outbox(db)] == ["[Test] November update"]

    check = client.get(f"/staff/newsletters/{issue.id}/send").get_data(as_text=True)
    assert "Check before you send" in check and "<dt>Subscribers now</dt><dd>1</dd>" in check
    sent = client.post(f"/staff/newsletters/{issue.id}/send", data={"csrf_token": csrf_token(client), "when": "now"})
    assert sent.status_code == 302
    db.session.refresh(issue)
    assert issue.status == SCHEDULED
    run_once()
    assert sorted(r[0] for _, r, _ in smtp.messages) == ["aisha@example.org", "resident@example.org"]
    status = client.get(f"/staff/newsletters/{issue.id}").get_data(as_text=True)
    assert "<dt>Delivered</dt><dd>1</dd>" in status and issue.reference in status


def test_schedule_for_later_in_uk_time(client, db, team, officer, login_as, make_issue):
    issue = make_issue()
    login_as(officer)
    day = (datetime.now(UTC) + timedelta(days=30)).date()
    response = client.post(
        f"/staff/newsletters/{issue.id}/send",
        data={"csrf_token": csrf_token(client), "when": "later", "send_date": day.isoformat(), "send_time": "08:00"},
    )
    assert response.status_code == 302
    db.session.refresh(issue)
    from engagement.core.timeutil import to_local

    assert issue.status == SCHEDULED and (to_local(issue.send_at).date(), to_local(issue.send_at).hour) == (day, 8)
    assert "To be sent" in client.get(f"/staff/newsletters/{issue.id}").get_data(as_text=True)
    client.post(f"/staff/newsletters/{issue.id}/cancel", data={"csrf_token": csrf_token(client)})
    db.session.refresh(issue)
    assert issue.status == "draft"


def test_send_form_errors(client, db, team, officer, login_as, make_issue):
    issue = make_issue()
    login_as(officer)
    missing = client.post(
        f"/staff/newsletters/{issue.id}/send", data={"csrf_token": csrf_token(client), "when": "later"}
    )
    assert missing.status_code == 400 and "Enter the date and time to send it" in missing.get_data(as_text=True)
    past = client.post(
        f"/staff/newsletters/{issue.id}/send",
        data={"csrf_token": csrf_token(client), "when": "later", "send_date": "2020-01-01", "send_time": "09:00"},
    )
    assert past.status_code == 400 and "Choose a time in the future" in past.get_data(as_text=True)
    db.session.refresh(issue)
    assert issue.status == "draft"


def test_compose_errors_keep_input(client, db, team, officer, login_as):
    login_as(officer)
    response = client.post("/staff/newsletters/new", data={"csrf_token": csrf_token(client), "scope": f"team:{team.id}",
                                                           "subject": "", "intro": "<script>x</script>", "weeks": "12"})  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Enter a subject line" in page and "Enter a number from 0 to 8" in page
    assert db.session.scalar(db.select(db.func.count(Issue.id))) == 0


def test_coordinator_can_choose_an_area_and_outsider_cannot_open(client, app, db, team, coordinator, outsider,
                                                                  login_as, make_issue):  # fmt: skip
    issue = make_issue()
    login_as(coordinator)
    assert 'value="area:Birmingham"' in client.get("/staff/newsletters/new").get_data(as_text=True)
    from tests.conftest import login

    other = app.test_client()
    login(other, outsider)
    assert other.get(f"/staff/newsletters/{issue.id}").status_code == 403
    assert "Ladywood news" not in other.get("/staff/newsletters").get_data(as_text=True)


def test_dashboard_shows_drafts(client, team, officer, login_as, make_issue):
    make_issue("Draft for the dashboard")
    login_as(officer)
    page = client.get("/staff/").get_data(as_text=True)
    assert "News and newsletters" in page and "Draft for the dashboard" in page and "draft, not sent" in page
