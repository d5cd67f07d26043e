"""Neighbourhood priorities and their dated actions, and the team's people who chose to be shown.

A priority is one local problem the team committed to tackle (police.uk's `issue`), when
and how it was chosen (a meeting, a survey), and what the team did about it, action by
action. Closing keeps it, with its outcome, so residents can still read it. People are
public profiles: nobody appears until they (or, for someone without an account, the team
with their agreement) choose to.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.core.db import TimestampMixin, UTCDateTime
from engagement.extensions import db

CURRENT, CLOSED = "current", "closed"
MAX_CURRENT = 5  # a team commits to a few problems at a time, as police.uk shows them
ISSUE_MAX = 1000
DETAIL_MAX = 200
ACTION_MAX = 2000
OUTCOME_MAX = 2000

# How a priority was chosen.
MEETING, SURVEY, OTHER = "meeting", "survey", "other"
HOW_LABELS = {MEETING: "At a public meeting", SURVEY: "From a survey", OTHER: "Another way"}

# People: the ranks and roles residents see (police.uk writes the rank as text; its files carry Inspectors too).
RANKS = ("Inspector", "Sergeant", "PC", "PCSO", "Special Constable", "Volunteer")
NAME_MAX, BIO_MAX = 120, 1000


class Priority(TimestampMixin, db.Model):
    __tablename__ = "priorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), nullable=False, index=True)
    issue: Mapped[str] = mapped_column(Text, nullable=False)  # plain text, as residents read it
    set_on: Mapped[date] = mapped_column(Date, nullable=False)  # police.uk `issue-date`
    how: Mapped[str] = mapped_column(String(12), default=MEETING, nullable=False)
    how_detail: Mapped[str] = mapped_column(String(DETAIL_MAX), default="", nullable=False)  # "Ladywood forum"
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default=CURRENT, nullable=False)
    closed_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(Text, default="", nullable=False)  # plain text
    # Set by `flask teams import-police-uk-priorities`, so importing the same file again updates.
    import_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    team = relationship("Team")
    survey = relationship("Survey")
    actions = relationship(
        "PriorityAction",
        back_populates="priority",
        cascade="all, delete-orphan",
        order_by=lambda: (PriorityAction.taken_on, PriorityAction.id),
    )

    @property
    def is_current(self) -> bool:
        return self.status == CURRENT

    @property
    def how_label(self) -> str:
        return HOW_LABELS.get(self.how, self.how)

    @property
    def last_action_on(self) -> date | None:
        return max((a.taken_on for a in self.actions), default=None)

    def __repr__(self) -> str:
        return f"<Priority {self.id} {self.status} {self.issue[:30]!r}>"


class PriorityAction(TimestampMixin, db.Model):
    """One dated thing the team did: "12 Speed Watch sessions held; 340 advisory letters"."""

    __tablename__ = "priority_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    priority_id: Mapped[int] = mapped_column(ForeignKey("priorities.id", ondelete="CASCADE"), nullable=False,
                                             index=True)  # fmt: skip
    taken_on: Mapped[date] = mapped_column(Date, nullable=False)  # police.uk `action-date`
    text: Mapped[str] = mapped_column(Text, nullable=False)  # plain text
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    priority = relationship("Priority", back_populates="actions")


class TeamPerson(TimestampMixin, db.Model):
    """Someone shown on the team page: an officer's own choice, or (no account) recorded with their agreement."""

    __tablename__ = "team_people"
    __table_args__ = (UniqueConstraint("team_id", "user_id", name="uq_team_people_team_id_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), nullable=False, index=True)
    # The officer's own entry; None for someone without an account (a volunteer, an imported officer).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False)
    rank: Mapped[str] = mapped_column(String(40), nullable=False)
    bio: Mapped[str] = mapped_column(Text, default="", nullable=False)  # plain text
    shown: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)  # nobody is shown by default
    position: Mapped[int] = mapped_column(Integer, default=100, nullable=False)
    # Re-encoded JPEG (no metadata), served from /teams/<slug>/people/<id>/photo.jpg.
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    photo_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    team = relationship("Team")
    user = relationship("User")

    @property
    def has_photo(self) -> bool:
        return self.photo_at is not None

    @property
    def public_name(self) -> str:
        return f"{self.rank} {self.name}" if self.rank != "Volunteer" else self.name

    def __repr__(self) -> str:
        return f"<TeamPerson {self.id} {self.name!r}>"
