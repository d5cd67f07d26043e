"""`flask users create --email E --name N --role R [--team SLUG] [--password-stdin]` and `flask users remove-demo`."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from engagement.accounts import services
from engagement.core.errors import DomainError
from engagement.core.permissions import ROLES
from engagement.extensions import db
from engagement.teams.services import team_by_slug

users_cli = AppGroup("users", help="Manage staff accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True, help="Full name, e.g. 'Aisha Khan'.")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--rank", default="", help="Rank or job title shown to residents, e.g. PCSO.")
@click.option("--team", "team_slugs", multiple=True, help="Team slug; repeat for several teams.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of a prompt.")
def create_user_command(email, display_name, role, rank, team_slugs, password_stdin):
    """Create a staff account."""
    teams = []
    for slug in team_slugs:
        team = team_by_slug(slug)
        if team is None:
            raise click.ClickException(f"No team with slug {slug!r}. See /teams for the list.")
        teams.append(team)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_user(
            email=email, display_name=display_name, role=role, rank=rank, teams=teams, password=password
        )
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}" + (f" in {', '.join(t.slug for t in teams)}" if teams else ""))


@users_cli.command("remove-demo")
def remove_demo_command():
    """Delete every account `flask demo load` made (production refuses to start while any exists)."""
    removed = services.remove_demo_accounts()
    db.session.commit()
    click.echo(f"Removed {len(removed)} demo account(s)" + (f": {', '.join(removed)}" if removed else "."))
