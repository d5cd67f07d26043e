"""A vehicle's history, the referrals for a visit, and the force's letter wording.

  /staff/speed-watch/vehicles/<id>                    one vehicle: sightings, steps, letters, referrals (team*)
  /staff/speed-watch/referrals                        open referrals of my teams (staff)
  /staff/speed-watch/referrals/<id>                   one referral with the vehicle's history; close it (team)
  /staff/speed-watch/letters/templates[/<step>]       the letters' wording, editable (coordinator)
*the officers of a team whose site saw the vehicle, coordinators and admins. Never volunteers.
"""

from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, render_template, request, url_for
from flask_login import current_user

from engagement.core.actions import render_form, submit
from engagement.core.db import utcnow
from engagement.core.permissions import access, get_or_404, require, require_team, works_across_teams
from engagement.speedwatch.access import list_scope
from engagement.speedwatch.letters import queries, referrals, templates
from engagement.speedwatch.letters.forms import CloseReferralForm, TemplateForm
from engagement.speedwatch.letters.models import FIRST_LETTER, LETTER_STEPS, OPEN, STEP_LABELS, Letter, Referral


def _vehicle_or_404(ladder_id: int):
    entry = queries.vehicle(ladder_id)
    if entry is None:
        abort(404, "We could not find that vehicle.")
    require(works_across_teams(current_user) or bool(queries.vehicle_team_ids(entry) & set(current_user.team_ids)))
    return entry


def _history_context(entry) -> dict:
    return {
        "entry": entry,
        "letters": queries.vehicle_letters(entry),
        "referrals": queries.vehicle_referrals(entry),
        "repeat_days": current_app.config["SPEEDWATCH_REPEAT_DAYS"],
    }


@access("team")
def vehicle(ladder_id: int):
    return render_template("speedwatch/vehicle.html", **_history_context(_vehicle_or_404(ladder_id)))


@access("staff")
def referrals_list():
    team_ids, chosen = list_scope()
    status = "closed" if request.args.get("status") == "closed" else OPEN
    return render_template(
        "speedwatch/referral_list.html",
        rows=queries.referral_list(team_ids, status=status),
        status=status,
        chosen=chosen,
    )


@access("team")
def referral(referral_id: int):
    found = get_or_404(Referral, referral_id)
    require_team(found.team)
    form = CloseReferralForm()
    done = submit(
        form,
        lambda: referrals.close_referral(found, actor=current_user, outcome=form.outcome.data or ""),
        success=url_for("speedwatch.referrals"),
        message="Referral closed.",
    )
    entry = queries.vehicle(found.ladder_id)
    return done or render_form("speedwatch/referral.html", form, referral=found, **_history_context(entry))


def _sample_letter(step: str) -> Letter:
    """A made-up letter to preview the wording with (never saved)."""
    from engagement.teams.models import Team

    team = Team(name="Ladywood", slug="sample")
    return Letter(
        step=step,
        registration="AB12CDE",
        make="Ford Fiesta",
        colour="Silver",
        site_name="Monument Road",
        road="Monument Road, Birmingham",
        speed_mph=41,
        speed_limit=30,
        seen_at=datetime(2027, 3, 3, 8, 15, tzinfo=utcnow().tzinfo),
        keeper_name="Alex Sample",
        team=team,
    )


@access("coordinator")
def letter_templates():
    bodies = templates.all_templates()
    return render_template(
        "speedwatch/letter_templates.html", steps=[(s, STEP_LABELS[s], bodies[s]) for s in LETTER_STEPS]
    )


@access("coordinator")
def letter_template_edit(step: str):
    if step not in LETTER_STEPS:
        abort(404, "There is no letter for that step.")
    form = TemplateForm()
    if request.method == "GET":
        form.body.data = templates.template_body(step)
    done = submit(
        form,
        lambda: templates.save_template(step, form.body.data or "", actor=current_user),
        success=url_for("speedwatch.letter_templates"),
        message=f"Saved the wording of the {STEP_LABELS[step].lower()}.",
    )
    preview = templates.fill(form.body.data or "", templates.values_for(_sample_letter(step)))
    return done or render_form(
        "speedwatch/letter_template_form.html",
        form,
        step=step,
        label=STEP_LABELS[step],
        placeholders=templates.PLACEHOLDERS,
        preview=templates.paragraphs(preview),
        first=step == FIRST_LETTER,
    )
