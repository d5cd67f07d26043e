"""The letter ladder's records. Registrations and keeper details are personal data.

* `LadderVehicle`: one row per registration seen anywhere in the force, with the step it is at
  and when it moved there; `LadderStep` rows are its history (one per session it was seen in).
* `Letter`: a letter due, produced or sent for one step, with the sighting it is about copied in.
  Keeper name and address come from the DVLA lookup (import) and are erased by the worker
  SPEEDWATCH_KEEPER_DAYS after the letter is produced (letters.tasks).
* `LetterBatch`: letters produced together (one PDF, one mail-merge CSV), then marked sent.
* `LetterTemplate`: the force's wording per step, plain text with {placeholders}.
* `Referral`: a task for the team's officers: a police visit (third sighting) or a review (high speed).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.core.db import TimestampMixin, UTCDateTime, utcnow
from engagement.extensions import db

FIRST_LETTER, SECOND_LETTER, REFERRED, HIGH_SPEED = "first_letter", "second_letter", "referred", "high_speed"
STEP_LABELS = {
    FIRST_LETTER: "First advisory letter",
    SECOND_LETTER: "Second letter",
    REFERRED: "Referred for a police visit",
    HIGH_SPEED: "Referred for review: high speed",
}
LETTER_STEPS = (FIRST_LETTER, SECOND_LETTER)
# Letter states, in order; a due letter replaced by a later step's letter is "superseded".
DUE, READY, PRODUCED, SENT, SUPERSEDED = "due", "ready", "produced", "sent", "superseded"
LETTER_LABELS = {
    DUE: "Waiting for the keeper lookup",
    READY: "Keeper found: ready to produce",
    PRODUCED: "Produced, not yet sent",
    SENT: "Sent",
    SUPERSEDED: "Replaced by a later letter",
}
OPEN, CLOSED = "open", "closed"


class LadderVehicle(TimestampMixin, db.Model):
    __tablename__ = "speedwatch_ladder"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration: Mapped[str] = mapped_column(String(10), nullable=False, unique=True)
    step: Mapped[str] = mapped_column(String(20), default="", nullable=False)
    step_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The team whose site saw it last: its officers act on referrals.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)

    team = relationship("Team")
    history = relationship(
        "LadderStep", back_populates="ladder", order_by="LadderStep.id", cascade="all, delete-orphan"
    )

    @property
    def step_label(self) -> str:
        return STEP_LABELS.get(self.step, "Not on the ladder")


class LadderStep(db.Model):
    """One session the vehicle was seen in, and the step that sighting moved it to."""

    __tablename__ = "speedwatch_ladder_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    ladder_id: Mapped[int] = mapped_column(ForeignKey("speedwatch_ladder.id", ondelete="CASCADE"), index=True)
    return_id: Mapped[int | None] = mapped_column(ForeignKey("speedwatch_returns.id", ondelete="SET NULL"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    step: Mapped[str] = mapped_column(String(20), nullable=False)
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    site_name: Mapped[str] = mapped_column(String(160), nullable=False)
    speed_mph: Mapped[int] = mapped_column(Integer, nullable=False)
    speed_limit: Mapped[int] = mapped_column(Integer, nullable=False)

    ladder = relationship("LadderVehicle", back_populates="history")
    team = relationship("Team")

    @property
    def step_label(self) -> str:
        return STEP_LABELS.get(self.step, self.step)


class LetterBatch(TimestampMixin, db.Model):
    __tablename__ = "speedwatch_letter_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    produced_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    produced_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    produced_by = relationship("User", foreign_keys=[produced_by_id])
    letters = relationship("Letter", back_populates="batch", order_by="Letter.id")


class Letter(TimestampMixin, db.Model):
    __tablename__ = "speedwatch_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    ladder_id: Mapped[int] = mapped_column(ForeignKey("speedwatch_ladder.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), nullable=False, index=True)
    step: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(12), default=DUE, nullable=False, index=True)
    # The sighting the letter is about, as recorded.
    registration: Mapped[str] = mapped_column(String(10), nullable=False)
    make: Mapped[str] = mapped_column(String(40), default="", nullable=False)
    colour: Mapped[str] = mapped_column(String(30), default="", nullable=False)
    site_name: Mapped[str] = mapped_column(String(160), nullable=False)
    road: Mapped[str] = mapped_column(String(160), default="", nullable=False)
    speed_mph: Mapped[int] = mapped_column(Integer, nullable=False)
    speed_limit: Mapped[int] = mapped_column(Integer, nullable=False)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # The registered keeper, from the DVLA lookup: erased by the worker after the letter is produced.
    keeper_name: Mapped[str] = mapped_column(String(120), default="", nullable=False)
    keeper_address: Mapped[str] = mapped_column(Text, default="", nullable=False)  # one line per line
    keeper_added_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    keeper_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("speedwatch_letter_batches.id", ondelete="SET NULL"))
    produced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    ladder = relationship("LadderVehicle")
    team = relationship("Team")
    batch = relationship("LetterBatch", back_populates="letters")

    @property
    def step_label(self) -> str:
        return STEP_LABELS.get(self.step, self.step)

    @property
    def status_label(self) -> str:
        return LETTER_LABELS.get(self.status, self.status)


class LetterTemplate(TimestampMixin, db.Model):
    """The force's wording for one step; without a row, letters.templates.DEFAULTS is used."""

    __tablename__ = "speedwatch_letter_templates"

    step: Mapped[str] = mapped_column(String(20), primary_key=True)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Referral(TimestampMixin, db.Model):
    __tablename__ = "speedwatch_referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    ladder_id: Mapped[int] = mapped_column(ForeignKey("speedwatch_ladder.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), nullable=False, index=True)
    reason: Mapped[str] = mapped_column(String(20), nullable=False)  # REFERRED or HIGH_SPEED
    status: Mapped[str] = mapped_column(String(10), default=OPEN, nullable=False, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(String(500), default="", nullable=False)

    ladder = relationship("LadderVehicle")
    team = relationship("Team")
    closed_by = relationship("User", foreign_keys=[closed_by_id])

    @property
    def reason_label(self) -> str:
        return STEP_LABELS.get(self.reason, self.reason)
