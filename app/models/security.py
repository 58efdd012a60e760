"""Tenant safety: senders the operator assigned to a shop, and credentials that expire or are being rotated."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now as clock_now
from app.extensions import db
from app.models.base import UTCDateTime


class AssignedSender(db.Model):
    """A sender (number or alphanumeric ID) the operator gave one shop: no other shop may use it."""

    __tablename__ = "assigned_senders"

    sender: Mapped[str] = mapped_column(String(20), primary_key=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id"), index=True)
    assigned_at = mapped_column(UTCDateTime, default=clock_now)


class ApiCredential(db.Model):
    """A bearer secret's lifetime beyond the one in the shop's or carrier's own row.

    The owner's row holds the hash of its current secret. A row here either limits that
    secret (expires_at) or keeps a rotated-out secret working until its grace ends.
    """

    __tablename__ = "api_credentials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_kind: Mapped[str] = mapped_column(String(10))  # "shop" | "carrier"
    owner_id: Mapped[str] = mapped_column(String(32), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at = mapped_column(UTCDateTime, nullable=True)
    created_at = mapped_column(UTCDateTime, default=clock_now)
