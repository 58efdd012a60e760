"""The exception ladder's tables: per-shop settings, the compensation code pool, and the steps taken.

"Never twice for one silence, across restarts and several clock processes" is the database's job:
a step is claimed by inserting its (shipment, silence, step) row, and only the inserter acts.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now as clock_now
from app.extensions import db
from app.models.base import UTCDateTime
from app.models.shipment import Shipment

# The one spelling of "not finished" that the partial indexes and the sweep's queries share: the
# planner uses a partial index only for a query that repeats its predicate.
LIVE_SQL = "status NOT IN ('delivered', 'cancelled', 'returned')"


class LadderSettings(db.Model):
    """A shop's thresholds and switches; a shop without a row gets the product's defaults."""

    __tablename__ = "ladder_settings"

    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id"), primary_key=True)
    ticket_after_hours: Mapped[int] = mapped_column(Integer, default=48)
    apology_after_hours: Mapped[int] = mapped_column(Integer, default=72)
    compensation_after_hours: Mapped[int] = mapped_column(Integer, default=120)
    compensation_delay_hours: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ticket_on: Mapped[bool] = mapped_column(Boolean, default=True)
    apology_on: Mapped[bool] = mapped_column(Boolean, default=True)
    compensation_on: Mapped[bool] = mapped_column(Boolean, default=True)
    pool_low_level: Mapped[int] = mapped_column(Integer, default=10)
    # Set when the shop was warned the pool is low; cleared when an upload lifts it again: one warning a crossing.
    pool_low_warned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at = mapped_column(UTCDateTime, default=clock_now, onupdate=clock_now)


class CompensationCode(db.Model):
    """One code a shop uploaded; issued at most once (to one parcel, which gets at most one)."""

    __tablename__ = "compensation_codes"
    __table_args__ = (
        UniqueConstraint("shop_id", "code"),
        # The codes still free, in upload order: issuing and counting never scan the issued ones.
        Index("ix_compensation_codes_free", "shop_id", "id", postgresql_where=text("shipment_id IS NULL"),
              sqlite_where=text("shipment_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id"))
    code: Mapped[str] = mapped_column(String(64))
    shipment_id: Mapped[str | None] = mapped_column(ForeignKey("shipments.id"), unique=True, nullable=True)
    issued_at = mapped_column(UTCDateTime, nullable=True)
    created_at = mapped_column(UTCDateTime, default=clock_now)


class LadderStep(db.Model):
    """A step taken for one silence of one parcel: the claim, and the line on the parcel's story."""

    __tablename__ = "ladder_steps"
    __table_args__ = (UniqueConstraint("shipment_id", "silence_started_at", "step"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id"))
    shipment_id: Mapped[str] = mapped_column(ForeignKey("shipments.id"))
    silence_started_at = mapped_column(UTCDateTime, nullable=False)
    step: Mapped[str] = mapped_column(String(20))  # ticket | apology | compensation
    outcome: Mapped[str] = mapped_column(String(20))  # done | skipped
    detail: Mapped[str] = mapped_column(String(300), default="")  # for the console: what happened, no personal data
    done_at = mapped_column(UTCDateTime, default=clock_now)


# Silent parcels are found by their last event among the unfinished ones only (delivered parcels,
# the vast majority, are not in these indexes at all).
Index("ix_shipments_live_status_at", Shipment.status_at, postgresql_where=text(LIVE_SQL),
      sqlite_where=text(LIVE_SQL))
Index("ix_shipments_live_window_end", Shipment.window_end, postgresql_where=text(LIVE_SQL),
      sqlite_where=text(LIVE_SQL))
