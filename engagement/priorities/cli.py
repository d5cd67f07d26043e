"""`flask teams ...`: importing a team's priorities and people from data.police.uk files.

  flask teams import-police-uk-priorities --team SLUG FILE.json [--dry-run]
  flask teams import-police-uk-people --team SLUG FILE.json [--dry-run] [--show]

Each import is one transaction: a file with any problem is rejected whole, naming the item,
and nothing from it is kept. The `teams` group lives here because teams, the lowest feature,
may not import the priorities it would load.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from engagement.core.errors import DomainError
from engagement.extensions import db

teams_cli = AppGroup("teams", help="Teams: import priorities and people from police.uk files.")


def _run(team_slug: str, file, dry_run: bool, importer) -> None:
    from engagement.teams.services import team_by_slug

    team = team_by_slug(team_slug.lower())
    if team is None:
        raise click.ClickException(f"There is no team called {team_slug!r}.")
    try:
        summary = importer(team, file.read())
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


@teams_cli.command("import-police-uk-priorities")
@click.option("--team", "team_slug", required=True, help="The team (slug) the priorities belong to.")
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change, but save nothing.")
@click.argument("file", type=click.File("rb"))
def import_priorities_command(team_slug: str, dry_run: bool, file):
    """Import a data.police.uk "neighbourhood priorities" JSON file (issue, issue-date, action, action-date).

    HTML in the file is sanitised and kept as plain text. Importing the same file again adds
    only actions we do not have yet. A team may have at most 5 current priorities.
    """
    from engagement.priorities.policeuk import import_priorities

    _run(team_slug, file, dry_run, import_priorities)


@teams_cli.command("import-police-uk-people")
@click.option("--team", "team_slug", required=True, help="The team (slug) the people belong to.")
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change, but save nothing.")
@click.option("--show", is_flag=True, help="Show them on the team page at once (only if they already appear on "
              "police.uk and agreed); otherwise they stay hidden until an officer shows them.")  # fmt: skip
@click.argument("file", type=click.File("rb"))
def import_people_command(team_slug: str, dry_run: bool, show: bool, file):
    """Import a data.police.uk "neighbourhood team" people JSON file (name, rank, bio, contact_details).

    contact_details is not imported: the team's own contact details are published instead.
    """
    from engagement.priorities.people_policeuk import import_people

    _run(team_slug, file, dry_run, lambda team, raw: import_people(team, raw, show=show))
