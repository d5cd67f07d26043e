"""Proposed Speed Watch sites and their photos.

A `SiteRequest` is proposed by a volunteer (through their own pages) or by staff; the team's
officer records the risk assessment and approves it (it becomes a `Site`) or declines it with a
reason the proposer is emailed. Photos are re-encoded on upload (sized down, metadata such as
GPS position stripped) and stored in the database, so they go wherever the data goes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.core.db import TimestampMixin, UTCDateTime
from engagement.extensions import db

PENDING, APPROVED, DECLINED = "pending", "approved", "declined"
STATUS_LABELS = {PENDING: "Waiting for assessment", APPROVED: "Approved", DECLINED: "Declined"}
ROAD_MAX, STRETCH_MAX, REASON_MAX, DECLINE_MAX = 160, 300, 2000, 500


class SiteRequest(TimestampMixin, db.Model):
    __tablename__ = "speedwatch_site_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), nullable=False, index=True)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    proposer_name: Mapped[str] = mapped_column(String(100), nullable=False)
    proposer_email: Mapped[str] = mapped_column(String(320), nullable=False)
    road: Mapped[str] = mapped_column(String(ROAD_MAX), nullable=False)
    stretch: Mapped[str] = mapped_column(String(STRETCH_MAX), nullable=False)  # "between the school and no. 40"
    speed_limit: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    postcode: Mapped[str] = mapped_column(String(10), default="", nullable=False)
    grid_ref: Mapped[str] = mapped_column(String(20), default="", nullable=False)  # OS grid reference
    status: Mapped[str] = mapped_column(String(12), default=PENDING, nullable=False, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decline_reason: Mapped[str] = mapped_column(String(DECLINE_MAX), default="", nullable=False)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("speedwatch_sites.id", ondelete="SET NULL"))

    team = relationship("Team")
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    site = relationship("Site")
    photos = relationship(
        "SiteRequestPhoto", back_populates="request", order_by="SiteRequestPhoto.id", cascade="all, delete-orphan"
    )

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def where(self) -> str:
        return " · ".join(part for part in (self.postcode, self.grid_ref and f"grid reference {self.grid_ref}") if part)


class SiteRequestPhoto(db.Model):
    """A photo of the proposed site, as re-encoded JPEG bytes (requests.photos)."""

    __tablename__ = "speedwatch_site_request_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("speedwatch_site_requests.id", ondelete="CASCADE"), nullable=False, index=True
    )
    content_type: Mapped[str] = mapped_column(String(40), default="image/jpeg", nullable=False)
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)

    request = relationship("SiteRequest", back_populates="photos")
