"""Staff screens for the team's people: my own entry, entries for people without an account, hiding, removing.

Photos come in as multipart uploads; the request's size limit is set before the body is read
(see priorities.init_app), and services re-encode what arrives.
"""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from engagement.core.actions import perform, render_form, submit
from engagement.core.permissions import access, get_or_404, require, require_team
from engagement.extensions import db
from engagement.priorities import people, queries
from engagement.priorities.forms import ConfirmForm, OtherPersonForm, PersonForm
from engagement.priorities.models import RANKS, TeamPerson
from engagement.teams.views import team_or_404


def _team(slug: str):
    team = team_or_404(slug)
    require_team(team)
    return team


def _people_page(team) -> str:
    return url_for("priorities.staff_people", slug=team.slug)


def _details(form: PersonForm) -> people.PersonDetails:
    upload = form.photo.data
    stream = upload.stream if upload is not None and getattr(upload, "filename", "") else None
    return people.PersonDetails(name=form.name.data or "", rank=form.rank.data, bio=form.bio.data or "",
                                shown=form.shown.data, photo=stream, remove_photo=form.remove_photo.data)  # fmt: skip


def _max_bytes() -> int:
    return current_app.config["PEOPLE_PHOTO_MAX_BYTES"]


@access("team")
def staff_people(slug: str):
    team = _team(slug)
    everyone = queries.all_people(team)
    mine = next((p for p in everyone if p.user_id == current_user.id), None)
    return render_template("priorities/staff/people.html", team=team, people=everyone, mine=mine,
                           member=team.id in current_user.team_ids)  # fmt: skip


@access("team")
def own_entry(slug: str):
    """The signed-in officer's own entry: only they can put themselves on the page."""
    team = _team(slug)
    member = team.id in current_user.team_ids
    entry = people.own_entry(team, current_user) if member else None
    form = PersonForm(obj=entry) if request.method == "GET" else PersonForm()
    if request.method == "GET" and entry is None:
        form.name.data = current_user.display_name
        form.rank.data = current_user.rank if current_user.rank in RANKS else None
    if member:
        done = submit(
            form,
            lambda: people.save_own_entry(team, actor=current_user, details=_details(form), max_bytes=_max_bytes()),
            success=_people_page(team),
            message=lambda saved: "Saved. You are on the team page." if saved.shown else "Saved. You are not shown.",
        )
        if done:
            return done
    return render_form("priorities/staff/person_form.html", form, team=team, person=entry, own=True,
                               member=member, max_mb=_max_bytes() / 1_000_000)  # fmt: skip


@access("team")
def person_new(slug: str):
    team = _team(slug)
    form = OtherPersonForm()
    done = submit(form, lambda: people.save_person(None, team, actor=current_user, details=_details(form),
                                                   max_bytes=_max_bytes()),
                  success=_people_page(team), message=lambda saved: f"Added {saved.public_name}.")  # fmt: skip
    return done or render_form("priorities/staff/person_form.html", form, team=team, person=None, own=False,
                               member=True, max_mb=_max_bytes() / 1_000_000)  # fmt: skip


def _person(person_id: int) -> TeamPerson:
    person = get_or_404(TeamPerson, person_id)
    require_team(person.team)
    return person


@access("team")
def person_edit(person_id: int):
    person = _person(person_id)
    if person.user_id == current_user.id:
        return own_entry(person.team.slug)
    require(people.may_edit(current_user, person))
    form = OtherPersonForm(obj=person) if request.method == "GET" else OtherPersonForm()
    done = submit(form, lambda: people.save_person(person, person.team, actor=current_user, details=_details(form),
                                                   max_bytes=_max_bytes()),
                  success=_people_page(person.team), message="Saved.")  # fmt: skip
    return done or render_form("priorities/staff/person_form.html", form, team=person.team, person=person,
                               own=False, member=True, max_mb=_max_bytes() / 1_000_000)  # fmt: skip


@access("team")
def person_hide(person_id: int):
    person = _person(person_id)
    return perform(lambda: people.hide_person(person, actor=current_user), success=_people_page(person.team),
                   message=lambda hidden: f"{hidden.public_name} is no longer on the team page.")  # fmt: skip


@access("team")
def person_remove(person_id: int):
    person = _person(person_id)
    team = person.team
    form = ConfirmForm()
    done = submit(form, lambda: people.remove_person(person, actor=current_user), success=_people_page(team),
                  message="Removed.")  # fmt: skip
    return done or render_form("priorities/staff/person_remove.html", form, person=person)


@access("team")
def staff_photo(person_id: int):
    """The photo of any entry of the team (shown or not), for the edit form; never cached by shared caches."""
    person = _person(person_id)
    data = db.session.scalar(select(TeamPerson.photo).where(TeamPerson.id == person.id))
    if data is None:
        abort(404, "There is no photo here.")
    return Response(data, mimetype="image/jpeg", headers={"Cache-Control": "private, no-store"})


def limit_upload_size(endpoint: str | None, values) -> None:
    """Set before the body is parsed: an upload larger than a photo may be is a 413, never a temp file."""
    if endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = _max_bytes() + 100_000  # the photo plus the form's few text fields
    elif endpoint and endpoint.startswith("priorities.") and request.method == "POST":
        request.max_content_length = 200_000
    if endpoint and endpoint.startswith("priorities.") and request.content_length is not None:
        if request.max_content_length and request.content_length > request.max_content_length:
            abort(413, "The photo is too large.")


UPLOAD_ENDPOINTS = {"priorities.own_entry", "priorities.person_new", "priorities.person_edit"}
