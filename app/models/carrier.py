"""Carriers and the status events they push."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now as clock_now
from app.extensions import db
from app.models.base import UTCDateTime, new_id


class Carrier(db.Model):
    __tablename__ = "carriers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    api_base_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    signing_secret: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # The carrier's raw status codes → Bijna's canonical statuses.
    status_map: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at = mapped_column(UTCDateTime, default=clock_now)


class StatusEvent(db.Model):
    """One carrier scan, raw code kept; the unique key makes a repeated push a no-op."""

    __tablename__ = "status_events"
    __table_args__ = (UniqueConstraint("shipment_id", "raw_code", "occurred_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[str] = mapped_column(ForeignKey("shipments.id"), index=True)
    raw_code: Mapped[str] = mapped_column(String(60))
    status: Mapped[str | None] = mapped_column(String(30), nullable=True)
    occurred_at = mapped_column(UTCDateTime)
    location: Mapped[str | None] = mapped_column(String(200), nullable=True)
    received_at = mapped_column(UTCDateTime, default=clock_now)
