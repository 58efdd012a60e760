"""Texts in and out: the outbox every send goes through, and the inbox of replies."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now as clock_now
from app.extensions import db
from app.models.base import UTCDateTime, new_id

# Provider statuses in the order a text moves through them; never move backwards.
STATUS_RANK = {
    "pending": 0,
    "dispatching": 1,
    "unknown": 1,
    "accepted": 2,
    "scheduled": 2,
    "queued": 3,
    "sending": 4,
    "sent": 5,
    "delivered": 7,
    "read": 8,
    "undelivered": 7,
    "failed": 7,
    "expired": 7,
    "canceled": 7,
    "skipped": 7,
    "received": 7,
}


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_status_send_after", "status", "send_after"),
        Index("ix_messages_to_created", "to_number", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    direction: Mapped[str] = mapped_column(String(3), default="out")  # "out" | "in"
    shop_id: Mapped[str | None] = mapped_column(ForeignKey("shops.id"), nullable=True, index=True)
    shipment_id: Mapped[str | None] = mapped_column(ForeignKey("shipments.id"), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(40))
    # One text per (shipment, kind[, variant]): the unique key is what makes "exactly once" hold.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True, nullable=True)
    to_number: Mapped[str] = mapped_column(String(20))
    from_number: Mapped[str | None] = mapped_column(String(20), nullable=True)
    body: Mapped[str] = mapped_column(Text)
    encoding: Mapped[str | None] = mapped_column(String(6), nullable=True)
    segments: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    error_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error_message: Mapped[str | None] = mapped_column(String(300), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Inbound only: what the reply was read as (an intent, a letter, a rating...) and how sure the reader was.
    understood_as: Mapped[str | None] = mapped_column(String(40), nullable=True)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Outbound only: the window the text told and the minutes it said ("about N"), as decided.
    window_start = mapped_column(UTCDateTime, nullable=True)
    window_end = mapped_column(UTCDateTime, nullable=True)
    minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at = mapped_column(UTCDateTime, default=clock_now)
    send_after = mapped_column(UTCDateTime, nullable=True)
    expires_at = mapped_column(UTCDateTime, nullable=True)
    sent_at = mapped_column(UTCDateTime, nullable=True)
    updated_at = mapped_column(UTCDateTime, default=clock_now, onupdate=clock_now)
