"""Staff pages for text alerts: the overview (alerts sent with their delivery, numbers, fragments this month,
failures), one alert's delivery, compose with a check step (the server's fragment count, the cap), and the
residents' replies.

Officers see their own teams; coordinators and admins every team, plus replies and failures that
belong to no team. Numbers are shown masked but for the last 3 digits (core.sms.mask).
"""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user

from engagement.core.actions import render_form, submit
from engagement.core.errors import DomainError
from engagement.core.forms import apply_domain_error
from engagement.core.permissions import access, get_or_404, require, works_across_teams
from engagement.extensions import db
from engagement.newsletter import text_alerts as alerts
from engagement.newsletter import text_delivery
from engagement.newsletter.text_forms import AlertForm
from engagement.newsletter.text_models import TextAlert
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
    sent = alerts.recent_alerts(ids)
    return render_template(
        "newsletter/staff/text_alerts.html",
        teams=teams,
        counts=alerts.subscriber_counts(ids),
        spend=alerts.spend(ids),
        sent=sent,
        delivery=text_delivery.deliveries(sent),
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
                success=lambda alert: url_for("newsletter.text_alert", alert_id=alert.id),
                message=lambda alert: f"Alert sent to {alert.recipients} number(s). The worker texts them now.",
            )
            if done:
                return done
    return render_form("newsletter/staff/text_alert_new.html", form, check=check, cap=alerts.max_fragments(),
                       footer=alerts.FOOTER)  # fmt: skip


@access("team")
def alert(alert_id: int):
    """One alert: its text, its parts, and how its texts were delivered, with the numbers that failed for good."""
    from engagement.core.sms import mask

    row = get_or_404(TextAlert, alert_id)
    require(row.team_id in _team_ids())
    return render_template("newsletter/staff/text_alert.html", alert=row,
                           delivery=text_delivery.deliveries([row])[row.id],
                           failures=text_delivery.permanent_failures(row), reason=text_delivery.failure_reason,
                           kinds=alerts.KINDS, mask=mask)  # fmt: skip


@access("staff")
def replies():
    from engagement.core.sms import mask

    across = works_across_teams(current_user)
    rows = alerts.replies(_team_ids(), include_unassigned=across)
    return render_template("newsletter/staff/text_replies.html", replies=rows, mask=mask, across=across)
