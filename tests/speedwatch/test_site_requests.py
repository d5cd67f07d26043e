"""Site requests: a volunteer proposes (photos re-encoded, metadata gone), the officer approves it into a
site or declines it with a reason that reaches the proposer through the real loopback SMTP server."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from engagement.core.audit import AuditEntry
from engagement.core.worker import run_once
from engagement.speedwatch.requests.models import SiteRequest, SiteRequestPhoto
from engagement.speedwatch.sites.models import Site
from tests.conftest import login
from tests.speedwatch.conftest import PASSWORD
from tests.speedwatch.samples_requests import jpeg_bytes


def photo_with_gps() -> bytes:
    """A JPEG carrying EXIF: a GPS position and a camera serial, as a phone writes them."""
    image = Image.new("RGB", (2400, 1800), (40, 120, 60))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0xA431] = "SERIAL-123456"  # BodySerialNumber
    exif[0x8825] = {1: "N", 2: (52.0, 28.0, 55.0), 3: "W", 4: (1.0, 55.0, 12.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def proposal(**overrides) -> dict:
    values = {
        "road": "Icknield Port Road",
        "stretch": "between the school and the reservoir",
        "speed_limit": "30",
        "reason": "Cars race past the school gates at 8:45",
        "postcode": "b16 0aa",
        "grid_ref": "sp 0686 8602",
    }
    return values | overrides


def volunteer_client(app, volunteer):
    person = app.test_client()
    login(person, volunteer.user, PASSWORD)
    return person


def test_volunteer_proposes_with_a_photo_and_sees_it_waiting(app, db, team, make_volunteer, officer, post_form):
    from tests.conftest import csrf_token

    volunteer = make_volunteer(team, name="Shazia Akhtar")
    person = volunteer_client(app, volunteer)
    assert person.get("/speed-watch/site-requests/new").status_code == 200
    data = proposal() | {"csrf_token": csrf_token(person), "photos": [(io.BytesIO(photo_with_gps()), "site.jpg")]}
    response = person.post("/speed-watch/site-requests/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    req = db.session.scalar(select(SiteRequest))
    assert req.postcode == "B16 0AA" and req.grid_ref == "SP 0686 8602" and req.proposed_by_id == volunteer.user_id
    stored = db.session.scalar(select(SiteRequestPhoto))
    image = Image.open(io.BytesIO(stored.data))
    assert image.format == "JPEG" and max(image.size) == 1600 and (stored.width, stored.height) == image.size
    assert not image.getexif() and b"SERIAL-123456" not in stored.data and b"PhoneMaker" not in stored.data
    page = person.get(response.headers["Location"]).get_data(as_text=True)
    assert "Waiting for the team's risk assessment" in page
    assert person.get(f"/speed-watch/site-requests/{req.id}/photos/{stored.id}").status_code == 200
    other = volunteer_client(app, make_volunteer(team, name="Someone Else"))
    assert other.get(f"/speed-watch/site-requests/{req.id}").status_code == 404  # not theirs
    assert person.get(f"/staff/speed-watch/site-requests/{req.id}").status_code == 403
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "speedwatch.site_request"))


def test_bad_answers_are_listed_and_nothing_saved(app, db, team, make_volunteer):
    from tests.conftest import csrf_token

    person = volunteer_client(app, make_volunteer(team))
    data = proposal(road="", speed_limit="50", postcode="", grid_ref="")
    data |= {"csrf_token": csrf_token(person)}
    response = person.post("/speed-watch/site-requests/new", data=data)
    assert response.status_code == 400 and "Enter the road name" in response.get_data(as_text=True)
    not_a_picture = proposal() | {"csrf_token": csrf_token(person), "photos": [(io.BytesIO(b"MZ" * 50), "x.jpg")]}
    response = person.post("/speed-watch/site-requests/new", data=not_a_picture, content_type="multipart/form-data")
    assert response.status_code == 400 and "Photo 1 is not a picture we can open" in response.get_data(as_text=True)
    many = proposal() | {
        "csrf_token": csrf_token(person),
        "photos": [(io.BytesIO(jpeg_bytes()), f"{n}.jpg") for n in range(4)],
    }
    response = person.post("/speed-watch/site-requests/new", data=many, content_type="multipart/form-data")
    assert response.status_code == 400 and "Add at most 3 photos" in response.get_data(as_text=True)
    assert db.session.scalar(select(SiteRequest.id)) is None


def test_officer_approves_a_request_into_a_site(app, db, client, team, make_volunteer, officer, login_as, post_form):
    from engagement.speedwatch.requests.services import propose_site

    volunteer = make_volunteer(team, name="Colin Hayes", email="colin@example.org")
    req = propose_site(
        actor=volunteer.user, team=team, name=volunteer.name, email=volunteer.email, **proposal(), photos=[jpeg_bytes()]
    )
    db.session.commit()
    login_as(officer)
    assert "Icknield Port Road" in client.get("/staff/speed-watch/site-requests").get_data(as_text=True)
    form = client.get(f"/staff/speed-watch/site-requests/{req.id}/approve").get_data(as_text=True)
    assert 'value="Icknield Port Road"' in form
    response = post_form(
        f"/staff/speed-watch/site-requests/{req.id}/approve",
        {
            "name": "Icknield Port Road school",
            "road": "Icknield Port Road",
            "speed_limit": "30",
            "location": "by the school gates",
            "assessed_on": "1/3/2026",
            "active": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    site = db.session.scalar(select(Site))
    db.session.refresh(req)
    assert req.status == "approved" and req.site_id == site.id and site.team_id == team.id
    assert site.venue is not None  # a real site: shifts can be scheduled there
    mine = volunteer_client(app, volunteer).get("/speed-watch/site-requests").get_data(as_text=True)
    assert "approved" in mine and "Icknield Port Road school" in mine


def test_decline_emails_the_reason_through_smtp(
    app, db, client, team, make_volunteer, officer, login_as, post_form, smtp
):
    from engagement.speedwatch.requests.services import propose_site

    volunteer = make_volunteer(team, name="Janet Morris", email="janet@example.org")
    req = propose_site(actor=volunteer.user, team=team, name=volunteer.name, email=volunteer.email, **proposal())
    db.session.commit()
    login_as(officer)
    response = post_form(f"/staff/speed-watch/site-requests/{req.id}/decline", {"reason": ""})
    assert response.status_code == 400 and "Give the reason" in response.get_data(as_text=True)
    reason = "There is no safe verge to stand on: the footway is under a metre wide."
    response = post_form(f"/staff/speed-watch/site-requests/{req.id}/decline", {"reason": reason})
    assert response.status_code == 302
    run_once()
    sent = [m for m in smtp.parsed() if m["To"] == "janet@example.org"]
    assert len(sent) == 1 and "Icknield Port Road" in sent[0]["Subject"]
    assert reason in sent[0].get_body(preferencelist=("plain",)).get_content()
    db.session.refresh(req)
    assert req.status == "declined" and req.decline_reason == reason
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "speedwatch.site_request_decline"))
    again = post_form(f"/staff/speed-watch/site-requests/{req.id}/decline", {"reason": reason})
    assert again.status_code == 400 and "already been declined" in again.get_data(as_text=True)
