"""Volunteer and site routes for the permissions matrix, with records built through the services."""

from __future__ import annotations

from datetime import date, timedelta

from engagement.extensions import db
from engagement.speedwatch.sites.services import save_site
from engagement.speedwatch.volunteers.services import apply

EXPECTED_ACCESS = {
    "speedwatch.volunteers": "staff",
    "speedwatch.volunteer": "team",
    "speedwatch.volunteer_approve": "team",
    "speedwatch.volunteer_decline": "team",
    "speedwatch.volunteer_suspend": "team",
    "speedwatch.volunteer_reinstate": "team",
    "speedwatch.volunteer_training": "team",
    "speedwatch.sites": "staff",
    "speedwatch.site_new": "staff",
    "speedwatch.site_edit": "team",
}


def sample_records(team) -> dict:
    """An application waiting in `team`'s group and an assessed site of `team`."""
    volunteer = apply(
        team, name="Matrix Applicant", email="matrix.applicant@example.org", phone="0121 496 0000", consent=True
    )
    site = save_site(
        None,
        actor=None,
        team=team,
        name="Matrix site",
        road="Matrix Road",
        speed_limit=30,
        assessed_on=date.today() - timedelta(days=10),
    )
    db.session.commit()
    return {"volunteer_id": volunteer.id, "site_id": site.id}
