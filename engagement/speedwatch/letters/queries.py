"""Reads for the back office pages: each list one query (or one aggregate), bounded."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from engagement.extensions import db
from engagement.speedwatch.letters.models import (
    DUE,
    OPEN,
    READY,
    LadderStep,
    LadderVehicle,
    Letter,
    LetterBatch,
    Referral,
)

LIST_MAX = 200


def _scoped(query, model, team_ids):
    return query if team_ids is None else query.where(model.team_id.in_(team_ids or [-1]))


def letters_in(status: str, team_ids: list[int] | None, limit: int = LIST_MAX) -> list[Letter]:
    query = (
        select(Letter).options(joinedload(Letter.team)).where(Letter.status == status).order_by(Letter.id).limit(limit)
    )
    return db.session.scalars(_scoped(query, Letter, team_ids)).all()


def counts(team_ids: list[int] | None) -> dict[str, int]:
    """Letters per state and open referrals, in two aggregate queries."""
    query = _scoped(select(Letter.status, func.count(Letter.id)).group_by(Letter.status), Letter, team_ids)
    found = dict(db.session.execute(query).all())
    referrals = _scoped(select(func.count(Referral.id)).where(Referral.status == OPEN), Referral, team_ids)
    found["referrals"] = db.session.scalar(referrals) or 0
    return {key: found.get(key, 0) for key in (DUE, READY, "referrals")} | found


def recent_batches(team_ids: list[int] | None, limit: int = 20) -> list[tuple[LetterBatch, int]]:
    """Batches with letters in these teams, newest first, each with its letter count (one query)."""
    query = (
        select(LetterBatch, func.count(Letter.id))
        .join(Letter, Letter.batch_id == LetterBatch.id)
        .group_by(LetterBatch.id)
        .order_by(LetterBatch.produced_at.desc(), LetterBatch.id.desc())
        .limit(limit)
    )
    return [tuple(r) for r in db.session.execute(_scoped(query, Letter, team_ids)).all()]


def referral_list(team_ids: list[int] | None, *, status: str = OPEN, limit: int = LIST_MAX) -> list[Referral]:
    query = (
        select(Referral)
        .options(joinedload(Referral.team), joinedload(Referral.ladder))
        .where(Referral.status == status)
        .order_by(Referral.created_at.desc(), Referral.id.desc())
        .limit(limit)
    )
    return db.session.scalars(_scoped(query, Referral, team_ids)).all()


def vehicle(ladder_id: int) -> LadderVehicle | None:
    """One vehicle with its whole ladder history (two queries)."""
    return db.session.scalar(
        select(LadderVehicle).where(LadderVehicle.id == ladder_id).options(selectinload(LadderVehicle.history))
    )


def vehicle_team_ids(entry: LadderVehicle) -> set[int]:
    """The teams whose sites saw the vehicle: their officers may see its history."""
    return {step.team_id for step in entry.history if step.team_id is not None} | (
        {entry.team_id} if entry.team_id else set()
    )


def vehicle_letters(entry: LadderVehicle) -> list[Letter]:
    return db.session.scalars(select(Letter).where(Letter.ladder_id == entry.id).order_by(Letter.id)).all()


def vehicle_referrals(entry: LadderVehicle) -> list[Referral]:
    return db.session.scalars(
        select(Referral)
        .options(joinedload(Referral.closed_by))
        .where(Referral.ladder_id == entry.id)
        .order_by(Referral.id)
    ).all()


def steps_for_return(return_id: int) -> list[LadderStep]:
    """Where each vehicle of one return went on the ladder (for the return's page)."""
    return db.session.scalars(
        select(LadderStep).options(joinedload(LadderStep.ladder)).where(LadderStep.return_id == return_id)
    ).all()
