"""data.police.uk "neighbourhood team" people: /teams/<slug>/people.json out, a file importer in.

Each object has `name`, `rank`, `bio` and `contact_details`, as police.uk publishes them.
What we emit: only people who chose to be shown; `rank` as residents read it ("PCSO");
`bio` as `<p>` paragraphs of escaped text (nh3-checked, `<p>` and `<br>` only) or null;
`contact_details` is the *team's* email and telephone (keys left out when the team has none),
never a personal number. Import (`flask teams import-police-uk-people`) matches people by name
within the team, maps police.uk's rank wording to ours, ignores `contact_details` (the team's
own are published) and rejects the whole file on any bad item. Imported people are hidden
until an officer shows them, unless the command is told they already appear on police.uk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from engagement.core import audit
from engagement.core.errors import DomainError
from engagement.extensions import db
from engagement.priorities.models import BIO_MAX, NAME_MAX, RANKS, TeamPerson
from engagement.priorities.people import position_of
from engagement.priorities.policeuk import (
    ImportRejected,
    ImportSummary,
    html_paragraphs,
    item_where,
    load_list,
    paragraphs_html,
)
from engagement.priorities.services import clean_text

# police.uk's rank wording (and common variants) to ours; matched case-insensitively.
RANK_WORDS = {
    "inspector": "Inspector",
    "police inspector": "Inspector",
    "sergeant": "Sergeant",
    "police sergeant": "Sergeant",
    "ps": "Sergeant",
    "pc": "PC",
    "police constable": "PC",
    "constable": "PC",
    "pcso": "PCSO",
    "police community support officer": "PCSO",
    "community support officer": "PCSO",
    "special constable": "Special Constable",
    "special": "Special Constable",
    "sc": "Special Constable",
    "volunteer": "Volunteer",
    "police support volunteer": "Volunteer",
}


def contact_details(team) -> dict:
    values = {"email": team.contact_email, "telephone": team.contact_phone}
    return {key: value for key, value in values.items() if value}


def person_item(person: TeamPerson, contact: dict) -> dict:
    return {
        "name": person.name,
        "rank": person.rank,
        "bio": paragraphs_html(person.bio.split("\n\n")) if person.bio else None,
        "contact_details": contact,
    }


def export(team, people: list[TeamPerson]) -> list[dict]:
    contact = contact_details(team)
    return [person_item(p, contact) for p in people if p.shown]


@dataclass
class Row:
    index: int
    name: str
    rank: str
    bio: str

    @property
    def label(self) -> str:
        return f"item {self.index + 1} (“{self.name[:60]}”)"


def parse_row(obj, index: int) -> Row:
    if not isinstance(obj, dict):
        raise ImportRejected(f"{item_where(index)} must be a JSON object ({{...}}), not {json.dumps(obj)[:40]}.")
    for key in ("name", "rank"):
        if not isinstance(obj.get(key), str):
            raise ImportRejected(f"{item_where(index)}: {key} must be text, not {json.dumps(obj.get(key))[:40]}.")
    try:
        name = clean_text(" ".join(html_paragraphs(obj["name"], "name", index)), label="a name", field="file",
                          limit=NAME_MAX)  # fmt: skip
        bio = clean_text("\n\n".join(html_paragraphs(obj.get("bio"), "bio", index)), label="the bio", field="file",
                         limit=BIO_MAX, required=False)  # fmt: skip
    except DomainError as exc:
        raise ImportRejected(f"{item_where(index)}: {exc.message}.") from None
    rank = RANK_WORDS.get(" ".join(obj["rank"].split()).casefold())
    if rank is None:
        raise ImportRejected(f"{item_where(index)}: the rank “{obj['rank'][:40]}” is not one we show. Use one of: "
                             f"{', '.join(RANKS)}.")  # fmt: skip
    return Row(index=index, name=name, rank=rank, bio=bio)


def import_people(team, raw: bytes | str, *, actor=None, show: bool = False) -> ImportSummary:
    """Import a police.uk people file into `team`. Raises ImportRejected; the caller commits or rolls back."""
    rows = [parse_row(obj, index) for index, obj in enumerate(load_list(raw, "people"))]
    people = db.session.query(TeamPerson).filter(TeamPerson.team_id == team.id).all()
    by_name = {p.name.casefold(): p for p in people}
    summary, seen = ImportSummary(), set()
    for row in rows:
        key = row.name.casefold()
        if key in seen:
            summary.skipped.append((row.label, "the same name as an earlier item"))
            continue
        seen.add(key)
        person = by_name.get(key)
        if person is not None and person.user_id is not None:
            summary.skipped.append((row.label, "an officer's own entry: they change it themselves"))
            continue
        if person is None:
            person = TeamPerson(team=team, team_id=team.id, name=row.name, shown=show)
            db.session.add(person)
            summary.created.append(row.label)
        elif (person.rank, person.bio) != (row.rank, row.bio) or (show and not person.shown):
            summary.updated.append(row.label)
        else:
            summary.unchanged.append(row.label)
        person.rank, person.bio, person.position = row.rank, row.bio, position_of(row.rank)
        person.shown = person.shown or show
    audit.record("person.import", actor=actor, target=team, summary=summary.lines()[0], source="police.uk")
    return summary
