"""Site request and site page routes for the permissions matrix; the sample request is the matrix
volunteer's own (so their pages answer 200) and has one photo."""

from __future__ import annotations

import io
from datetime import date, timedelta

from PIL import Image

from engagement.events.models import Venue
from engagement.extensions import db
from engagement.speedwatch.requests.models import SiteRequest, SiteRequestPhoto
from engagement.speedwatch.sites.models import Site
from engagement.speedwatch.volunteers.models import APPROVED, Volunteer

EXPECTED_ACCESS = {
    "speedwatch.site": "team",
    "speedwatch.site_requests": "staff",
    "speedwatch.site_request_new": "staff",
    "speedwatch.site_request": "team",
    "speedwatch.site_request_approve": "team",
    "speedwatch.site_request_decline": "team",
    "speedwatch.site_request_photo": "team",
    "speedwatch.my_site_requests": "volunteer",
    "speedwatch.my_site_request_new": "volunteer",
    "speedwatch.my_site_request": "volunteer",
    "speedwatch.my_site_request_photo": "volunteer",
}


def jpeg_bytes(size=(40, 30), colour=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG", **save)
    return out.getvalue()


def sample_records(team) -> dict:
    today = date.today()
    venue = Venue(team_id=team.id, name="Sample site page", address="Page Road")
    db.session.add(venue)
    db.session.flush()
    site = Site(
        team_id=team.id,
        venue_id=venue.id,
        name="Sample site page",
        road="Page Road",
        speed_limit=30,
        assessed_on=today - timedelta(days=5),
        assessment_expires=today + timedelta(days=300),
    )
    db.session.add(site)
    volunteer = db.session.scalar(
        db.select(Volunteer).where(Volunteer.team_id == team.id, Volunteer.status == APPROVED).limit(1)
    )
    request = SiteRequest(
        team_id=team.id,
        proposed_by_id=volunteer.user_id if volunteer else None,
        proposer_name=volunteer.name if volunteer else "A volunteer",
        proposer_email=volunteer.email if volunteer else "someone@example.org",
        road="Icknield Port Road",
        stretch="by the school gates",
        speed_limit=30,
        reason="Cars race past at school time",
        postcode="B16 0AA",
    )
    request.photos.append(SiteRequestPhoto(data=jpeg_bytes(), width=40, height=30))
    db.session.add(request)
    db.session.commit()
    return {"site_id": site.id, "request_id": request.id, "photo_id": request.photos[0].id}
