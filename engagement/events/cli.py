"""`flask events ...`: importing events from other systems' files.

  flask events import-police-uk --team SLUG FILE.json [--dry-run]

Each import runs in one transaction: a file with any problem is rejected whole, with the
reason and the item, and nothing from it is kept.
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
    from engagement.events.policeuk import import_police_uk
    from engagement.teams.services import team_by_slug

    team = team_by_slug(team_slug.lower())
    if team is None:
        raise click.ClickException(f"There is no team called {team_slug!r}.")
    try:
        summary = import_police_uk(team, file.read())
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
