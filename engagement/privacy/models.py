"""What the privacy feature itself keeps: erasures (as a keyed hash, never the address) and residents' links.

An `ErasureRecord` lets a repeat request say "already erased on ..." without keeping the data it
erased. A `RequestLink` makes each emailed "get my data" link single-use: the signed token names
the row, and following the link marks it used. Neither holds an address or a name.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from engagement.core.db import UTCDateTime, utcnow
from engagement.extensions import db

STAFF, SELF_SERVICE = "staff", "self-service"


class ErasureRecord(db.Model):
    __tablename__ = "privacy_erasures"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_hash: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # email | phone
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    source: Mapped[str] = mapped_column(String(20), nullable=False)  # staff | self-service
    actor_label: Mapped[str] = mapped_column(String(255), nullable=False)  # the staff account, or "the resident"
    counts: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)  # rows changed per table


class RequestLink(db.Model):
    __tablename__ = "privacy_request_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
