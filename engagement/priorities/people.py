"""The team's people: who is shown publicly, by their own choice, and who may change an entry.

An officer's entry is theirs: only they can create it, change it or put it on the public page
(their team's managers can take it off the page or remove it). Someone without an account
(a volunteer, an officer imported from police.uk) is recorded by the team's officers, who
confirm the person agreed before showing them. Nobody is shown by default; no personal phone
number or email is ever stored or published here: residents contact the team.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from engagement.core import audit
from engagement.core.db import utcnow
from engagement.core.errors import DomainError, PermissionDenied
from engagement.core.permissions import can_manage_team
from engagement.extensions import db
from engagement.priorities.models import BIO_MAX, NAME_MAX, RANKS, TeamPerson
from engagement.priorities.photos import reencode
from engagement.priorities.services import clean_text


@dataclass
class PersonDetails:
    name: str
    rank: str
    bio: str = ""
    shown: bool = False
    photo: object | None = None  # an uploaded file's stream, or None to keep the current photo
    remove_photo: bool = False


def position_of(rank: str) -> int:
    return RANKS.index(rank) * 10 if rank in RANKS else 100


def own_entry(team, user) -> TeamPerson | None:
    return db.session.scalar(select(TeamPerson).where(TeamPerson.team_id == team.id, TeamPerson.user_id == user.id))


def may_edit(actor, person: TeamPerson) -> bool:
    """An officer's own entry only by them; an entry without an account by the team's officers."""
    if actor is None:
        return True
    if person.user_id is not None:
        return person.user_id == actor.id
    return can_manage_team(actor, person.team)


def may_remove(actor, person: TeamPerson) -> bool:
    return actor is None or person.user_id == getattr(actor, "id", None) or can_manage_team(actor, person.team)


def _apply(person: TeamPerson, details: PersonDetails, *, max_bytes: int) -> None:
    person.name = clean_text(details.name, label="a name", field="name", limit=NAME_MAX)
    if "\n" in person.name:
        raise DomainError("Enter the name on one line", field="name")
    if details.rank not in RANKS:
        raise DomainError(f"Choose a rank or role: {', '.join(RANKS)}", field="rank")
    person.rank, person.position = details.rank, position_of(details.rank)
    person.bio = clean_text(details.bio, label="the short bio", field="bio", limit=BIO_MAX, required=False)
    person.shown = bool(details.shown)
    if details.photo is not None:
        person.photo, person.photo_at = reencode(details.photo, max_bytes=max_bytes), utcnow()
    elif details.remove_photo:
        person.photo, person.photo_at = None, None


def save_own_entry(team, *, actor, details: PersonDetails, max_bytes: int) -> TeamPerson:
    """Create or change the signed-in officer's own entry on a team they belong to."""
    if team.id not in actor.team_ids:
        raise PermissionDenied("You can appear only on the page of a team you belong to.")
    person = own_entry(team, actor) or TeamPerson(team=team, team_id=team.id, user_id=actor.id)
    _apply(person, details, max_bytes=max_bytes)
    db.session.add(person)
    db.session.flush()
    audit.record("person.own_entry", actor=actor, target=person, summary=person.public_name, shown=person.shown)
    return person


def save_person(person: TeamPerson | None, team, *, actor, details: PersonDetails, max_bytes: int) -> TeamPerson:
    """Create or change an entry for someone without an account (the team records their agreement)."""
    if person is None:
        if actor is not None and not can_manage_team(actor, team):
            raise PermissionDenied("Only the team's officers can add people to its page.")
        person = TeamPerson(team=team, team_id=team.id)
    elif not may_edit(actor, person):
        raise PermissionDenied("Only the officer themselves can change their entry.")
    _apply(person, details, max_bytes=max_bytes)
    db.session.add(person)
    db.session.flush()
    audit.record("person.save", actor=actor, target=person, summary=person.public_name, shown=person.shown)
    return person


def hide_person(person: TeamPerson, *, actor) -> TeamPerson:
    """Take someone off the public page (anyone who may remove the entry may do this)."""
    if not may_remove(actor, person):
        raise PermissionDenied("Only the team's officers can change its page.")
    person.shown = False
    audit.record("person.hide", actor=actor, target=person, summary=person.public_name)
    return person


def remove_person(person: TeamPerson, *, actor) -> None:
    if not may_remove(actor, person):
        raise PermissionDenied("Only the team's officers can change its page.")
    audit.record("person.remove", actor=actor, target=person, summary=person.public_name)
    db.session.delete(person)
