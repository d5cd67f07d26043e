"""Rules for teams: finding a resident's team by postcode or name, and managing teams."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from engagement.core import audit
from engagement.core.errors import Conflict, DomainError, NotFound
from engagement.core.permissions import works_across_teams
from engagement.extensions import db
from engagement.teams.models import AREAS, Team, TeamPostcode

OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
FULL_POSTCODE = re.compile(rf"^({OUTWARD}) ?([0-9])([A-Z]{{2}})$")
SECTOR = re.compile(rf"^({OUTWARD}) ([0-9])$")  # the space is required: "B16" is a district
DISTRICT = re.compile(rf"^({OUTWARD})$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class InvalidPostcode(DomainError):
    status = 400


@dataclass(frozen=True)
class Postcode:
    district: str  # "B16"
    sector: str | None  # "B16 8"
    full: str | None  # "B16 8QT"


# What people type between and around the parts of a postcode: "B16-8QT", "b16.8qt", "B16  8QT ".
POSTCODE_PUNCTUATION = re.compile(r"[\s\-\u2010-\u2015.,_/]+")


def parse_postcode(text: str) -> Postcode:
    """Accept a full postcode, a sector or a district, in any case, spacing and common punctuation."""
    cleaned = POSTCODE_PUNCTUATION.sub(" ", (text or "").upper()).strip()
    compact = cleaned.replace(" ", "")
    if match := FULL_POSTCODE.match(compact):
        district, digit, unit = match.groups()
        return Postcode(district, f"{district} {digit}", f"{district} {digit}{unit}")
    if match := SECTOR.match(cleaned):
        district, digit = match.groups()
        return Postcode(district, f"{district} {digit}", None)
    if match := DISTRICT.match(compact):
        return Postcode(match.group(1), None, None)
    raise InvalidPostcode(
        f"“{text.strip()[:20]}” is not a postcode we recognise. Enter a full postcode, like B16 8QT.", field="q"
    )


def looks_like_postcode(text: str) -> bool:
    """Team names have no digits; anything with one is treated as a postcode attempt."""
    return any(ch.isdigit() for ch in text or "")


@dataclass(frozen=True)
class PostcodeMatch:
    """The answer to a postcode search: one team, or the teams sharing the district, each with its sectors."""

    postcode: Postcode
    team: Team | None = None
    choices: tuple[tuple[Team, tuple[str, ...]], ...] = ()

    @property
    def shown(self) -> str:
        return self.postcode.full or self.postcode.sector or self.postcode.district


def match_postcode(text: str) -> PostcodeMatch:
    """The team covering the postcode's sector, else its district; a district split into sectors
    between teams ("B16": Ladywood has B16 8, Edgbaston B16 0 and B16 9) gives the choices instead.

    One query: the district's own row and every sector row under it."""
    postcode = parse_postcode(text)
    district = postcode.district
    rows = db.session.scalars(
        select(TeamPostcode)
        .where((TeamPostcode.prefix == district) | TeamPostcode.prefix.startswith(f"{district} "))
        .options(selectinload(TeamPostcode.team))
        .order_by(TeamPostcode.prefix)
    ).all()
    by_prefix = {row.prefix: row.team for row in rows}
    for prefix in (postcode.sector, district):
        if prefix and prefix in by_prefix:
            return PostcodeMatch(postcode, team=by_prefix[prefix])
    sectors: dict[int, tuple[Team, list[str]]] = {}
    for row in rows:
        sectors.setdefault(row.team_id, (row.team, []))[1].append(row.prefix)
    if not sectors:
        raise NotFound(
            f"We could not find a neighbourhood team covering {postcode.full or postcode.sector or district}. "
            f"This site covers the West Midlands ({', '.join(AREAS)}). Check the postcode, or browse all teams."
        )
    choices = sorted(((team, tuple(prefixes)) for team, prefixes in sectors.values()), key=lambda c: c[0].name)
    return PostcodeMatch(postcode, choices=tuple(choices))


def find_team_for_postcode(text: str) -> Team:
    """The one team for a postcode; NotFound (saying which teams share it) when it cannot be told."""
    match = match_postcode(text)
    if match.team is None:
        names = ", ".join(team.name for team, _ in match.choices)
        raise NotFound(f"{match.postcode.district} is split between teams ({names}). Enter your full postcode.")
    return match.team


def search_teams_by_name(text: str, limit: int = 20) -> list[Team]:
    words = (text or "").strip()
    if not words:
        return []
    pattern = f"%{words.lower()}%"
    return db.session.scalars(
        select(Team)
        .where(func.lower(Team.name).like(pattern) | func.lower(Team.area).like(pattern))
        .order_by(Team.name)
        .limit(limit)
    ).all()


def all_teams() -> list[Team]:
    return db.session.scalars(select(Team).order_by(Team.area, Team.name)).all()


def teams_for(user) -> list[Team]:
    """The teams whose records this user works on: every team for coordinators and admins, else their own."""
    if works_across_teams(user):
        return all_teams()
    return sorted(user.teams, key=lambda t: (t.area, t.name))


def teams_with_members(user) -> list[Team]:
    """The staff teams list: the user's teams (every team across teams) with members and postcodes loaded."""
    query = (
        select(Team).order_by(Team.area, Team.name).options(selectinload(Team.members), selectinload(Team.postcodes))
    )
    if not works_across_teams(user):
        query = query.where(Team.id.in_(sorted(user.team_ids)))
    return db.session.scalars(query).all()


def teams_by_ids(ids) -> list[Team]:
    ids = list(ids or [])
    if not ids:
        return []
    return db.session.scalars(select(Team).where(Team.id.in_(ids)).order_by(Team.name)).all()


def team_by_slug(slug: str) -> Team | None:
    return db.session.scalar(select(Team).where(Team.slug == slug))


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80]


def parse_coverage(text: str) -> list[str]:
    """'B1, b16 8\nB18' -> ['B1', 'B16 8', 'B18']; full postcodes are refused (too fine-grained)."""
    prefixes = []
    for item in re.split(r"[,\n;]+", text or ""):
        item = item.strip()
        if not item:
            continue
        try:
            postcode = parse_postcode(item)
        except InvalidPostcode as exc:
            raise DomainError(f"“{item}” is not a postcode district (B16) or sector (B16 8)", field="coverage") from exc
        if postcode.full:
            raise DomainError(f"Enter the district or sector, not the full postcode “{item}”", field="coverage")
        prefix = postcode.sector or postcode.district
        if prefix not in prefixes:
            prefixes.append(prefix)
    return prefixes


def _set_coverage(team: Team, prefixes: list[str]) -> None:
    taken = db.session.scalars(
        select(TeamPostcode)
        .where(TeamPostcode.prefix.in_(prefixes), TeamPostcode.team_id != (team.id or -1))
        .options(selectinload(TeamPostcode.team))
    ).all()
    if taken:
        clashes = ", ".join(f"{row.prefix} ({row.team.name})" for row in taken)
        raise Conflict(f"Already covered by another team: {clashes}", field="coverage")
    current = {p.prefix: p for p in team.postcodes}
    team.postcodes = [current.get(prefix) or TeamPostcode(prefix=prefix) for prefix in prefixes]


def _check_team_fields(name: str, slug: str, area: str, exclude_id: int | None) -> None:
    if not name.strip():
        raise DomainError("Enter the team's name", field="name")
    if area not in AREAS:
        raise DomainError(f"Choose an area: {', '.join(AREAS)}", field="area")
    if not SLUG.match(slug):
        raise DomainError("The web address name can only use lower-case letters, numbers and hyphens", field="slug")
    for column, value, label in ((Team.slug, slug, "web address name"), (Team.name, name.strip(), "name")):
        clash = db.session.scalar(select(Team.id).where(column == value, Team.id != (exclude_id or -1)))
        if clash:
            raise Conflict(f"Another team already has that {label}", field="slug" if label != "name" else "name")


def save_team(
    team: Team | None,
    *,
    actor,
    name,
    area,
    slug=None,
    description="",
    contact_email="",
    contact_phone="",
    coverage: list[str] = (),
) -> Team:
    """Create (team=None) or update a team and its coverage in one go."""
    slug = (slug or slugify(name)).strip().lower()
    _check_team_fields(name, slug, area, team.id if team else None)
    creating = team is None
    if creating:
        team = Team()
        db.session.add(team)
    team.name, team.slug, team.area = name.strip(), slug, area
    team.description, team.contact_email, team.contact_phone = (
        description.strip(),
        contact_email.strip(),
        contact_phone.strip(),
    )
    with db.session.no_autoflush:
        _set_coverage(team, list(coverage))
    db.session.flush()
    audit.record(
        "team.create" if creating else "team.update",
        actor=actor,
        target=team,
        summary=team.name,
        coverage=list(coverage),
    )
    return team
