"""`flask demo load`: idempotent demo data (teams, staff and the three documented demo logins)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from engagement.extensions import db

demo_cli = AppGroup("demo", help="Demo data for trying the app.")


def load_demo() -> dict[str, int]:
    """Create or refresh demo records by natural key, so running it twice changes nothing."""
    from engagement.accounts.models import User
    from engagement.accounts.services import DEMO_PASSWORD, create_user, find_user_by_email, set_password
    from engagement.demo.data import STAFF, TEAMS
    from engagement.teams.services import save_team, team_by_slug

    created = {"teams": 0, "users": 0}
    for slug, name, area, coverage, description in TEAMS:
        team = team_by_slug(slug)
        if team is None:
            created["teams"] += 1
            save_team(
                None,
                actor=None,
                name=name,
                slug=slug,
                area=area,
                description=description,
                contact_email=f"{slug.replace('-', '')}.npt@example.org",
                contact_phone="101",
                coverage=coverage,
            )
    db.session.flush()
    for email, name, rank, role, slugs in STAFF:
        teams = [team_by_slug(s) for s in slugs]
        user: User | None = find_user_by_email(email)
        if user is None:
            created["users"] += 1
            user = create_user(
                email=email, display_name=name, rank=rank, role=role, teams=teams, password=DEMO_PASSWORD
            )
        elif user.password_hash is None:
            set_password(user, DEMO_PASSWORD)
        user.demo = True  # its password is published: production refuses it
    db.session.flush()
    from engagement.demo.events_data import load_events_demo

    created.update(load_events_demo())
    from engagement.demo.news_data import load_news_demo

    created.update(load_news_demo())
    from engagement.demo.signups_data import load_signups_demo

    created.update(load_signups_demo())
    from engagement.demo.surveys_data import load_surveys_demo

    created.update(load_surveys_demo())
    from engagement.demo.speedwatch_data import load_speedwatch_demo

    created.update(load_speedwatch_demo())
    from engagement.demo.priorities_data import load_priorities_demo

    created.update(load_priorities_demo())
    return created


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database already has teams (used by `make run`).")
def load_command(if_empty: bool):
    """Load demo teams and staff (safe to run again)."""
    from engagement.teams.models import Team

    if current_app.config["PRODUCTION"]:
        raise click.ClickException("Demo data is not loaded in production mode.")
    if if_empty and db.session.scalar(db.select(Team.id).limit(1)) is not None:
        click.echo("The database already has data; demo data not loaded.")
        return
    created = load_demo()
    db.session.commit()
    click.echo(f"Demo data ready: {created['teams']} teams and {created['users']} staff added.")
    click.echo(f"Demo events: {created['venues']} venues and {created['events']} events added.")
    click.echo(f"Demo news: {created['posts']} posts and {created['newsletters']} sent newsletter added.")
    click.echo(f"Demo sign-ups: {created['signups']} added.")
    click.echo(f"Demo surveys: {created['surveys']} surveys and {created['survey_responses']} responses added.")
    click.echo(
        f"Demo Speed Watch: {created['speedwatch_sites']} sites, {created['speedwatch_volunteers']} volunteers "
        f"and {created['speedwatch_returns']} returns added."
    )
