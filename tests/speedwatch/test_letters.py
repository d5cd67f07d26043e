"""The back office: the keeper lookup export and import, letters produced as one PDF (read back with
pdftotext, every placeholder filled) and a mail-merge CSV, marked sent, keepers erased after the period."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from engagement.core.audit import AuditEntry
from engagement.core.errors import DomainError
from engagement.speedwatch.letters.models import PRODUCED, READY, SENT, Letter, LetterBatch
from engagement.speedwatch.letters.tasks import erase_keepers
from engagement.speedwatch.letters.templates import check_body
from tests.conftest import csrf_token
from tests.speedwatch.test_ladder import car, session_return

HEADINGS = ["Letter ID", "Registration", "Keeper name", "Address line 1", "Address line 2", "Town", "Postcode"]


def keeper_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADINGS)
    writer.writerows(rows)
    return out.getvalue().encode()


def upload(client, data: bytes):
    return client.post(
        "/staff/speed-watch/letters/keepers",
        data={"csrf_token": csrf_token(client), "file": (io.BytesIO(data), "keepers.csv")},
        content_type="multipart/form-data",
    )


def pdf_text(data: bytes) -> str:
    """The PDF's words as poppler's pdftotext reads them (pypdf if poppler-utils is missing), with line
    breaks and runs of spaces made single spaces, so a phrase wrapped across lines still matches."""
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    else:
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


@pytest.fixture
def due(db, types, team, site, officer):
    """Two vehicles seen in one session: two first letters waiting for the keeper lookup."""
    session_return(team, site, officer, date(2027, 1, 12), car(), car("BD51 SMR", speed=46, at="10:40"))
    return db.session.scalars(select(Letter).order_by(Letter.id)).all()


def test_lookup_export_import_produce_pdf_merge_and_sent(db, client, login_as, officer, due):
    login_as(officer)
    page = client.get("/staff/speed-watch/letters").get_data(as_text=True)
    assert "Due a letter: keeper lookup (2)" in page and "AB12 CDE" in page
    export = client.get("/staff/speed-watch/letters/keeper-lookup.csv")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Letter ID", "Registration", "Make"]
    assert [r[1] for r in rows[1:]] == ["AB12CDE", "BD51SMR"] and rows[1][8:10] == ["41", "30"]
    assert (
        db.session.scalar(select(AuditEntry.details).where(AuditEntry.action == "export.speedwatch_keeper_lookup"))[
            "rows"
        ]
        == 2
    )

    a, b = due
    wrong = keeper_csv(
        [
            [a.id, "AB12CDE", "Alex Keeper", "1 High Street", "", "Birmingham", "NOT A CODE"],
            [b.id, "ZZ99ZZZ", "", "", "", "", "B1 1AA"],
        ]
    )
    response = upload(client, wrong)
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nothing was imported" in text
    assert "Row 2: enter a real UK postcode" in text and "Row 3: the registration does not match" in text
    assert "Row 3: enter the keeper&#39;s name" in text or "Row 3: enter the keeper's name" in text
    db.session.expire_all()
    assert {x.status for x in db.session.scalars(select(Letter))} == {"due"}

    good = keeper_csv(
        [
            [a.id, "ab12 cde", "Alex Keeper", "1 High Street", "Ladywood", "Birmingham", "b168qt"],
            [b.id, "BD51SMR", "Sam Driver", "22 Monument Road", "", "Birmingham", "B16 8UU"],
        ]
    )
    assert upload(client, good).status_code == 302
    db.session.expire_all()
    assert {x.status for x in db.session.scalars(select(Letter))} == {READY}
    assert db.session.get(Letter, a.id).keeper_address == "1 High Street\nLadywood\nBirmingham\nB16 8QT"
    import_entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "speedwatch.keepers_import"))
    assert "Alex" not in import_entry.summary + str(import_entry.details)

    response = client.post("/staff/speed-watch/letters/produce", data={"csrf_token": csrf_token(client)})
    batch = db.session.scalar(select(LetterBatch))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/letters/batches/{batch.id}")
    pdf = client.get(f"/staff/speed-watch/letters/batches/{batch.id}/letters.pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(pdf.data)).pages) == 2  # one page per letter
    text = pdf_text(pdf.data)
    for expected in (
        "Dear Alex Keeper", "1 High Street", "B16 8QT", "AB12 CDE", "41 mph", "30 mph", "Monument Road",
        "Tuesday 12 January 2027", "10:15am", "first advisory letter", "Sutton Coldfield", "West Midlands Police",
        "Dear Sam Driver", "46 mph",
    ):  # fmt: skip
        assert expected in text, expected
    assert "{" not in text and "}" not in text  # every placeholder filled

    merge = client.get(f"/staff/speed-watch/letters/batches/{batch.id}/letters.csv").get_data(as_text=True)
    merged = list(csv.DictReader(io.StringIO(merge.lstrip("\ufeff"))))
    assert [m["Keeper name"] for m in merged] == ["Alex Keeper", "Sam Driver"] and merged[0][
        "Address line 4"
    ] == "B16 8QT"
    assert (
        client.post(
            f"/staff/speed-watch/letters/batches/{batch.id}/sent", data={"csrf_token": csrf_token(client)}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert {x.status for x in db.session.scalars(select(Letter))} == {SENT}
    history = client.get(f"/staff/speed-watch/vehicles/{a.ladder_id}").get_data(as_text=True)
    assert "sent on" in history


def test_keepers_are_erased_after_the_period(app, db, client, login_as, officer, due):
    produced = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
    for letter in due:
        letter.keeper_name, letter.keeper_address, letter.status = "Alex Keeper", "1 High Street\nB1 1AA", PRODUCED
        letter.keeper_added_at = letter.produced_at = produced
    batch = LetterBatch(produced_at=produced)
    db.session.add(batch)
    db.session.flush()
    for letter in due:
        letter.batch_id = batch.id
    db.session.commit()
    assert app.config["SPEEDWATCH_KEEPER_DAYS"] == 14
    assert erase_keepers(now=produced + timedelta(days=13, hours=23)) == 0
    assert erase_keepers(now=produced + timedelta(days=14, minutes=1)) == 2
    db.session.expire_all()
    assert {(x.keeper_name, x.keeper_address) for x in db.session.scalars(select(Letter))} == {("", "")}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "speedwatch.keepers_erase"))
    assert entry.details["produced"] == 2 and "Alex" not in entry.summary
    assert erase_keepers(now=produced + timedelta(days=30)) == 0
    login_as(officer)
    assert client.get(f"/staff/speed-watch/letters/batches/{batch.id}/letters.pdf").status_code == 409
    from engagement.core.worker import TASKS

    assert TASKS["speedwatch-keeper-erase"] is erase_keepers


def test_unproduced_keepers_are_erased_too_and_wait_for_a_new_lookup(db, due):
    added = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
    due[0].keeper_name, due[0].keeper_address, due[0].status, due[0].keeper_added_at = "A", "B1 1AA", READY, added
    db.session.commit()
    assert erase_keepers(now=added + timedelta(days=15)) == 1
    db.session.expire_all()
    assert db.session.get(Letter, due[0].id).status == "due"


def test_the_force_edits_the_wording_with_known_placeholders_only(
    app, db, client, login_as, coordinator, officer, post_form
):
    from tests.conftest import login

    with pytest.raises(DomainError, match=r"\{spede\} is not a placeholder"):
        check_body("Dear {keeper_name}, you went {spede}")
    other = app.test_client()
    login(other, officer)
    assert other.get("/staff/speed-watch/letters/templates/first_letter").status_code == 403
    login_as(coordinator)
    page = client.get("/staff/speed-watch/letters/templates/first_letter").get_data(as_text=True)
    assert "{keeper_name}" in page and "Alex Sample" in page  # the preview
    response = post_form("/staff/speed-watch/letters/templates/first_letter", {"body": "Dear {keeper_name}\n\n{spede}"})
    assert response.status_code == 400 and "is not a placeholder" in response.get_data(as_text=True)
    response = post_form(
        "/staff/speed-watch/letters/templates/first_letter", {"body": "Dear {keeper_name}\n\nSeen at {speed} mph."}
    )
    assert response.status_code == 302
    assert "Seen at {speed} mph." in client.get("/staff/speed-watch/letters/templates").get_data(as_text=True)
