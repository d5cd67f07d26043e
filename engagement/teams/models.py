"""Teams, their members and the postcode districts/sectors they cover."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.core.db import TimestampMixin
from engagement.extensions import db

AREAS = ("Birmingham", "Coventry", "Dudley", "Sandwell", "Solihull", "Walsall", "Wolverhampton")

team_members = Table(
    "team_members",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
)


class Team(TimestampMixin, db.Model):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    area: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    contact_email: Mapped[str] = mapped_column(String(320), default="", nullable=False)
    contact_phone: Mapped[str] = mapped_column(String(40), default="", nullable=False)

    members = relationship("User", secondary=team_members, back_populates="teams", order_by="User.display_name")
    postcodes = relationship(
        "TeamPostcode", back_populates="team", cascade="all, delete-orphan", order_by="TeamPostcode.prefix"
    )

    @property
    def coverage(self) -> list[str]:
        return [p.prefix for p in self.postcodes]

    def __repr__(self) -> str:
        return f"<Team {self.slug}>"


class TeamPostcode(db.Model):
    """A postcode district ("B1") or sector ("B16 8") a team covers; each belongs to one team."""

    __tablename__ = "team_postcodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), nullable=False, index=True)
    prefix: Mapped[str] = mapped_column(String(8), unique=True, nullable=False)

    team = relationship("Team", back_populates="postcodes")
