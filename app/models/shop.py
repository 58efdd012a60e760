"""Shops: who enables texts per order, with their branding, sender and rules."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now as clock_now
from app.extensions import db
from app.models.base import UTCDateTime, new_id

DEFAULT_STATUS_TEXTS = ["out_for_delivery", "delivered", "failed_attempt", "exception"]


class Shop(db.Model):
    __tablename__ = "shops"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    api_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    country: Mapped[str] = mapped_column(String(2), default="NL")
    language: Mapped[str] = mapped_column(String(5), default="nl")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    # An alphanumeric sender ("MyShop") cannot receive replies: one-way texts only.
    sender: Mapped[str | None] = mapped_column(String(20), nullable=True)
    branding: Mapped[dict] = mapped_column(JSON, default=dict)
    extras: Mapped[dict] = mapped_column(JSON, default=dict)
    lead_minutes: Mapped[int] = mapped_column(Integer, default=15)
    quiet_start: Mapped[str] = mapped_column(String(5), default="21:00")
    quiet_end: Mapped[str] = mapped_column(String(5), default="08:00")
    daily_cap: Mapped[int] = mapped_column(Integer, default=6)
    status_texts: Mapped[list] = mapped_column(JSON, default=lambda: list(DEFAULT_STATUS_TEXTS))
    webhook_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    webhook_secret: Mapped[str | None] = mapped_column(String(100), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at = mapped_column(UTCDateTime, default=clock_now)

    @property
    def two_way(self) -> bool:
        """Whether recipients can answer: an alphanumeric sender ID cannot receive replies."""
        return not self.sender or self.sender.lstrip("+").isdigit()


class ShopTemplate(db.Model):
    """A shop's own wording for one message kind in one language, validated when saved."""

    __tablename__ = "shop_templates"
    __table_args__ = (UniqueConstraint("shop_id", "kind", "language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(5))
    body: Mapped[str] = mapped_column(Text)
    updated_at = mapped_column(UTCDateTime, default=clock_now, onupdate=clock_now)
