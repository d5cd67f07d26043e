"""Text messages without Notify: numbers, fragments, masking, queueing, blocked numbers, spend, files."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from engagement.core import sms
from engagement.core.db import utcnow
from engagement.core.mail import SENT, queue_email
from engagement.core.sms import InvalidMobile, MobileBlocked, fragments, mask, normalise_uk_mobile, queue_sms
from engagement.core.worker import run_once


@pytest.mark.parametrize(
    "raw",
    ["07911 123456", "07911123456", "+44 7911 123456", "0044 7911-123456", "+44 (0)7911 123456", " 07911 123 456 "],
)
def test_uk_mobiles_are_normalised_to_e164(app, raw):
    assert normalise_uk_mobile(raw) == "+447911123456"


def test_landlines_and_others_get_a_clear_message(app):
    with pytest.raises(InvalidMobile, match="landline"):
        normalise_uk_mobile("0121 496 0000")
    for raw in ("", "07911", "not a number", "+33 6 12 34 56 78", "0800 123 4567", "9" * 60):
        with pytest.raises(InvalidMobile, match="Enter a UK mobile number"):
            normalise_uk_mobile(raw)


def test_the_drama_range_is_accepted_only_outside_production(app):
    assert normalise_uk_mobile("07700 900123") == "+447700900123"
    app.config["PRODUCTION"] = True
    with pytest.raises(InvalidMobile):
        normalise_uk_mobile("07700 900123")


def test_mask_hides_all_but_the_last_three_digits():
    assert mask("+447700900123") == "•••••••• 123"
    assert mask("07700900456") == "•••••••• 456"


def test_gsm7_fragments_count_extension_characters_twice():
    assert fragments("a" * 160) == sms.Fragments(1, "GSM-7", 160)
    assert fragments("a" * 161) == sms.Fragments(2, "GSM-7", 161)
    assert fragments("a" * 306).count == 2 and fragments("a" * 307).count == 3
    assert fragments("€" * 80) == sms.Fragments(1, "GSM-7", 160)  # each € is ESC + e
    assert fragments("[x]" + "a" * 155).count == 1 and fragments("[x]" + "a" * 156).count == 2  # [ and ] are 2 each
    # An escape pair is never split: 152 plain + "{" needs a second part at 153 per part.
    assert fragments("a" * 152 + "{" + "a" * 10).count == 2
    # Notify downgrades curly quotes and dashes rather than sending Unicode.
    assert fragments("It’s on – “Cuppa with a Copper”").encoding == "GSM-7"


def test_unicode_fragments_for_urdu():
    urdu = "آپ کی جگہ بک ہو گئی ہے۔ ہفتہ 5 دسمبر صبح 10:30 بجے کینال سائیڈ کیفے"
    result = fragments(urdu)
    assert result.encoding == "UCS-2" and result.chars == len(urdu) and result.count == 1
    assert fragments("ا" * 70).count == 1 and fragments("ا" * 71).count == 2
    assert fragments("ا" * 134).count == 2 and fragments("ا" * 135).count == 3
    assert fragments("a" * 159 + "ا").encoding == "UCS-2" and fragments("a" * 159 + "ا").count == 3


def test_queue_sms_writes_an_sms_row_and_the_worker_writes_a_file_without_a_key(app, db, make_team):
    team = make_team()
    row = queue_sms("07700 900123", "Cuppa with a Copper, Sat 10:30am is CANCELLED.", team_id=team.id, purpose="cancel")
    db.session.commit()
    assert (row.channel, row.to_addr, row.fragments, row.team_id, row.purpose) == (
        "sms", "+447700900123", 1, team.id, "cancel")  # fmt: skip
    assert run_once()["mail"] == 1
    db.session.refresh(row)
    path = Path(row.file_path)
    assert row.status == SENT and path.parent == Path(app.config["SMS_DIR"])
    assert "Cuppa with a Copper" in path.read_text() and "+447700900123" in path.read_text()


def test_blocked_numbers_refuse_new_texts(app, db):
    sms.block("+447700900123", "permanent-failure")
    db.session.commit()
    assert sms.is_blocked("+447700900123")
    with pytest.raises(MobileBlocked):
        queue_sms("07700 900123", "Hello")
    queue_sms("07700 900124", "Hello")  # another number still works


def test_too_long_text_is_refused(app, db):
    with pytest.raises(sms.TextTooLong):
        queue_sms("07700 900123", "a" * 919)


def test_spend_counts_fragments_sent_per_team_per_month(app, db, make_team):
    first, second = make_team(), make_team()
    queue_sms("07700 900001", "a" * 200, team_id=first.id)  # 2 fragments
    queue_sms("07700 900002", "short", team_id=first.id)  # 1
    queue_sms("07700 900003", "short", team_id=second.id)  # 1
    waiting = queue_sms("07700 900004", "not sent yet", team_id=first.id)
    waiting.next_attempt_at = utcnow() + timedelta(hours=1)
    last_month = queue_sms("07700 900005", "old", team_id=first.id)
    queue_email("resident@example.org", "Not a text", "Body")
    db.session.commit()
    assert run_once()["mail"] == 5
    last_month.sent_at = utcnow() - timedelta(days=40)
    db.session.commit()
    now = utcnow()
    assert sms.sms_spend(first.id, now) == 3 and sms.sms_spend(second.id, now) == 1
    assert sms.sms_spend(first.id, now.strftime("%Y-%m")) == 3
    assert sms.sms_spend(first.id, last_month.sent_at) == 1
    assert sms.spend_table(now) == [(first.name, 3), (second.name, 1)]


def test_outbox_page_lists_texts_and_blocked_numbers(app, db, client, make_user, login_as):
    queue_sms("07700 900123", "Your place is booked", purpose="confirmation")
    queue_email("resident@example.org", "An email", "Body")
    sms.block("+447700900999", "400 ValidationError: phone_number Not a UK mobile number")
    db.session.commit()
    run_once()
    login_as(make_user(role="admin"))
    page = client.get("/staff/mail").get_data(as_text=True)
    assert "Text (1 fragment)" in page and "+447700900123" in page and "An email" in page
    assert "1 blocked number" in page
    texts = client.get("/staff/mail?channel=sms").get_data(as_text=True)
    assert "+447700900123" in texts and "An email" not in texts
    blocked = client.get("/staff/mail/texts/blocked").get_data(as_text=True)
    assert "+447700900999" in blocked and "Not a UK mobile number" in blocked


def test_phone_number_requests_find_and_erase_texts_and_blocked_numbers(app, db):
    from engagement.core import sms_privacy
    from engagement.core.personal_data import Subject

    sent = queue_sms("07700 900123", "Your place is booked")
    db.session.commit()
    run_once()
    waiting = queue_sms("07700 900123", "Reminder")
    other = queue_sms("07700 900124", "Someone else")
    sms.block("+447700900123", "permanent-failure")
    db.session.commit()
    subject = Subject.phone("+44 7700 900123")
    records = sms_privacy.find(subject, frozenset())
    assert sorted(r.kind for r in records) == ["Blocked number", "Text message to them", "Text message to them"]
    path = Path(db.session.get(type(sent), sent.id).file_path)
    counts = sms_privacy.erase(subject, records, now=utcnow())
    db.session.commit()
    assert counts == {"text messages cancelled": 1, "text messages blanked": 1, "sms_blocked_numbers": 1}
    db.session.expire_all()
    assert db.session.get(type(waiting), waiting.id) is None and not path.exists()
    kept = db.session.get(type(sent), sent.id)
    assert kept.raw == b"" and "7700" not in kept.to_addr and kept.status == SENT and kept.fragments == 1
    assert db.session.get(type(other), other.id).to_addr == "+447700900124" and not sms.is_blocked("+447700900123")


def test_mail_transport_settings_are_checked(monkeypatch, tmp_path):
    from engagement.config import ConfigError, load_config
    from engagement.core.production import NEWSLETTERS_NEED_SMTP, check_settings

    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.delenv("MAIL_SERVER", raising=False)
    assert load_config(str(tmp_path))["MAIL_TRANSPORT"] == ""  # derived at send time from MAIL_SERVER
    for value, message in (("pigeon", "smtp, notify or files"), ("smtp", "needs MAIL_SERVER"),
                           ("notify", "needs NOTIFY_API_KEY and NOTIFY_EMAIL_TEMPLATE_ID")):  # fmt: skip
        monkeypatch.setenv("MAIL_TRANSPORT", value)
        with pytest.raises(ConfigError, match=message):
            load_config(str(tmp_path))
    base = {"PRODUCTION": True, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}
    with pytest.raises(ConfigError) as refused:
        check_settings({**base, "MAIL_TRANSPORT": "notify", "MAIL_SERVER": ""})
    assert str(refused.value) == NEWSLETTERS_NEED_SMTP and "List-Unsubscribe" in NEWSLETTERS_NEED_SMTP
    assert check_settings({**base, "MAIL_TRANSPORT": "notify", "MAIL_SERVER": "smtp.example.org"}) == []


def test_mail_transport_picks_the_route(app, db):
    from engagement.core.mail import mail_transport

    assert mail_transport() == "files"
    app.config["MAIL_SERVER"] = "smtp.example.org"
    assert mail_transport() == "smtp"
    app.config["MAIL_TRANSPORT"] = "files"
    assert mail_transport() == "files"
