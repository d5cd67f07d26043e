"""Records for tests outside this folder (the permissions matrix), built through the services."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image

from engagement.extensions import db
from engagement.priorities.people import PersonDetails, save_person
from engagement.priorities.services import PriorityDetails, add_action, create_priority, today


def sample_records(team) -> dict:
    """A current priority of `team` with one action, and a shown entry (with a photo) for someone without an account."""
    priority = create_priority(team, actor=None, details=PriorityDetails(
        issue="Speeding on Icknield Port Road", set_on=today() - timedelta(days=20), how="meeting"))  # fmt: skip
    action = add_action(priority, actor=None, taken_on=today() - timedelta(days=5), text="6 Speed Watch sessions")
    person = save_person(None, team, actor=None, details=PersonDetails(name="Priya Volunteer", rank="Volunteer",
                                                                       shown=True, photo=_tiny_jpeg()),
                         max_bytes=1_000_000)  # fmt: skip
    db.session.commit()
    return {"priority_id": priority.id, "action_id": action.id, "person_id": person.id}


def _tiny_jpeg() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(out, "JPEG")
    out.seek(0)
    return out
