"""Rebooking commands for carriers and webhooks for shops: both outboxes, both retried."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now as clock_now
from app.extensions import db
from app.models.base import UTCDateTime, new_id


class RebookingCommand(db.Model):
    """A recipient's confirmed choice; its id is the idempotency key the carrier sees."""

    __tablename__ = "rebooking_commands"
    __table_args__ = (Index("ix_rebooking_status_next", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    shipment_id: Mapped[str] = mapped_column(ForeignKey("shipments.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # neighbour | reschedule | pickup_point
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(String(10), default="sms")  # "sms" | "page"
    # pending → accepted | refused, or dead after the retries run out.
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    next_attempt_at = mapped_column(UTCDateTime, default=clock_now)
    created_at = mapped_column(UTCDateTime, default=clock_now)
    updated_at = mapped_column(UTCDateTime, default=clock_now, onupdate=clock_now)


class ShopWebhook(db.Model):
    """A signed event for a shop, kept until the shop's endpoint accepts it."""

    __tablename__ = "shop_webhooks"
    __table_args__ = (Index("ix_shop_webhooks_status_next", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | delivered | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_attempt_at = mapped_column(UTCDateTime, default=clock_now)
    created_at = mapped_column(UTCDateTime, default=clock_now)
