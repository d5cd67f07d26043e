"""Benchmark the printed PDFs (issue 20). Prints figures; asserts nothing.

  .venv/bin/python bench/print_pdfs.py        (or `make bench`)

A team with 40 public dates in the next four weeks, five current priorities and a sent
newsletter: the build time (uncached, first request after start-up and warm median of 5) and
size of the notice-board poster, the A5 two-up leaflet, an event poster and the newsletter.
Target: each under a second warm. The first PDF of a process also loads WeasyPrint and its
fonts. Renders each first page to /tmp/print_*.png with pdftoppm (if installed) to look at.
Runs with a throwaway SQLite database.
"""

from __future__ import annotations

import io
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402

from engagement import create_app  # noqa: E402
from engagement.extensions import db  # noqa: E402

WORK = Path(tempfile.mkdtemp(prefix="bench-print-"))


def build_data():
    from engagement.core.db import utcnow
    from engagement.core.timeutil import to_local
    from engagement.events.details import EventDetails, When
    from engagement.events.models import EventType
    from engagement.events.services import create_event, ensure_default_types, save_venue
    from engagement.newsletter import delivery
    from engagement.newsletter.issues import create_issue, update_issue
    from engagement.priorities.services import PriorityDetails, add_action, create_priority, today
    from engagement.teams.services import save_team

    team = save_team(None, actor=None, name="Ladywood", area="Birmingham", coverage=["B16"],
                     contact_email="ladywood.npt@example.org", contact_phone="0121 626 5000")  # fmt: skip
    ensure_default_types()
    types = {t.slug: t for t in db.session.scalars(db.select(EventType))}
    venues = [save_venue(None, actor=None, team=team, name=name, address=street, postcode=code, step_free=n % 2 == 0)
              for n, (name, street, code) in enumerate([
                  ("Ladywood Community Library", "Ladywood Middleway", "B16 8HA"),
                  ("St John's Church Hall", "Monument Road", "B16 8UU"),
                  ("Canalside Café", "Gas Street Basin", "B1 2JT"),
                  ("Ladywood Arts and Leisure Centre", "Freeth Street", "B16 0QZ")])]  # fmt: skip
    kinds = ["police-surgery", "cuppa-with-a-copper", "neighbourhood-watch-meeting", "public-meeting"]
    start = to_local(utcnow()).date()
    for n in range(40):
        day = datetime.combine(start + timedelta(days=1 + n % 27), datetime.min.time()) + timedelta(hours=9 + n % 10)
        kind = types.get(kinds[n % 4]) or types["police-surgery"]
        event = create_event(actor=None, details=EventDetails(team=team, event_type=kind, title=f"{kind.name} {n + 1}",
                                                              venue=venues[n % 4]),
                             when=When(day, day + timedelta(minutes=90)), publish=True)  # fmt: skip
    for n, issue in enumerate(["Speeding on Icknield Port Road",
                               "Anti-social behaviour around the Ladywood Arts and Leisure Centre",
                               "Drug dealing near the Ladywood Middleway shops", "Car crime in the Five Ways area",
                               "Litter and fly-tipping by the canal towpath"]):  # fmt: skip
        priority = create_priority(team, actor=None, details=PriorityDetails(issue=issue,
                                                                             set_on=today() - timedelta(days=60),
                                                                             how="meeting"))  # fmt: skip
        add_action(priority, actor=None, taken_on=today() - timedelta(days=10 + n), text="12 Speed Watch sessions")
    newsletter = create_issue(actor=None, team=team, subject="Ladywood news for December",
                              intro="Thank you to everyone at the **forum**.\n\n" + "Local news. " * 80, weeks=4)  # fmt: skip
    update_issue(newsletter, actor=None, subject=newsletter.subject, intro=newsletter.intro, weeks=4, priorities=True)
    delivery.start(newsletter, now=utcnow())
    db.session.commit()
    return team, event.occurrences[0], newsletter


def main() -> None:
    app = create_app({"APP_ENV": "test", "SECRET_KEY": "bench-secret-key-0123456789abcdef0123456789",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{WORK / 'bench.db'}", "RATELIMIT_ENABLED": False,
                      "BASE_URL": "https://engage.example.org"})  # fmt: skip
    with app.app_context():
        db.create_all()
        team, occurrence, newsletter = build_data()
        urls = {
            "poster": f"/teams/{team.slug}/poster.pdf",
            "leaflet": f"/teams/{team.slug}/leaflet.pdf",
            "event": f"/events/{occurrence.id}/poster.pdf",
            "newsletter": f"/newsletters/{newsletter.id}/print.pdf",
        }
    client = app.test_client()
    print("Printed PDFs: a team with 40 dates in the next four weeks, 5 priorities, a sent newsletter")
    for name, url in urls.items():
        times = []
        for _run in range(6):
            app.extensions["print_cache"].clear()  # uncached: every request builds the PDF
            began = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - began)
            assert response.status_code == 200, (url, response.status_code)
        path = WORK / f"{name}.pdf"
        path.write_bytes(response.data)
        pages = len(PdfReader(io.BytesIO(response.data)).pages)
        print(f"  {name:10} {len(response.data) / 1024:6.1f} KB  first {times[0] * 1000:5.0f} ms  "
              f"warm median {statistics.median(times[1:]) * 1000:5.0f} ms  (max {max(times[1:]) * 1000:.0f} ms)"
              f"  {pages} page(s)")  # fmt: skip
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(path),
                            f"/tmp/print_{name}"], check=True)  # fmt: skip
    client.get(urls["poster"])  # built once more, then served from the cache
    cached = time.perf_counter()
    for _ in range(20):
        client.get(urls["poster"])
    print(f"  cached poster request: {(time.perf_counter() - cached) / 20 * 1000:.1f} ms")
    print(f"  first-page PNGs: /tmp/print_{{{','.join(urls)}}}.png; PDFs in {WORK}")


if __name__ == "__main__":
    main()
