"""Text alerts in the language a number asked in: its code and the STOP confirmation (issues 15 and 16)."""

from __future__ import annotations

import re

from engagement.core.i18n import _, force_language
from engagement.core.personal_data import Subject
from engagement.newsletter import text_privacy
from engagement.newsletter import text_subscribe as subs
from engagement.newsletter.text_models import TextNumber
from tests.conftest import csrf_token
from tests.newsletter.test_text_alerts import E164, offer, texts


def test_a_number_that_asked_in_urdu_gets_its_code_and_stop_confirmation_in_urdu(app, client, db, team):
    client.set_cookie("lang", "ur")
    client.get(f"/subscribe/text?team={team.slug}")
    answer = client.post("/subscribe/text", data={"csrf_token": csrf_token(client), "team": team.slug,
                                                  "mobile": "07700 900123"})  # fmt: skip
    assert answer.status_code == 302
    number = db.session.scalar(db.select(TextNumber))
    assert number.language == "ur"
    [code_text] = texts(db)
    code = re.search(r"\d{6}", code_text)[0]
    force = app.config["FORCE_NAME"]
    with force_language("ur"):
        expected = _("%(code)s is your code for %(force)s text alerts.", code=code, force=force)
        stopped = _("You will get no more text alerts from %(force)s.", force=force)
    assert code_text.startswith(expected) and "is your code" not in code_text.replace(expected, "")
    with force_language("ur"):
        assert number.subscriptions[0].consent_text == subs.consent_text([team])  # the words shown, as stored
    assert subs.check_code(number, code).error is None
    db.session.commit()

    offer(E164, "STOP", "n-1")  # the worker reads the reply: no page, so the stored language decides
    db.session.commit()
    assert texts(db)[-1].startswith(stopped) and "no more text alerts" not in texts(db)[-1].replace(stopped, "")
    [record] = [r for r in text_privacy.find(Subject.phone("07700 900123"), frozenset()) if r.kind.endswith("number")]
    assert record.data["language"] == "ur"


def test_an_english_number_keeps_the_english_texts(db, team):
    number = subs.request_alerts("07700 900123", [team])  # outside a page: no language stored, English
    assert number.language is None
    [code_text] = texts(db)
    assert re.fullmatch(
        r"\d{6} is your code for .+ text alerts\. It works for 15 minutes\. If you did not ask for alerts, ignore "
        r"this text\.",
        code_text,
    )
