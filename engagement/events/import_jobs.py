"""Import jobs: a big .ics upload is stored and imported by the worker, never inside the web request.

The upload view stores the file (at most limits.MAX_FILE_BYTES) as a job and answers at once with
the job's page, which refreshes itself until the worker has finished. The worker task
"events-imports" claims one queued job at a time (FOR UPDATE SKIP LOCKED, so several workers
share the queue on PostgreSQL), marks it running and commits (so the page says "Checking the
file"), checks the whole file without writing, commits the count ("Saving 420 events"), then
writes the events and the outcome in ONE transaction: a file is imported whole or not at all.
A worker that dies mid-import leaves the job running; after JOB_LEASE another takes it again,
at most MAX_ATTEMPTS times. The file's bytes are dropped once the job has finished.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, and_, delete, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.core.db import TimestampMixin, UTCDateTime, utcnow
from engagement.core.errors import DomainError
from engagement.events.ics_import import ImportSummary, apply
from engagement.events.ics_parse import Deadline, parse
from engagement.events.limits import MAX_FILE_BYTES
from engagement.events.models import EventType
from engagement.extensions import db

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
FINISHED = (DONE, FAILED)
JOB_LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 3
JOBS_PER_PASS = 3
KEEP_JOBS = timedelta(days=90)
FALLBACK_TYPE = "public-meeting"
UNEXPECTED = (
    "The file could not be imported because of an unexpected problem, so nothing was imported. "
    "Try again; if it happens again, an administrator can find the details in the server log."
)


class ImportJob(TimestampMixin, db.Model):
    """One uploaded calendar file waiting for, or done by, the worker."""

    __tablename__ = "event_import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), nullable=False, index=True)
    event_type_id: Mapped[int | None] = mapped_column(ForeignKey("event_types.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255), default="", nullable=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(12), default=QUEUED, nullable=False, index=True)
    stage: Mapped[str] = mapped_column(String(120), default="", nullable=False)
    events: Mapped[int | None] = mapped_column(Integer)  # VEVENTs in the file, once checked
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[str] = mapped_column(Text, default="", nullable=False)  # ImportSummary as JSON
    error: Mapped[str] = mapped_column(Text, default="", nullable=False)

    team = relationship("Team")
    event_type = relationship("EventType")

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def result(self) -> ImportSummary | None:
        if not self.summary:
            return None
        values = json.loads(self.summary)
        return ImportSummary(values["created"], values["updated"], [tuple(pair) for pair in values["skipped"]])

    def __repr__(self) -> str:
        return f"<ImportJob {self.id} {self.status}>"


def queue_import(team, data: bytes, *, filename: str, actor, default_type: EventType | None) -> ImportJob:
    """Store the file for the worker; the caller commits. The file's size is checked here, its content later."""
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.", field="file")
    job = ImportJob(
        team=team,
        event_type=default_type,
        created_by_id=getattr(actor, "id", None),
        filename=(filename or "")[:255],
        data=data,
        size=len(data),
        status=QUEUED,
        stage="Waiting for the background worker",
    )
    db.session.add(job)
    db.session.flush()
    return job


def recent_jobs(team, limit: int = 5) -> list[ImportJob]:
    """The team's latest uploads, for the import page (one query)."""
    query = select(ImportJob).where(ImportJob.team_id == team.id).order_by(ImportJob.id.desc()).limit(limit)
    return db.session.scalars(query).all()


# --- the worker ----------------------------------------------------------------------------


def run_import_jobs(now: datetime | None = None) -> int:
    """Worker task: import up to JOBS_PER_PASS waiting files, each in its own transaction."""
    handled = 0
    for _ in range(JOBS_PER_PASS):
        job = _claim(now or utcnow())
        if job is None:
            break
        run_job(job)
        handled += 1
    _forget_old(now or utcnow())
    return handled


def _claim(now: datetime) -> ImportJob | None:
    """The oldest queued job (or one whose worker died), marked running and committed; None if there is none."""
    stale = and_(ImportJob.status == RUNNING, ImportJob.started_at < now - JOB_LEASE)
    while True:
        query = (
            select(ImportJob)
            .where(or_(ImportJob.status == QUEUED, stale))
            .order_by(ImportJob.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        job = db.session.scalar(query)
        if job is None:
            db.session.rollback()
            return None
        if job.attempts >= MAX_ATTEMPTS:  # it killed its worker each time: give up rather than loop
            _finish(job, FAILED, error=UNEXPECTED, now=now)
            db.session.commit()
            continue
        job.status, job.started_at, job.attempts = RUNNING, now, job.attempts + 1
        job.stage = "Checking the file"
        db.session.commit()
        return job


def run_job(job: ImportJob, now: datetime | None = None) -> None:
    """Check, then apply, one claimed job; the events and the outcome are committed together."""
    job_id, now = job.id, now or utcnow()
    try:
        deadline = Deadline()
        parsed = parse(job.data, now=now, deadline=deadline)
        job.events, job.stage = len(parsed.items), f"Saving {len(parsed.items)} events"
        db.session.commit()  # only the job row: nothing from the file is written yet
        default_type = job.event_type or db.session.scalar(select(EventType).where(EventType.slug == FALLBACK_TYPE))
        actor = _actor(job.created_by_id)
        summary = apply(job.team, parsed, actor=actor, default_type=default_type, now=now, deadline=deadline)
        _finish(job, DONE, summary=summary, now=now)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        _fail(job_id, f"Nothing was imported. {exc.message}", now)
    except Exception:  # noqa: BLE001 - the job must record its end; the traceback goes to the log
        db.session.rollback()
        current_app.logger.exception("import job %s failed", job_id)
        _fail(job_id, UNEXPECTED, now)


def _actor(user_id: int | None):
    from engagement.accounts.models import User

    return db.session.get(User, user_id) if user_id else None


def _finish(job: ImportJob, status: str, *, now: datetime, summary: ImportSummary | None = None, error: str = ""):
    job.status, job.finished_at, job.stage, job.error, job.data = status, now, "", error, b""
    if summary is not None:
        job.summary = json.dumps(
            {"created": summary.created, "updated": summary.updated, "skipped": [list(p) for p in summary.skipped]}
        )


def _fail(job_id: int, message: str, now: datetime) -> None:
    job = db.session.get(ImportJob, job_id)
    if job is not None:
        _finish(job, FAILED, error=message[:4000], now=now)
        db.session.commit()


def _forget_old(now: datetime) -> None:
    db.session.execute(
        delete(ImportJob).where(ImportJob.status.in_(FINISHED), ImportJob.finished_at < now - KEEP_JOBS),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


def status_text(job: ImportJob) -> str:
    """What the job page says while the file waits or is being imported."""
    return {QUEUED: "Waiting to start", RUNNING: job.stage or "Importing"}.get(job.status, "")
