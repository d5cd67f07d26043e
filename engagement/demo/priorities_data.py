"""Demo priorities and team members, made through the priorities services like an officer would.

Ladywood and Coventry City Centre get the few local problems they committed to (with dated actions,
one closed with its outcome), and a Ladywood officer who chose to appear on the team page.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engagement.accounts.services import find_user_by_email
from engagement.extensions import db
from engagement.priorities import people, services
from engagement.priorities.models import MEETING, OTHER, SURVEY, Priority
from engagement.priorities.people import PersonDetails
from engagement.priorities.services import PriorityDetails
from engagement.teams.services import team_by_slug

PRIORITIES = {
    "ladywood": [
        ("Speeding on Icknield Port Road", 120, MEETING, "Ladywood community meeting",
         [(100, "Community Speed Watch sessions started at the Icknield Port Road site"),
          (30, "12 Speed Watch sessions held; advisory letters sent to repeat vehicles")]),
        ("Anti-social behaviour around the Ladywood Arts and Leisure Centre", 90, SURVEY, "",
         [(60, "Extra evening patrols on Fridays and Saturdays with the leisure centre's staff")]),
        ("Vehicle crime on the Jewellery Quarter side streets", 45, MEETING, "Jewellery Quarter residents' meeting",
         [(20, "Free steering locks handed out at two surgeries")]),
    ],
    "coventry-city-centre": [
        ("Shoplifting in the Lower Precinct", 80, OTHER, "Business crime partnership",
         [(40, "Shop radio scheme extended to 14 more shops")]),
    ],
}  # fmt: skip
CLOSED = ("ladywood", "Drug dealing near the Ladywood Middleway shops", 300, MEETING, 200,
          "A closure order on one flat and four arrests; residents at the March meeting reported the problem had stopped.")  # fmt: skip
# The demo officer (officer@example.org) is left off on purpose, so trying "Add myself" works from the demo.
PEOPLE = [
    ("d.byrne@example.org", "ladywood", "PC", "I lead the team's work on vehicle crime and Community Speed Watch. "
     "Find me at the Tuesday surgery in the library, or ring the team on 101."),
]  # fmt: skip


def load_priorities_demo() -> dict[str, int]:
    """Safe to run again: a team that already has priorities is left alone."""
    created = {"priorities": 0, "people": 0}
    today = services.today()
    for slug, rows in PRIORITIES.items():
        team = team_by_slug(slug)
        if team is None or _has_priorities(team):
            continue
        for issue, set_days_ago, how, detail, actions in rows:
            survey = services.survey_choices(team, limit=1) if how == SURVEY else []
            how = how if survey or how != SURVEY else OTHER  # no survey to link: say it was set another way
            details = PriorityDetails(issue, today - timedelta(days=set_days_ago), how, detail,
                                      survey[0].id if survey else None)  # fmt: skip
            priority = services.create_priority(team, actor=None, details=details)
            for days_ago, text in actions:
                services.add_action(priority, actor=None, taken_on=today - timedelta(days=days_ago), text=text)
            created["priorities"] += 1
        if slug == CLOSED[0]:
            _, issue, set_days_ago, how, closed_days_ago, outcome = CLOSED
            details = PriorityDetails(issue, today - timedelta(days=set_days_ago), how)
            old = services.create_priority(team, actor=None, details=details)
            services.close_priority(old, actor=None, closed_on=today - timedelta(days=closed_days_ago), outcome=outcome)
            created["priorities"] += 1
    for email, slug, rank, bio in PEOPLE:
        user, team = find_user_by_email(email), team_by_slug(slug)
        if user is None or team is None or people.own_entry(team, user) is not None:
            continue
        details = PersonDetails(name=user.display_name, rank=rank, bio=bio, shown=True)
        people.save_own_entry(team, actor=user, details=details, max_bytes=0)
        created["people"] += 1
    return created


def _has_priorities(team) -> bool:
    return db.session.scalar(select(Priority.id).where(Priority.team_id == team.id).limit(1)) is not None
