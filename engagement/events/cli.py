"""`flask events ...`: importing events from other systems' files.

  flask events import-police-uk --team SLUG FILE.json [--dry-run]

Each import runs in one transaction: a file with any problem is rejected whole, with the
reason and the item, and nothing from it is kept. Both print their progress as they go, and
both keep to the limits in events/limits.py (size, number of events and dates, time).
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from engagement.core.errors import DomainError
from engagement.extensions import db

events_cli = AppGroup("events", help="Events: import from other systems.")


@events_cli.command("import-police-uk")
@click.option("--team", "team_slug", required=True, help="The team (slug) the events belong to.")
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change, but save nothing.")
@click.argument("file", type=click.File("rb"))
def import_police_uk_command(team_slug: str, dry_run: bool, file):
    """Import a data.police.uk "neighbourhood events" JSON file (times are UK local time).

    Every item becomes a published one-off event; importing the same file again updates
    those events instead of adding copies. Items are counted from 1 in messages.
    """
    from engagement.events.limits import MAX_FILE_BYTES
    from engagement.events.policeuk import import_police_uk
    from engagement.teams.services import team_by_slug

    team = team_by_slug(team_slug.lower())
    if team is None:
        raise click.ClickException(f"There is no team called {team_slug!r}.")
    try:
        summary = import_police_uk(team, file.read(MAX_FILE_BYTES + 1), progress=click.echo)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(f"{file.name}: rejected, nothing was imported. {exc.message}") from None
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    for line in summary.lines():
        click.echo(line)
    if dry_run:
        click.echo("Dry run: nothing was saved.")


@events_cli.command("import-ics")
@click.option("--team", "team_slug", required=True, help="The team (slug) the events belong to.")
@click.option(
    "--type",
    "type_slug",
    default="public-meeting",
    show_default=True,
    help="Event type for events whose CATEGORIES match none of ours.",
)
@click.argument("file", type=click.File("rb"))
def import_ics_command(team_slug: str, type_slug: str, file):
    """Import the VEVENTs of an .ics file (RRULE, EXDATE, RECURRENCE-ID, all-day, VTIMEZONE zones).

    Matched on UID, so importing the same file again updates instead of duplicating.
    A malformed file is rejected whole, with the line where possible. Prints its progress.
    """
    from sqlalchemy import select

    from engagement.core.db import utcnow
    from engagement.events.ics_import import apply
    from engagement.events.ics_parse import Deadline, parse
    from engagement.events.limits import MAX_FILE_BYTES
    from engagement.events.models import EventType
    from engagement.teams.services import team_by_slug

    team = team_by_slug(team_slug.lower())
    if team is None:
        raise click.ClickException(f"There is no team called {team_slug!r}.")
    default_type = db.session.scalar(select(EventType).where(EventType.slug == type_slug))
    if default_type is None:
        raise click.ClickException(f"There is no event type called {type_slug!r}.")
    now, deadline = utcnow(), Deadline()
    try:
        parsed = parse(file.read(MAX_FILE_BYTES + 1), now=now, deadline=deadline)
        click.echo(f"Checked {file.name}: {len(parsed.items)} events, {parsed.dates} dates. Saving...")
        summary = apply(
            team,
            parsed,
            actor=None,
            default_type=default_type,
            now=now,
            deadline=deadline,
            progress=lambda done, total: click.echo(f"  saved {done} of {total} events"),
        )
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(f"{file.name}: rejected, nothing was imported. {exc.message}") from None
    db.session.commit()
    for line in summary.lines():
        click.echo(line)
