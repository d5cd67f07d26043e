"""Exports (CSV with BOM, Excel), neutralising, the audit entry, who may export, and query counts."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import insert, select

from engagement.core.audit import AuditEntry
from engagement.signups.models import CONFIRMED, WAITING, Signup
from engagement.signups.services import lock_slot
from tests.conftest import csrf_token
from tests.support.queries import count_queries


def rows_of(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def add_signups(db, row, n: int, offset: int = 0) -> None:
    """n sign-ups in one bulk insert (every fifth waiting), as if booked one by one."""
    values = [
        {
            "occurrence_id": row.id,
            "status": WAITING if i % 5 == 4 else CONFIRMED,
            "queue_no": i if i % 5 == 4 else None,
            "places": 1,
            "name": f"Bulk Resident {i}",
            "email": f"bulk{i}@example.org",
            "source": "web",
            "secret": f"s{i}",
            "attended": i % 3 == 0,
        }
        for i in range(offset, offset + n)
    ]
    lock_slot(row)
    db.session.execute(insert(Signup), values)
    db.session.commit()


def test_csv_export_columns_bom_neutralising_and_audit(client, db, make_date, book, officer, login_as):
    row = make_date(capacity=3)
    book(row, name='=HYPERLINK("http://evil.example")', email="evil@example.org", phone="+44 7700 900123", places=2)
    book(row, name="Siân O'Connor", email="sian@example.org", access_needs="@wheelchair")
    book(row, name="Wanda Waiting", email="wanda@example.org")
    login_as(officer)
    response = client.get(
        f"/staff/occurrences/{row.id}/signups/export?format=csv&columns=name&columns=phone&columns=status&columns=position&columns=access_needs"
    )
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="sign-ups-Police-surgery-')
    assert response.headers["Cache-Control"] == "no-store"
    assert rows_of(response) == [
        ["Name", "Phone", "Status", "Waiting list position", "Access needs (sensitive)"],
        ['\'=HYPERLINK("http://evil.example")', "'+44 7700 900123", "Booked", "", ""],
        ["Siân O'Connor", "", "Booked", "", "'@wheelchair"],
        ["Wanda Waiting", "", "Waiting list", "1", ""],
    ]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export.signups")).one()
    assert entry.actor_id == officer.id and entry.target_type == "occurrence" and entry.target_id == str(row.id)
    assert entry.details["rows"] == 3 and entry.details["format"] == "csv"
    assert entry.details["filters"] == {"occurrence": row.id, "teams": "all", "cancelled": False}
    assert entry.details["columns"] == ["name", "phone", "status", "position", "access_needs"]


def test_xlsx_export_is_neutralised_too(client, db, make_date, book, officer, login_as):
    row = make_date()
    book(row, name="-2+3 Smith", email="minus@example.org")
    login_as(officer)
    response = client.get(f"/staff/occurrences/{row.id}/signups/export?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["Sign-ups"]
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0][:6] == ["Date and time", "Event", "Venue", "Name", "Email", "Phone"]
    assert values[1][3:5] == ["'-2+3 Smith", "minus@example.org"]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export.signups")).one()
    assert entry.details["format"] == "xlsx" and entry.details["rows"] == 1


def test_who_may_export(client, app, db, make_date, book, officer, outsider, login_as, make_user):
    row = make_date()
    book(row)
    login_as(outsider)
    assert client.get(f"/staff/occurrences/{row.id}/signups/export").status_code == 403
    assert client.get(f"/staff/occurrences/{row.id}/sign-in-sheet").status_code == 403
    assert client.get(f"/staff/signups/export?format=csv&team={row.event.team.slug}").status_code == 403
    # An officer's export across dates covers only their own teams.
    response = client.get("/staff/signups/export?format=csv&status=live&columns=name")
    assert rows_of(response) == [["Name"]]
    coordinator = make_user(role="coordinator")
    other = app.test_client()
    other.post(
        "/login",
        data={"csrf_token": csrf_token(other), "email": coordinator.email, "password": "correct-horse-battery"},
    )
    response = other.get(f"/staff/signups/export?format=csv&columns=name&columns=team&team={row.event.team.slug}")
    assert rows_of(response) == [["Team", "Name"], ["Ladywood", "Resident 1"]]
    assert (
        db.session.scalar(
            select(AuditEntry.id).where(AuditEntry.actor_id == outsider.id, AuditEntry.action == "export.signups")
        )
        is not None
    )  # the empty export is logged too


def test_export_filters_by_type_and_dates(client, db, make_date, book, officer, login_as):
    from tests.signups.conftest import local_day

    surgery = make_date(days=5, title="Surgery")
    cuppa = make_date(days=9, title="Cuppa", type_slug="cuppa-with-a-copper")
    book(surgery, name="At Surgery")
    book(cuppa, name="At Cuppa")
    login_as(officer)
    base = "/staff/signups/export?format=csv&columns=name"
    assert rows_of(client.get(f"{base}&type={cuppa.event.event_type_id}"))[1:] == [["At Cuppa"]]
    day = local_day(6).isoformat()
    assert rows_of(client.get(f"{base}&from_date={day}"))[1:] == [["At Cuppa"]]
    assert rows_of(client.get(f"{base}&to_date={day}"))[1:] == [["At Surgery"]]
    response = client.get(f"{base}&from_date={day}&to_date={local_day(1).isoformat()}")
    assert response.status_code == 400 and "The end date must be on or after the start date" in response.get_data(
        as_text=True
    )


def test_attendee_list_and_exports_cost_the_same_for_1_and_200(client, db, make_date, officer, login_as):
    row = make_date(capacity=None)
    add_signups(db, row, 1)
    login_as(officer)
    urls = [
        f"/staff/occurrences/{row.id}/signups",
        f"/staff/occurrences/{row.id}/signups/export?format=csv",
        f"/staff/occurrences/{row.id}/sign-in-sheet",
        "/staff/signups/export?format=csv",
        "/staff/signups",
    ]

    def measure(url):
        with count_queries(db.engine) as statements:
            response = client.get(url)
            body = response.get_data()
        assert response.status_code == 200, url
        return len(statements), body

    one = [measure(url) for url in urls]
    add_signups(db, row, 199, offset=1)
    many = [measure(url) for url in urls]
    assert [n for n, _ in one] == [n for n, _ in many]
    assert many[0][1].count(b'class="attendee') > 150 and many[1][1].count(b"\n") == 201
    assert b"Bulk Resident 199" in many[3][1]


def test_fast_csv_matches_core_exports_cell_for_cell(app, db, make_date, book, officer):
    """The export formats by column kind for speed; the result must be what core.exports.cell makes."""
    from engagement.core.exports import Column, choose_columns, csv_lines
    from engagement.signups import exports
    from engagement.signups.services import add_walk_in
    from tests.signups.conftest import soon

    row = make_date(start=soon(2), capacity=2, venue=None, online_url="https://example.org/meet")
    book(row, name="@Home", email="a@example.org", phone="+44 7700 900123", places=2, access_needs="=1+1")
    book(row, name="Zoë Waiting", email="z@example.org")
    add_walk_in(row, actor=officer, name="-Minus Walker", places=1)
    db.session.commit()
    columns = exports.bind(choose_columns(exports.COLUMNS, [c.key for c in exports.COLUMNS]))
    fast = "".join(exports.csv_chunks(columns, exports.stream_rows(exports.ExportFilter(), columns)))
    people = db.session.scalars(select(Signup).order_by(Signup.status, Signup.queue_no, Signup.name, Signup.id)).all()
    natural = [
        {
            "date": s.occurrence.starts_at, "event": s.occurrence.event.title, "team": "Ladywood",
            "type": "Police surgery", "venue": None, "name": s.name, "email": s.email, "phone": s.phone,
            "places": s.places, "status": exports.STATUS_LABELS[s.status], "position": 1 if s.status == WAITING else None,
            "source": exports.SOURCE_LABELS[s.source], "attended": s.attended, "booked_at": s.created_at,
            "access_needs": s.access_needs, "reference": s.id,
        }
        for s in people
    ]  # fmt: skip
    generic = [Column(c.key, c.heading, lambda r, k=c.key: r[k]) for c in columns]
    assert fast == "".join(csv_lines(generic, natural))
    assert "'@Home" in fast and "'-Minus Walker" in fast and "'=1+1" in fast and "'+44 7700 900123" in fast
