"""What each number was last asked, who opted out, and what recipients thought of a delivery."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now as clock_now
from app.extensions import db
from app.models.base import UTCDateTime


class Conversation(db.Model):
    """One per phone number: the last question asked gives a reply its meaning."""

    __tablename__ = "conversations"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    shipment_id: Mapped[str | None] = mapped_column(ForeignKey("shipments.id"), nullable=True)
    question: Mapped[str] = mapped_column(String(30), default="none")
    # Lettered options offered (slots or parcels), so "B" means the same thing it meant when asked.
    options: Mapped[list] = mapped_column(JSON, default=list)
    pending_intent: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    expires_at = mapped_column(UTCDateTime, nullable=True)
    updated_at = mapped_column(UTCDateTime, default=clock_now, onupdate=clock_now)


class OptOut(db.Model):
    __tablename__ = "opt_outs"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    source: Mapped[str] = mapped_column(String(30))  # "reply", "provider", "provider_error"
    created_at = mapped_column(UTCDateTime, default=clock_now)


class Feedback(db.Model):
    __tablename__ = "feedback"

    shipment_id: Mapped[str] = mapped_column(ForeignKey("shipments.id"), primary_key=True)
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    source: Mapped[str] = mapped_column(String(10))  # "sms" | "page"
    created_at = mapped_column(UTCDateTime, default=clock_now)
    updated_at = mapped_column(UTCDateTime, default=clock_now, onupdate=clock_now)
