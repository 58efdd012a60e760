"""Carrier KPIs kept current by the sweeper: one row of facts per parcel, one tally per carrier, region and day.

Both are derived data: app/kpis/store.py recomputes them from shipments, events, texts and
rebookings, so either table may be dropped and rebuilt (`flask kpis rebuild`).
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Date, Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime
from app.models.carrier import StatusEvent
from app.models.message import Message
from app.models.shipment import Shipment


class KpiParcel(db.Model):
    """One parcel's KPI facts, for the drill-down from a figure to the parcels behind it."""

    __tablename__ = "kpi_parcels"
    __table_args__ = (Index("ix_kpi_parcels_shop_carrier_day", "shop_id", "carrier_id", "day"),)

    # Not foreign keys: retention may drop a shipment; the refresh drops its facts with it.
    shipment_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    shop_id: Mapped[str] = mapped_column(String(32))
    carrier_id: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(60))
    day = mapped_column(Date, nullable=False)
    counted: Mapped[bool] = mapped_column(Boolean)
    finished: Mapped[bool] = mapped_column(Boolean)
    first_scan_minutes: Mapped[float | None] = mapped_column(Float, nullable=True)
    scans_complete: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    exception: Mapped[bool] = mapped_column(Boolean)
    delivered: Mapped[bool] = mapped_column(Boolean)
    on_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    window_held: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    first_attempt_ok: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    avoided: Mapped[str | None] = mapped_column(String(20), nullable=True)
    replied: Mapped[bool] = mapped_column(Boolean)
    rebooked: Mapped[bool] = mapped_column(Boolean)
    opted_out: Mapped[bool] = mapped_column(Boolean)
    computed_at = mapped_column(UTCDateTime, nullable=False)


class KpiDay(db.Model):
    """The additive tally (app.kpis.tally.Tally) of one carrier's parcels registered in one region on one local day."""

    __tablename__ = "kpi_days"

    shop_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    carrier_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    day = mapped_column(Date, primary_key=True)
    region: Mapped[str] = mapped_column(String(60), primary_key=True)
    counts: Mapped[dict] = mapped_column(JSON)
    histograms: Mapped[dict] = mapped_column(JSON)
    computed_at = mapped_column(UTCDateTime, nullable=False)


# What the hourly refresh reads: the parcels of a shop's day, and what changed since the last run.
Index("ix_shipments_shop_created", Shipment.shop_id, Shipment.created_at)
Index("ix_shipments_updated_at", Shipment.updated_at)
Index("ix_status_events_received_at", StatusEvent.received_at)
Index("ix_messages_updated_at", Message.updated_at)
