"""`flask newsletter ...`: import a mailing list, compose a digest, send it. With these a team can run
a weekly digest from cron. Each command is one transaction: it saves everything or nothing.

    flask newsletter import-subscribers --team SLUG FILE.csv
    flask newsletter compose --team SLUG --subject TEXT [--intro FILE] [--weeks N]
    flask newsletter send ID
"""

from __future__ import annotations

import csv

import click
from flask.cli import AppGroup

from engagement.core import audit
from engagement.core.errors import DomainError
from engagement.extensions import db
from engagement.newsletter import issues
from engagement.newsletter.imports import import_subscribers
from engagement.newsletter.models import Issue, IssueItem
from engagement.teams.services import team_by_slug

newsletter_cli = AppGroup("newsletter", help="Newsletter subscribers and issues.")


def _team(slug: str):
    team = team_by_slug(slug)
    if team is None:
        raise click.ClickException(f"No team with slug {slug!r}. See /teams for the list.")
    return team


@newsletter_cli.command("import-subscribers")
@click.option("--team", "slug", required=True, help="The team the addresses subscribe to.")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
def import_command(slug: str, file) -> None:
    """Import confirmed subscribers from a CSV with columns email and consented_at (ISO 8601).

    Rows with a bad email or no consent time are reported and skipped; the rest are imported
    as confirmed; addresses already subscribed are not duplicated."""
    team = _team(slug)
    reader = csv.DictReader(file)
    missing = {"email", "consented_at"} - {(name or "").strip().lower() for name in reader.fieldnames or []}
    if missing:
        raise click.ClickException(
            f"The file needs the columns email and consented_at (missing: {', '.join(sorted(missing))})."
        )
    rows = [{(k or "").strip().lower(): (v or "") for k, v in row.items()} for row in reader]
    report = import_subscribers(team, rows, source=getattr(file, "name", "CSV file"))
    audit.record("newsletter.import", target=team, actor_label="cli", summary=f"{report.imported} imported",
                 imported=report.imported, already=report.already, skipped=len(report.skipped))  # fmt: skip
    db.session.commit()
    for line, reason in report.skipped:
        click.echo(f"line {line}: skipped: {reason}", err=True)
    click.echo(f"{team.name}: {report.imported} imported, {report.already} already subscribed, "
               f"{len(report.skipped)} skipped.")  # fmt: skip


@newsletter_cli.command("compose")
@click.option("--team", "slug", required=True)
@click.option("--subject", required=True)
@click.option("--intro", "intro_file", type=click.File("r", encoding="utf-8"), help="A file with the introduction.")
@click.option("--weeks", default=2, show_default=True, type=click.IntRange(0, 8), help="Weeks of upcoming events.")
def compose_command(slug: str, subject: str, intro_file, weeks: int) -> None:
    """Create a draft with the team's news since its last newsletter or from the last 30 days (whichever
    reaches further back) and print its id; which news was chosen is said on stderr and in the audit log."""
    team = _team(slug)
    posts, chosen = issues.compose_news(team)
    try:
        issue = issues.create_issue(actor=None, team=team, subject=subject, weeks=weeks,
                                    intro=intro_file.read() if intro_file else "")  # fmt: skip
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    issue.items = [IssueItem(news_post=post, position=n) for n, post in enumerate(posts)]
    audit.record("newsletter.compose", target=issue, actor_label="cli", summary=chosen,
                 posts=[post.id for post in posts])  # fmt: skip
    db.session.commit()
    click.echo(issue.id)  # stdout is only the id: scripts read it (`ID=$(flask newsletter compose ...)`)
    click.echo(f"Newsletter {issue.id}: {chosen}", err=True)


@newsletter_cli.command("send")
@click.argument("issue_id", type=int)
def send_command(issue_id: int) -> None:
    """Queue a draft for delivery now; the worker sends it to everyone subscribed when it starts."""
    issue = db.session.get(Issue, issue_id)
    if issue is None:
        raise click.ClickException(f"There is no newsletter with id {issue_id}.")
    try:
        issues.schedule(issue, actor=None)
        count = issues.recipient_count(issue)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"Newsletter {issue.id} queued for {count} subscribers; the worker sends it within a minute.")
