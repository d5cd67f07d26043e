"""Staff pages for text alerts: the overview (alerts sent, numbers, fragments this month, failures),
compose with a check step (the server's fragment count, the cap), and the residents' replies.

Officers see their own teams; coordinators and admins every team, plus replies and failures that
belong to no team. Numbers are shown masked but for the last 3 digits (core.sms.mask).
"""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user

from engagement.core.actions import render_form, submit
from engagement.core.errors import DomainError
from engagement.core.forms import apply_domain_error
from engagement.core.permissions import access, require, works_across_teams
from engagement.extensions import db
from engagement.newsletter import text_alerts as alerts
from engagement.newsletter.text_forms import AlertForm
from engagement.teams.models import Team
from engagement.teams.services import teams_for


def _team_ids() -> list[int]:
    return [t.id for t in teams_for(current_user)]


@access("staff")
def text_alerts():
    from engagement.core.sms import mask

    teams = teams_for(current_user)
    ids = [t.id for t in teams]
    across = works_across_teams(current_user)
    return render_template(
        "newsletter/staff/text_alerts.html",
        teams=teams,
        counts=alerts.subscriber_counts(ids),
        spend=alerts.spend(ids),
        sent=alerts.recent_alerts(ids),
        failures=alerts.failures(ids, include_unassigned=across),
        cap=alerts.max_fragments(),
        mask=mask,
    )


def _prefill(form: AlertForm) -> None:
    """?occurrence=<id>&kind=event|cancellation starts the alert from one of the team's dates."""
    from engagement.events.models import Occurrence

    occurrence = db.session.get(Occurrence, request.args.get("occurrence", 0, type=int) or 0)
    kind = request.args.get("kind", alerts.APPEAL)
    if occurrence is not None and occurrence.event.team_id in _team_ids():
        form.team.data = str(occurrence.event.team_id)
        form.kind.data = kind if kind in alerts.KINDS else alerts.APPEAL
        form.body.data = alerts.prefill(occurrence, form.kind.data)


@access("staff")
def new_alert():
    teams = teams_for(current_user)
    form = AlertForm()
    form.team.choices = [(str(t.id), f"{t.name} Neighbourhood Team") for t in teams]
    form.kind.choices = alerts.KIND_CHOICES
    if request.method == "GET":
        form.kind.data = alerts.APPEAL
        _prefill(form)
    check = None
    if request.method == "POST" and form.validate():
        team = db.session.get(Team, int(form.team.data))
        require(team is not None and team.id in _team_ids())
        try:
            check = alerts.check_alert(team, form.kind.data, form.body.data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        if check is not None and check.too_long:
            form.body.errors.append(f"This alert is {check.fragments} text messages long; the most is {check.cap}. "
                                    "Make it shorter.")  # fmt: skip
        elif check is not None and form.step.data == "send":
            done = submit(
                form,
                lambda: alerts.send_alert(team, form.kind.data, form.body.data, actor=current_user),
                success=url_for("newsletter.text_alerts"),
                message=lambda alert: f"Alert sent to {alert.recipients} number(s). The worker texts them now.",
            )
            if done:
                return done
    return render_form("newsletter/staff/text_alert_new.html", form, check=check, cap=alerts.max_fragments(),
                       footer=alerts.FOOTER)  # fmt: skip


@access("staff")
def replies():
    from engagement.core.sms import mask

    across = works_across_teams(current_user)
    rows = alerts.replies(_team_ids(), include_unassigned=across)
    return render_template("newsletter/staff/text_replies.html", replies=rows, mask=mask, across=across)
