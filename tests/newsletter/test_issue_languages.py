"""A newsletter's fixed frame in each subscriber's language, rendered once per language (issue 15)."""

from __future__ import annotations

from engagement.core.worker import run_once
from engagement.newsletter import issues
from engagement.newsletter.issues import schedule
from tests.newsletter.conftest import body_text

NEVER_UR = "ہم ای میل کے ذریعے آپ سے کبھی بھی آپ کے بینک کی تفصیلات یا پاس ورڈ نہیں مانگیں گے۔"


def test_each_subscriber_gets_the_frame_in_their_language_and_the_officers_text_as_written(
    db, smtp, team, officer, subscribe, make_issue, monkeypatch
):
    for address, language in [("ada@example.org", None), ("bo@example.org", "en"), ("nadia@example.org", "ur"),
                              ("sana@example.org", "ur")]:  # fmt: skip
        subscribe(address, team=team).language = language
    db.session.commit()
    rendered = []
    real = issues.render_email
    monkeypatch.setattr(issues, "render_email", lambda *a, **k: rendered.append(1) or real(*a, **k))  # a counter
    schedule(make_issue(intro="Hello from the **team**."), actor=officer)
    db.session.commit()
    assert run_once()["newsletter-send"] == 4
    assert len(rendered) == 2  # English once (None and "en" alike) and Urdu once, not once per recipient
    by_address = {m["To"]: m for m in smtp.parsed()}
    urdu, english = by_address["nadia@example.org"], by_address["ada@example.org"]
    assert urdu["Content-Language"] == "ur" and english["Content-Language"] == "en-GB"
    assert NEVER_UR in body_text(urdu) and "Hello from the team." in body_text(urdu)  # the officer's words as written
    assert '<html lang="ur" dir="rtl">' in urdu.get_body(("html",)).get_content()
    assert "We will never ask for your bank details or passwords by email." in body_text(english)
    assert '<html lang="en-GB">' in english.get_body(("html",)).get_content()
    assert by_address["bo@example.org"]["Content-Language"] == "en-GB"
