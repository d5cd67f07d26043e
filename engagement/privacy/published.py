"""Columns named like personal data that hold published, organisational facts, not residents' data.

Teams, events, news and priorities have no provider of their own yet (they hold nothing about residents); their
public columns are declared here so the coverage test (tests/privacy/test_coverage.py) knows each one
was looked at. A feature that starts holding residents' data writes its own privacy.py instead.
"""

from __future__ import annotations

from engagement.core.personal_data import Provider, register_provider

PROVIDER = Provider(
    name="published",
    label="Published information",
    about="",
    fields={},
    covers={},
    not_personal={
        "teams.name": "a neighbourhood team's public name",
        "teams.contact_email": "the team's published mailbox, shown on its public page",
        "teams.contact_phone": "the team's published number, shown on its public page",
        "event_types.name": "the name of a kind of event",
        "venues.name": "a public venue (library, community centre)",
        "venues.address": "a public venue's address",
        "events.contact_email_public": "a yes/no setting: show the team's mailbox on the event page",
        "news_posts.author_name": "the byline of a published post (staff, by their choice of name)",
        "team_people.name": "someone shown on a team's public page by their own choice (police.uk 'people'); "
        "removed on the team's people page",
        "event_import_jobs.filename": "the name of a calendar file staff uploaded",
    },
    find=lambda subject, names: [],
    erase=lambda subject, records, **kwargs: {},
    order=0,
)


def register() -> None:
    register_provider(PROVIDER)
