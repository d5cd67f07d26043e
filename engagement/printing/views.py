"""Printable PDFs: a team's notice-board poster and leaflet, one date's poster, a newsletter issue.

The posters hold only what the public pages show, so anyone may print them (a Neighbourhood
Watch coordinator without an account, a librarian); each is built once per data version and
served from a cache after that. A newsletter prints from the staff side while it is a draft,
and publicly once sent (the archive already shows it).
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from engagement.core.db import utcnow
from engagement.core.errors import NotFound
from engagement.core.permissions import access, get_or_404, require
from engagement.core.timeutil import format_date
from engagement.core.urls import public_url
from engagement.events.queries import public_occurrence
from engagement.extensions import db
from engagement.newsletter import issues
from engagement.newsletter.models import SENDING, SENT, Issue
from engagement.printing import content
from engagement.printing.render import pdf_response, render_fitted, render_pdf
from engagement.teams.services import team_by_slug


def _team_or_404(slug: str):
    team = team_by_slug(slug.lower())
    if team is None:
        abort(404, f"There is no team at /teams/{slug}. Find your team by postcode on the home page.")
    return team


def _team_sheet_pdf(team, template: str, most: int, now, **measure) -> bytes:
    sheet = content.team_sheet(team, limit=most, now=now)
    return render_fitted(template, lambda rows: content.with_rows(sheet, rows), most, **measure)


def team_poster(slug: str):
    team = _team_or_404(slug)
    now = utcnow()
    return pdf_response(key=("team-poster", team.slug), version=content.team_version(team, now),
                        filename=f"{team.slug}-poster.pdf",
                        build=lambda: _team_sheet_pdf(team, "printing/team_poster.html", content.POSTER_ROWS, now))  # fmt: skip


def team_leaflet(slug: str):
    team = _team_or_404(slug)
    now = utcnow()
    return pdf_response(key=("team-leaflet", team.slug), version=content.team_version(team, now),
                        filename=f"{team.slug}-leaflet.pdf",
                        build=lambda: _team_sheet_pdf(team, "printing/team_leaflet.html", content.LEAFLET_ROWS, now,
                                                      measure_as={"single": True}))  # fmt: skip


def event_poster(occurrence_id: int):
    viewer = current_user if current_user.is_authenticated else None
    try:
        row = public_occurrence(occurrence_id, viewer)
    except NotFound as exc:
        abort(404, exc.message)
    public = row.event.is_public
    version = (row.event.revision, row.revision, row.status, row.updated_at.isoformat(), row.event.updated_at.isoformat(),
               row.venue.updated_at.isoformat() if row.venue else "")  # fmt: skip
    return pdf_response(key=("event-poster", row.id), version=version, filename=f"event-{row.id}-poster.pdf",
                        build=lambda: render_pdf("printing/event_poster.html", **content.event_sheet(row)),
                        public=public)  # fmt: skip


def _newsletter_pdf(issue: Issue) -> bytes:
    if issue.is_sent and issue.body_html:
        body = issue.body_html
    else:
        body, _text = issues.render_content(issue)
    sheet = {
        "issue": issue,
        "scope": issues.scope_label(issue),
        "content": Markup(body),  # noqa: S704 - frozen or rendered from escaped templates and nh3-sanitised parts
        "draft": not issue.is_sent,
        "sent_on": format_date(issue.started_at) if issue.started_at else "",
        "verify_short": content.short(public_url("newsletter.verify")),
        **content.subscribe_links(issue.team),
    }
    return render_pdf("printing/newsletter.html", **sheet)


def newsletter_public(issue_id: int):
    """A sent issue, exactly as it was frozen when sending started, for coordinators to print and deliver."""
    query = select(Issue).where(Issue.id == issue_id, Issue.status.in_((SENDING, SENT)), Issue.started_at.is_not(None))
    issue = db.session.scalars(query.options(joinedload(Issue.team))).one_or_none()
    if issue is None:
        abort(404, "We could not find that newsletter. It may not have been sent yet, or the link may be wrong.")
    return pdf_response(key=("newsletter", issue.id), version=(issue.reference, issue.started_at.isoformat()),
                        filename=f"newsletter-{issue.id}.pdf", build=lambda: _newsletter_pdf(issue))  # fmt: skip


@access("team")
def newsletter_print(issue_id: int):
    """Any issue the officer may manage, drafts included (marked as a draft, with today's events)."""
    issue = get_or_404(Issue, issue_id)
    require(issues.may_manage(current_user, issue))
    return pdf_response(key=("newsletter-staff", issue.id), version=utcnow().isoformat(),
                        filename=f"newsletter-{issue.id}.pdf", build=lambda: _newsletter_pdf(issue),
                        public=False)  # fmt: skip
