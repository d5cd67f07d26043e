"""The back office's letter pages.

  /staff/speed-watch/letters                          vehicles due a letter, the keeper lookup, batches (staff)
  /staff/speed-watch/letters/keeper-lookup.csv        what the DVLA lookup needs, for letters waiting (staff, audited)
  /staff/speed-watch/letters/keepers                  import the lookup's keeper names and addresses (staff)
  /staff/speed-watch/letters/produce                  POST: gather the ready letters into a batch (staff)
  /staff/speed-watch/letters/batches/<id>             one batch: its PDF, its mail-merge CSV, mark sent (team*)
  /staff/speed-watch/letters/batches/<id>/letters.pdf, letters.csv, /sent
*a batch is shown only to staff of every team in it. Volunteers get 403 on all of these.
"""

from __future__ import annotations

from flask import Response, abort, render_template, url_for
from flask_login import current_user

from engagement.core.actions import commit, perform, render_form, submit
from engagement.core.errors import DomainError
from engagement.core.permissions import access, get_or_404, works_across_teams
from engagement.speedwatch.access import list_scope
from engagement.speedwatch.forms import ConfirmForm
from engagement.speedwatch.letters import batches, keepers, queries
from engagement.speedwatch.letters.forms import KeeperImportForm
from engagement.speedwatch.letters.models import DUE, READY, LetterBatch
from engagement.teams.services import teams_for


@access("staff")
def letters():
    team_ids, chosen = list_scope()
    return render_template(
        "speedwatch/letters.html",
        counts=queries.counts(team_ids),
        due=queries.letters_in(DUE, team_ids),
        ready=queries.letters_in(READY, team_ids),
        batches=queries.recent_batches(team_ids),
        chosen=chosen,
        teams=teams_for(current_user),
        form=KeeperImportForm(),
        confirm=ConfirmForm(),
    )


@access("staff")
def keeper_lookup_csv():
    team_ids, _chosen = list_scope()
    keepers.record_lookup(team_ids, actor=current_user)
    commit()  # the audit entry exists before any row leaves
    return keepers.lookup_response(team_ids)


@access("staff")
def keepers_import():
    form = KeeperImportForm()

    def run():
        upload = form.file.data
        data = upload.stream.read(keepers.MAX_BYTES + 1) if upload else b""
        return keepers.import_keepers(data, actor=current_user)

    done = submit(
        form,
        run,
        success=url_for("speedwatch.letters") + "#ready",
        message=lambda n: f"Keeper details added to {n} letter{'s' if n != 1 else ''}: they are ready to produce.",
    )
    return done or render_form("speedwatch/letters_import.html", form)


@access("staff")
def letters_produce():
    team_ids, _chosen = list_scope()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return perform(
        lambda: batches.produce_batch(team_ids, actor=current_user),
        success=lambda batch: url_for("speedwatch.letter_batch", batch_id=batch.id),
        message=lambda batch: "Letters produced: download the PDF and the mail-merge file, then mark them sent.",
        failure=url_for("speedwatch.letters"),
    )


def _batch(batch_id: int):
    batch = get_or_404(LetterBatch, batch_id)
    rows = batches.batch_letters(batch)
    batches.check_batch_access(batch, rows, current_user)  # PermissionDenied is answered as a 403
    return batch, rows


@access("team")
def letter_batch(batch_id: int):
    batch, rows = _batch(batch_id)
    return render_template(
        "speedwatch/letter_batch.html",
        batch=batch,
        letters=rows,
        erased=any(r.keeper_erased_at for r in rows),
        confirm=ConfirmForm(),
        everyone=works_across_teams(current_user),
    )


def _refused(exc: DomainError):
    return render_template(
        "errors/error.html", status=exc.status, title="Not available", message=exc.message, hint=""
    ), exc.status


@access("team")
def letter_batch_pdf(batch_id: int):
    batch, rows = _batch(batch_id)
    try:
        batches.record_pdf_download(batch, rows, actor=current_user)
        commit()
        pdf = batches.pdf_bytes(batch, rows)
    except DomainError as exc:
        return _refused(exc)
    response = Response(pdf, content_type="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="speed-watch-letters-{batch.id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@access("team")
def letter_batch_csv(batch_id: int):
    batch, rows = _batch(batch_id)
    try:
        batches.record_merge(batch, rows, actor=current_user)
    except DomainError as exc:
        return _refused(exc)
    commit()
    return batches.merge_response(batch, rows)


@access("team")
def letter_batch_sent(batch_id: int):
    batch, _rows = _batch(batch_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return perform(
        lambda: batches.mark_sent(batch, actor=current_user),
        success=url_for("speedwatch.letter_batch", batch_id=batch.id),
        message=lambda saved: "Marked as sent.",
    )
