"""Shipments: one parcel of one order, with what the carrier last told us."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import now as clock_now
from app.extensions import db
from app.models.base import UTCDateTime, new_id, new_token
from app.notify.statuses import LIVE


class Shipment(db.Model):
    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("shop_id", "order_ref", "tracking_number"),
        UniqueConstraint("shop_id", "idempotency_key"),
        Index("ix_shipments_carrier_tracking", "carrier_id", "tracking_number"),
        Index("ix_shipments_recipient_status", "recipient_phone", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id"), index=True)
    carrier_id: Mapped[str] = mapped_column(ForeignKey("carriers.id"))
    order_ref: Mapped[str] = mapped_column(String(100))
    tracking_number: Mapped[str] = mapped_column(String(100))
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    recipient_phone: Mapped[str] = mapped_column(String(20))
    recipient_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    recipient_language: Mapped[str] = mapped_column(String(5), default="nl")
    recipient_city: Mapped[str | None] = mapped_column(String(120), nullable=True)
    window_start = mapped_column(UTCDateTime, nullable=True)
    window_end = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(30), default="registered")
    raw_status: Mapped[str | None] = mapped_column(String(60), nullable=True)
    status_at = mapped_column(UTCDateTime, nullable=True)
    eta = mapped_column(UTCDateTime, nullable=True)
    eta_observed_at = mapped_column(UTCDateTime, nullable=True)
    # The pushes' ETAs smoothed (app/eta/smoothing.py) and that estimate's variance (minutes²): what texts read
    # for a carrier whose single pushes scatter.
    eta_smoothed = mapped_column(UTCDateTime, nullable=True)
    eta_variance: Mapped[float | None] = mapped_column(Float, nullable=True)
    eta_roughness: Mapped[float | None] = mapped_column(Float, nullable=True)  # how much its own pushes scatter
    # The roughness its texts went by at the last push (the route's median, else its own): every reader of the
    # texts' ETA (sweeper, scans, tracking page) reads the same one.
    texts_roughness: Mapped[float | None] = mapped_column(Float, nullable=True)
    route_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    stop_sequence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    notify: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set by the shop's service desk in the console: a paused parcel gets no texts; a VIP gets a personal call.
    texts_paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    vip: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    tracking_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    # What Bijna already told the recipient, so each text goes out once.
    sent_kinds: Mapped[list] = mapped_column(JSON, default=list)
    last_delay_eta = mapped_column(UTCDateTime, nullable=True)
    # The narrowed window the recipient was told; lateness is judged against this, not the carrier's slot.
    announced_start = mapped_column(UTCDateTime, nullable=True)
    announced_end = mapped_column(UTCDateTime, nullable=True)
    # Counts delivery attempts, so a second attempt gets its own out-for-delivery and arriving-soon texts.
    attempt: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # An accepted rebooking: {"action": "neighbour", "note": "nr 12"} etc.
    instruction: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at = mapped_column(UTCDateTime, default=clock_now)
    updated_at = mapped_column(UTCDateTime, default=clock_now, onupdate=clock_now)
    cancelled_at = mapped_column(UTCDateTime, nullable=True)

    shop = relationship("Shop", lazy="joined")
    carrier = relationship("Carrier", lazy="joined")

    @property
    def live(self) -> bool:
        return self.status in LIVE
