"""Rules for site requests: proposing a site, and the officer's decision (approve into a site, or decline).

A volunteer proposes for their own team; staff for a team of theirs. Approving records the risk
assessment through sites.services.save_site, so the new site meets every rule a site has; declining
needs a reason, which is emailed to the proposer. Every step is in the audit log.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import Conflict, DomainError, PermissionDenied
from engagement.core.markup import has_tags
from engagement.core.permissions import can_manage_team
from engagement.core.urls import public_url
from engagement.extensions import db
from engagement.speedwatch.mail import send, team_recipients
from engagement.speedwatch.requests.models import (
    APPROVED,
    DECLINE_MAX,
    DECLINED,
    PENDING,
    REASON_MAX,
    ROAD_MAX,
    STRETCH_MAX,
    SiteRequest,
    SiteRequestPhoto,
)
from engagement.speedwatch.requests.photos import MAX_PHOTOS, reencode
from engagement.speedwatch.sites.services import parse_speed_limit, save_site

POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}")
# An Ordnance Survey grid reference: two letters and an even number (4 to 10) of digits, e.g. SP 0686 8602.
GRID_REF = re.compile(r"([A-Z]{2})((?:[0-9]{2}){2,5})")


def _text(value, *, label: str, field: str, limit: int) -> str:
    value = " ".join(str(value or "").split())
    if not value:
        raise DomainError(f"Enter {label}", field=field)
    if len(value) > limit:
        raise DomainError(f"{label[0].upper()}{label[1:]} must be {limit} characters or fewer", field=field)
    if has_tags(value):
        raise DomainError(f"Enter {label} without < or > characters", field=field)
    return value


def clean_location(postcode: str, grid_ref: str) -> tuple[str, str]:
    """A UK postcode ("B16 8QT") and/or an OS grid reference ("SP 0686 8602"); at least one."""
    postcode = "".join((postcode or "").upper().split())
    grid = "".join((grid_ref or "").upper().split())
    if not postcode and not grid:
        raise DomainError("Enter a postcode or a map reference for the site", field="postcode")
    if postcode:
        if not POSTCODE.fullmatch(postcode):
            raise DomainError("Enter a real UK postcode, for example B16 8QT", field="postcode")
        postcode = f"{postcode[:-3]} {postcode[-3:]}"
    if grid:
        found = GRID_REF.fullmatch(grid)
        if not found:
            raise DomainError(
                "Enter the map reference as two letters and an even number of digits, for example SP 0686 8602",
                field="grid_ref",
            )
        digits = found.group(2)
        half = len(digits) // 2
        grid = f"{found.group(1)} {digits[:half]} {digits[half:]}"
    return postcode, grid


def propose_site(
    *, actor, team, name: str, email: str, road, stretch, speed_limit, reason, postcode="", grid_ref="", photos=()
) -> SiteRequest:
    """A new site request; `photos` are uploaded bytes (at most MAX_PHOTOS, each re-encoded)."""
    if team is None:
        raise DomainError("Choose the team", field="team")
    staff = actor is not None and can_manage_team(actor, team)
    if actor is not None and not staff and not getattr(actor, "is_volunteer", False):
        raise PermissionDenied("Only the team's volunteers and officers can propose a site.")
    road = _text(road, label="the road name", field="road", limit=ROAD_MAX)
    stretch = _text(stretch, label="which stretch of the road", field="stretch", limit=STRETCH_MAX)
    limit = parse_speed_limit(speed_limit)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why the site is needed, for example what speeding you have seen there", field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(f"The reason must be {REASON_MAX} characters or fewer", field="reason")
    if has_tags(reason):
        raise DomainError("Enter the reason without < or > characters", field="reason")
    postcode, grid = clean_location(postcode, grid_ref)
    photos = [p for p in photos if p]
    if len(photos) > MAX_PHOTOS:
        raise DomainError(f"Add at most {MAX_PHOTOS} photos", field="photos")
    encoded = [reencode(data, number=n) for n, data in enumerate(photos, start=1)]
    request = SiteRequest(
        team_id=team.id,
        team=team,
        proposed_by_id=getattr(actor, "id", None),
        proposer_name=name,
        proposer_email=email,
        road=road,
        stretch=stretch,
        speed_limit=limit,
        reason=reason,
        postcode=postcode,
        grid_ref=grid,
        status=PENDING,
    )
    for data, width, height in encoded:
        request.photos.append(SiteRequestPhoto(data=data, width=width, height=height))
    db.session.add(request)
    db.session.flush()
    audit.record(
        "speedwatch.site_request",
        actor=actor,
        target=request,
        summary=f"Site proposed on {road} ({team.name})",
        photos=len(encoded),
    )
    for address in team_recipients(team):
        send(
            address,
            f"Speed Watch site proposed: {road} ({team.name})",
            "site_request_new",
            request=request,
            team=team,
            request_url=public_url("speedwatch.site_request", request_id=request.id),
        )
    return request


def _decidable(request: SiteRequest, actor) -> None:
    if not can_manage_team(actor, request.team):
        raise PermissionDenied("Only the team's officers and coordinators can decide on a site request.")
    if request.status != PENDING:
        raise Conflict(f"This request has already been {request.status}.")


def approve_request(
    request: SiteRequest, *, actor, now: datetime | None = None, today: date | None = None, **site
) -> SiteRequest:
    """Record the risk assessment and make the site (sites.services.save_site's fields in `site`)."""
    _decidable(request, actor)
    created = save_site(None, actor=actor, team=request.team, today=today, **site)
    request.status, request.site_id, request.site = APPROVED, created.id, created
    request.decided_at, request.decided_by_id = now or utcnow(), actor.id
    db.session.flush()
    audit.record(
        "speedwatch.site_request_approve",
        actor=actor,
        target=request,
        summary=f"Approved the site request on {request.road}: now the site {created.name}",
        site_id=created.id,
    )
    send(
        request.proposer_email,
        f"Your Speed Watch site request is approved: {created.name}",
        "site_request_approved",
        request=request,
        site=created,
        team=request.team,
    )
    return request


def decline_request(request: SiteRequest, *, actor, reason: str, now: datetime | None = None) -> SiteRequest:
    _decidable(request, actor)
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError("Give the reason: the proposer is sent it", field="reason")
    if len(reason) > DECLINE_MAX:
        raise DomainError(f"The reason must be {DECLINE_MAX} characters or fewer", field="reason")
    request.status, request.decline_reason = DECLINED, reason
    request.decided_at, request.decided_by_id = now or utcnow(), actor.id
    db.session.flush()
    audit.record(
        "speedwatch.site_request_decline",
        actor=actor,
        target=request,
        summary=f"Declined the site request on {request.road}",
    )
    send(
        request.proposer_email,
        f"Your Speed Watch site request on {request.road}",
        "site_request_declined",
        request=request,
        team=request.team,
        reason=reason,
    )
    return request
