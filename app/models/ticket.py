"""Tickets and notes: what the shop's service desk must act on, and what it wrote down about a parcel.

The console's search indexes on shipments are declared here too, beside the console's other tables.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, false, func, text
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now as clock_now
from app.extensions import db
from app.models.base import UTCDateTime, new_id
from app.models.message import Message
from app.models.shipment import Shipment

TICKET_KINDS = ("silence", "problem_report", "reply_needs_person", "manual")


class Ticket(db.Model):
    """A problem with one parcel; at most one open ticket per (parcel, kind), enforced by the database."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_shop_status_created", "shop_id", "status", "created_at"),
        # "Once per silence": two processes opening the same ticket cannot both win.
        Index("uq_tickets_open_shipment_kind", "shipment_id", "kind", unique=True,
              postgresql_where=text("status = 'open'"), sqlite_where=text("status = 'open'")),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id"))
    shipment_id: Mapped[str] = mapped_column(ForeignKey("shipments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10), default="open")  # "open" | "closed"
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    due_at = mapped_column(UTCDateTime, nullable=True)  # VIP: a personal call before this
    opened_by: Mapped[str] = mapped_column(String(40), default="system")  # "system" | "recipient" | staff id
    closed_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    created_at = mapped_column(UTCDateTime, default=clock_now)
    updated_at = mapped_column(UTCDateTime, default=clock_now, onupdate=clock_now)
    closed_at = mapped_column(UTCDateTime, nullable=True)


class Note(db.Model):
    """A staff member's note on a parcel; the author's email is kept if the account is deleted."""

    __tablename__ = "notes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id"))
    shipment_id: Mapped[str] = mapped_column(ForeignKey("shipments.id"), index=True)
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True)
    author: Mapped[str] = mapped_column(String(254))
    body: Mapped[str] = mapped_column(Text)
    # What the desk did (app/console/actions.py DESK_ACTIONS), logged beside the notes; None: a written note.
    action: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at = mapped_column(UTCDateTime, default=clock_now)


# Console search on a shop with a million parcels: each lookup is one index range scan within the shop.
# (order_ref is served by the unique (shop_id, order_ref, tracking_number) key.)
Index("ix_shipments_shop_tracking", Shipment.shop_id, Shipment.tracking_number)
Index("ix_shipments_shop_phone", Shipment.shop_id, Shipment.recipient_phone)
# varchar_pattern_ops lets LIKE 'prefix%' use the index whatever the database's collation.
Index("ix_shipments_shop_name_lower", Shipment.shop_id, func.lower(Shipment.recipient_name).label("name_lower"),
      postgresql_ops={"name_lower": "varchar_pattern_ops"})
# The shop's open problems: failed texts and replies that need a person, newest first, without a scan.
Index("ix_messages_shop_attention", Message.shop_id, Message.created_at,
      postgresql_where=text("status IN ('failed', 'undelivered') OR understood_as = 'needs_person'"),
      sqlite_where=text("status IN ('failed', 'undelivered') OR understood_as = 'needs_person'"))
