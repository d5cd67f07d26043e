import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from engagement.core.audit import AuditEntry
from engagement.core.exports import Column, audit_export, csv_lines, csv_response, neutralise, xlsx_bytes

ROWS = [
    {
        "name": "Siân O'Connor",
        "note": '=HYPERLINK("http://evil")',
        "when": datetime(2027, 7, 6, 17, 0, tzinfo=UTC),
        "places": 2,
    },
    {"name": "+44 7700 900123", "note": "-1+1", "when": None, "places": 1},
    {"name": "@admin", "note": "\tTabbed", "when": None, "places": 3},
]
COLUMNS = [
    Column("name", "Name", lambda r: r["name"]),
    Column("note", "Access needs", lambda r: r["note"]),
    Column("when", "Signed up", lambda r: r["when"]),
    Column("places", "Places", lambda r: r["places"]),
]


def test_neutralise():
    assert [neutralise(v) for v in ["=1+1", "+1", "-1", "@x", "\tx", "\rx", "ok", 5, None]] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "'\rx",
        "ok",
        5,
        None,
    ]


def test_csv_has_bom_neutralised_cells_and_local_times(app):
    text = "".join(csv_lines(COLUMNS, iter(ROWS)))
    assert text.startswith("\ufeffName,Access needs,Signed up,Places")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1] == ["Siân O'Connor", '\'=HYPERLINK("http://evil")', "2027-07-06 18:00", "2"]
    assert rows[2][0] == "'+44 7700 900123" and rows[2][1] == "'-1+1"
    assert rows[3][0] == "'@admin" and rows[3][1] == "'\tTabbed"


def test_csv_streams_in_chunks(app):
    many = ({"name": f"Resident {n}", "note": "", "when": None, "places": 1} for n in range(1200))
    chunks = list(csv_lines(COLUMNS, many))
    assert len(chunks) >= 3 and sum(c.count("\n") for c in chunks) == 1201


def test_xlsx_cells_are_neutralised(app):
    book = load_workbook(io.BytesIO(xlsx_bytes(COLUMNS, iter(ROWS), title="Sign-ups")))
    sheet = book["Sign-ups"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["Name", "Access needs", "Signed up", "Places"]
    assert values[1] == ["Siân O'Connor", '\'=HYPERLINK("http://evil")', "2027-07-06 18:00", 2]
    assert values[2][0] == "'+44 7700 900123"


def test_response_headers_and_audit(app, db, make_user):
    user = make_user(role="coordinator")
    with app.test_request_context():
        response = csv_response("sign-ups: Ladywood/2027", COLUMNS, iter(ROWS))
        assert response.headers["Content-Disposition"] == 'attachment; filename="sign-ups-Ladywood-2027.csv"'
        assert response.headers["Cache-Control"] == "no-store"
        audit_export("signups", actor=user, rows=3, fmt="csv", filters={"team": "ladywood"}, columns=COLUMNS)
    db.session.commit()
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "export.signups"))
    assert entry.actor_id == user.id and entry.details["rows"] == 3 and entry.details["filters"] == {"team": "ladywood"}
    assert entry.details["columns"] == ["name", "note", "when", "places"]
