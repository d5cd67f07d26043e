"""Data-subject requests end to end: one person in every feature, found, downloaded and erased by staff."""

from __future__ import annotations

import html
import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from engagement.core import personal_data
from engagement.core.audit import AuditEntry
from engagement.core.mail import OutboxMessage
from engagement.core.personal_data import Provider, Subject
from engagement.newsletter.models import Subscriber
from engagement.privacy import subjects
from engagement.privacy.models import ErasureRecord
from engagement.signups.models import Signup
from engagement.speedwatch.shifts.models import ShiftSignup
from engagement.speedwatch.volunteers.models import Volunteer
from engagement.surveys.models import Answer, Response
from tests.privacy.helpers import EMAIL, NAME, PHONE_FORMS, make_person


@pytest.fixture
def admin(make_user):
    return make_user(role="admin")


@pytest.fixture
def person(db, make_team):
    return make_person(make_team(name="Ladywood", coverage=["B16"]))


EXPECTED_KINDS = {
    "Sign-up",
    "Waiting-list entry",
    "Private calendar link",
    "Newsletter subscriber",
    "Newsletter subscription",
    "Survey response",
    "Speed Watch volunteer",
    "Speed Watch shift",
    "Proposed Speed Watch site",
    "Sign-in account",
    "Email to them",
    "Email to staff that mentions them",
    "Audit log entry",
}


def test_search_by_email_finds_every_record(app, person):
    findings = subjects.search(subjects.parse_query("  Priya.Testperson@EXAMPLE.org "))
    kinds = {r.kind for r in findings.records}
    assert kinds == EXPECTED_KINDS
    by_feature = {p.name: len(records) for p, records in findings.found}
    assert by_feature["signups"] == 4  # coming, attended, waiting, and the private calendar
    assert by_feature["newsletter"] == 2 and by_feature["surveys"] == 1 and by_feature["accounts"] == 1


@pytest.mark.parametrize("typed", ["07700 900123", "+44 7700 900123", "0044 (0)7700-900123", "447700900123"])
def test_search_by_phone_matches_every_spelling(app, person, typed):
    findings = subjects.search(subjects.parse_query(typed))
    kinds = sorted(r.kind for r in findings.records)
    assert kinds.count("Sign-up") == 2 and "Speed Watch volunteer" in kinds


def test_search_refuses_what_is_neither_an_email_nor_a_phone(app):
    with pytest.raises(subjects.DomainError) as refused:
        subjects.parse_query("Priya")
    assert refused.value.field == "q"


def test_staff_search_page_lists_records_grouped_and_never_puts_the_address_in_a_url(
    app, person, admin, login_as, client, post_form
):
    login_as(admin)
    page = post_form("/staff/privacy/requests", {"q": EMAIL})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for label in ("Event sign-ups and waiting lists", "Newsletter subscriptions", "Speed Watch", "audit log"):
        assert label in html
    assert "Download everything (ZIP)" in html and "Delete this person" in html
    assert client.get("/staff/privacy/requests").status_code == 200


def test_download_zip_json_matches_the_rows_and_is_audited(app, db, person, admin, login_as, post_form):
    login_as(admin)
    response = post_form("/staff/privacy/requests/download", {"q": EMAIL})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = set(archive.namelist())
    assert {"README.txt", "signups.json", "newsletter.json", "surveys.json", "speedwatch.json", "accounts.json",
            "mail-and-audit.json"} <= names  # fmt: skip
    readme = archive.read("README.txt").decode()
    assert "consent_wording" in readme and "ico.org.uk" in readme and "What the fields mean" in readme
    signups = json.loads(archive.read("signups.json"))
    rows = db.session.scalars(select(Signup).where(Signup.email == EMAIL).order_by(Signup.created_at, Signup.id)).all()
    exported = [r["details"] for r in signups if r["record"] != "Private calendar link"]
    assert [(e["id"], e["email"], e["name"], e["phone"], e["places"]) for e in exported] == [
        (s.id, s.email, s.name, s.phone, s.places) for s in rows
    ]
    assert "We use your name and your email address or mobile number" in exported[0]["consent_wording"]
    assert exported[0]["access_needs"] == "Step-free access"
    speedwatch = {r["record"]: r["details"] for r in json.loads(archive.read("speedwatch.json"))}
    volunteer = speedwatch["Speed Watch volunteer"]
    assert speedwatch["Proposed Speed Watch site"]["proposer_email"] == EMAIL
    assert volunteer["team_notes"] == "Prefers Saturday mornings" and volunteer["phone"] == "07700 900123"
    survey = json.loads(archive.read("surveys.json"))[0]["details"]
    assert survey["answers"] == [{"question": "What worries you?", "answer": "Speeding on Monument Road"}]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.export")).one()
    assert entry.actor_id == admin.id and entry.details["records"] >= 12 and EMAIL not in json.dumps(entry.details)


def _table_counts(db) -> dict:
    return {
        "signups": db.session.scalar(select(func.count()).select_from(Signup)),
        "attended": db.session.scalar(select(func.count()).select_from(Signup).where(Signup.attended.is_(True))),
        "responses": db.session.scalar(select(func.count()).select_from(Response)),
        "answers": db.session.scalar(select(func.count()).select_from(Answer)),
        "shift_signups": db.session.scalar(select(func.count()).select_from(ShiftSignup)),
    }


def _mentions(db) -> list[str]:
    """Every cell of every table (by value, not by column name) that still holds the person's data."""
    needles = [EMAIL.lower(), NAME.lower(), *(p.lower() for p in PHONE_FORMS)]
    found = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                for column, value in row._mapping.items():
                    if value is None:
                        continue
                    if isinstance(value, bytes):
                        from tests.conftest import email_text

                        text = value.decode("utf-8", "replace") + (email_text(value) if value else "")
                    else:
                        text = json.dumps(value, default=str) if isinstance(value, dict | list) else str(value)
                    if any(n in text.lower() for n in needles):
                        found.append(f"{table.name}.{column}")
    return found


def test_erasure_removes_every_value_keeps_the_counts_and_a_second_says_already_erased(
    app, db, person, admin, login_as, post_form
):
    login_as(admin)
    assert len(_mentions(db)) > 10  # the scan does see the person before
    before = _table_counts(db)
    check = post_form("/staff/privacy/requests/erase", {"q": EMAIL})
    assert check.status_code == 200 and "Check before you delete" in check.get_data(as_text=True)
    done = post_form("/staff/privacy/requests/erase/confirm", {"q": EMAIL, "confirm": "delete"})
    assert done.status_code == 302, done.get_data(as_text=True)
    db.session.expire_all()
    assert _mentions(db) == []
    assert _table_counts(db) == before
    assert db.session.scalar(select(Subscriber).where(Subscriber.email == EMAIL)) is None
    coming = db.session.get(Signup, person.ids["coming_signup"])
    assert coming.status == "cancelled" and coming.email is None and coming.places == 1
    assert db.session.get(Volunteer, person.ids["volunteer"]).status == "suspended"
    assert not db.session.scalar(select(OutboxMessage).where(OutboxMessage.status == "pending",
                                                             OutboxMessage.to_addr == EMAIL))  # fmt: skip
    record = db.session.scalars(select(ErasureRecord)).one()
    assert record.actor_label == admin.email and record.counts["signups"] == 3
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.erase")).one()
    assert entry.details["subject_hash"] == record.subject_hash and EMAIL not in json.dumps(entry.details)

    again = post_form("/staff/privacy/requests/erase/confirm", {"q": EMAIL, "confirm": "delete"})
    assert again.status_code == 409 and "Already erased on" in again.get_data(as_text=True)
    search = post_form("/staff/privacy/requests", {"q": EMAIL}).get_data(as_text=True)
    assert "Already erased on" in search


def test_erasure_needs_the_typed_confirmation(app, db, person, admin, login_as, post_form):
    login_as(admin)
    refused = post_form("/staff/privacy/requests/erase/confirm", {"q": EMAIL, "confirm": "yes"})
    assert refused.status_code == 400 and 'Type "delete" to confirm' in html.unescape(refused.get_data(as_text=True))
    assert db.session.get(Signup, person.ids["coming_signup"]).email == EMAIL


def test_a_failure_midway_rolls_everything_back_and_says_why(app, db, person, admin, login_as, post_form):
    def explode(subject, records, **kwargs):
        raise RuntimeError("disk on fire")

    personal_data.register_provider(
        Provider(
            name="explodes",
            label="Test part",
            about="",
            fields={},
            covers={},
            find=lambda s, n: [],
            erase=explode,
            order=35,
        )  # fmt: skip
    )  # after sign-ups, surveys and newsletters have erased, before Speed Watch
    try:
        login_as(admin)
        failed = post_form("/staff/privacy/requests/erase/confirm", {"q": EMAIL, "confirm": "delete"})
    finally:
        personal_data.unregister_provider("explodes")
    assert failed.status_code == 500
    assert "Nothing was erased: the test part part failed (RuntimeError)" in failed.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Signup, person.ids["coming_signup"]).email == EMAIL
    assert db.session.get(Signup, person.ids["coming_signup"]).status == "confirmed"
    assert db.session.scalar(select(Subscriber).where(Subscriber.email == EMAIL)) is not None
    assert db.session.get(Response, person.ids["response"]).email == EMAIL
    assert db.session.scalar(select(func.count()).select_from(ErasureRecord)) == 0
    assert len(_mentions(db)) > 10


def test_phone_erasure_reaches_only_records_holding_that_number(app, db, person):
    record = subjects.erase(Subject.phone("+44 7700 900123"))
    db.session.commit()
    assert record.kind == "phone"
    assert db.session.get(Signup, person.ids["waiting_signup"]).email == EMAIL  # gave no phone
    assert db.session.get(Signup, person.ids["coming_signup"]).email is None
    assert db.session.scalar(select(Subscriber).where(Subscriber.email == EMAIL)) is not None


def test_other_staff_cannot_reach_the_pages(app, make_user, login_as, client, post_form):
    login_as(make_user(role="coordinator"))
    assert client.get("/staff/privacy/requests").status_code == 403
    assert post_form("/staff/privacy/requests/download", {"q": EMAIL}).status_code == 403


def test_a_data_protection_officer_lands_on_the_requests_page(app, make_user, client, post_form):
    from tests.conftest import login

    officer = make_user(role="privacy")
    assert login(client, officer).headers["Location"].endswith("/staff/privacy/requests")
    page = client.get("/staff/privacy/requests").get_data(as_text=True)
    assert "Data protection" in page  # the header links here instead of the staff area they cannot use
    assert client.get("/staff/").status_code == 403
