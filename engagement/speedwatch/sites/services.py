"""Rules for approved Speed Watch sites: risk assessments, and the site's place in calendar feeds.

Each site keeps an events `Venue` row in step (name, road and location, position, team), so a
shift, which is an ordinary event, shows where it is in every feed. Shifts may only be scheduled
at a site whose assessment is current on the shift's date: `check_site_bookable` says why not.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from engagement.core import audit
from engagement.core.errors import DomainError
from engagement.core.markup import has_tags, strip_tags
from engagement.core.permissions import can_manage_team
from engagement.events.models import Venue
from engagement.extensions import db
from engagement.speedwatch.dates import local_today, short_date
from engagement.speedwatch.sites.models import NOTES_MAX, SPEED_LIMITS, Site

ASSESSMENT_MONTHS = 12
# Roughly Great Britain and Northern Ireland: catches swapped or mistyped coordinates.
LATITUDES, LONGITUDES = (49.8, 61.0), (-8.7, 2.0)


def default_assessment_expiry(assessed_on: date) -> date:
    return assessed_on + relativedelta(months=ASSESSMENT_MONTHS)


def _text(value: str, *, label: str, field: str, required: bool, limit: int) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        raise DomainError(f"Enter the {label}", field=field)
    if len(value) > limit:
        raise DomainError(f"The {label} must be {limit} characters or fewer", field=field)
    if has_tags(value):
        raise DomainError(f"Enter the {label} without < or > characters", field=field)
    return value


def parse_speed_limit(value) -> int:
    try:
        limit = int(str(value).strip())
    except (TypeError, ValueError):
        limit = None
    if limit not in SPEED_LIMITS:
        raise DomainError("Choose the speed limit: 20, 30 or 40 mph", field="speed_limit")
    return limit


def parse_coordinate(value, *, field: str) -> float | None:
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is None or number != number:  # NaN
        raise DomainError(f"Enter the {field} as a number, like 52.5704", field=field)
    return number


def check_position(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        field = "longitude" if longitude is None else "latitude"
        raise DomainError("Enter both latitude and longitude, or neither", field=field)
    if latitude is None:
        return
    if not LATITUDES[0] <= latitude <= LATITUDES[1]:
        raise DomainError("Enter a latitude in the UK, between 49.8 and 61 (for example 52.5704)", field="latitude")
    if not LONGITUDES[0] <= longitude <= LONGITUDES[1]:
        raise DomainError(
            "Enter a longitude in the UK, between -8.7 and 2 (for example -1.8249; west is negative)",
            field="longitude",
        )


def save_site(
    site: Site | None,
    *,
    actor,
    team,
    name: str,
    road: str,
    speed_limit,
    location: str = "",
    latitude=None,
    longitude=None,
    volunteer_notes: str = "",
    assessed_on: date | None,
    assessment_expires: date | None = None,
    active: bool = True,
    today: date | None = None,
) -> Site:
    """Create or change a site and its venue. The team is fixed once the site exists."""
    today = today or local_today()
    if site is not None:
        team = site.team
    if team is None:
        raise DomainError("Choose the team", field="team")
    if actor is not None and not can_manage_team(actor, team):
        raise DomainError("You can only add sites for your own teams", field="team")
    name = _text(name, label="site name", field="name", required=True, limit=160)
    road = _text(road, label="road", field="road", required=True, limit=160)
    limit = parse_speed_limit(speed_limit)
    location = _text(location, label="location", field="location", required=False, limit=300)
    latitude = parse_coordinate(latitude, field="latitude")
    longitude = parse_coordinate(longitude, field="longitude")
    check_position(latitude, longitude)
    notes = strip_tags(volunteer_notes or "").strip()
    if len(notes) > NOTES_MAX:
        raise DomainError(f"Notes for volunteers must be {NOTES_MAX} characters or fewer", field="volunteer_notes")
    if assessed_on is None:
        raise DomainError("Enter the date of the risk assessment, for example 14/3/2027", field="assessed_on")
    if assessed_on > today:
        raise DomainError("The risk assessment date cannot be in the future", field="assessed_on")
    expires = assessment_expires or default_assessment_expiry(assessed_on)
    if expires <= assessed_on:
        raise DomainError("The assessment expiry must be after the assessment date", field="assessment_expires")

    creating = site is None
    site = site or Site(team_id=team.id, team=team)
    before = {"assessment_expires": site.assessment_expires, "active": site.active}
    if site.assessment_expires != expires:
        site.expiry_warned_for = None  # a new expiry date earns a new warning
    site.name, site.road, site.speed_limit, site.location = name, road, limit, location
    site.latitude, site.longitude, site.volunteer_notes = latitude, longitude, notes
    site.assessed_on, site.assessment_expires, site.active = assessed_on, expires, bool(active)
    _sync_venue(site, team)
    if creating:
        db.session.add(site)
    db.session.flush()
    audit.record(
        "speedwatch.site_create" if creating else "speedwatch.site_update",
        actor=actor,
        target=site,
        summary=f"{'Added' if creating else 'Changed'} site {name} ({team.name})",
        assessed_on=assessed_on.isoformat(),
        assessment_expires=expires.isoformat(),
        previous_expiry=before["assessment_expires"].isoformat() if before["assessment_expires"] else None,
        active=site.active,
    )
    return site


def _sync_venue(site: Site, team) -> None:
    """The events feature's copy of where the site is, for calendar feeds."""
    venue = site.venue
    if venue is None:
        venue = Venue(team_id=team.id, team=team)
        db.session.add(venue)
        site.venue = venue
    venue.name = site.name
    venue.address = ", ".join(part for part in (site.road, site.location) if part)[:300]
    venue.latitude, venue.longitude = site.latitude, site.longitude
    venue.team_id, venue.team = team.id, team


def check_site_bookable(site: Site, day: date) -> None:
    """Whether a shift may be scheduled at this site on `day`; raises with the reason if not."""
    if not site.active:
        raise DomainError(f"{site.name} is no longer an approved site: choose another site", field="site")
    if day < site.assessed_on:
        raise DomainError(
            f"The risk assessment for {site.name} is not assessed yet on {short_date(day)}: "
            f"it starts on {short_date(site.assessed_on)}",
            field="site",
        )
    if not site.assessment_current_on(day):
        raise DomainError(
            f"The risk assessment for {site.name} expired on {short_date(site.assessment_expires)}: "
            "renew it before scheduling shifts there",
            field="site",
        )
