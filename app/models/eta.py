"""What Bijna learns about carriers' ETAs: observations, their outcome, and each carrier's calibration."""

from __future__ import annotations

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime


class EtaObservation(db.Model):
    """The first ETA heard for a stop in one lead-time bin, and (once it came) when the van arrived.

    At most one per stop, attempt and bin, so a route pushed every minute stays cheap to learn from.
    Holds no personal data; the shipment id is not a foreign key so retention can drop shipments freely.
    """

    __tablename__ = "eta_observations"
    __table_args__ = (
        UniqueConstraint("shipment_id", "attempt", "lead_bin"),
        Index("ix_eta_observations_carrier_arrived", "carrier_id", "arrived_at"),
        Index("ix_eta_observations_observed_at", "observed_at"),
        Index("ix_eta_observations_route_arrived", "route_id", "arrived_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    carrier_id: Mapped[str] = mapped_column(ForeignKey("carriers.id"))
    shipment_id: Mapped[str] = mapped_column(String(32))
    # The route the ETA came with: a route's delivered stops reveal its bias for the rest of the day.
    route_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    attempt: Mapped[int] = mapped_column(Integer)
    lead_bin: Mapped[int] = mapped_column(SmallInteger)
    lead_minutes: Mapped[float] = mapped_column(Float)
    eta = mapped_column(UTCDateTime, nullable=False)
    eta_smoothed = mapped_column(UTCDateTime, nullable=True)  # the stop's smoothed ETA after the same push
    # The roughness the texts went by then (the route push's, app/eta/smoothing.py): which ETA they read.
    texts_roughness: Mapped[float | None] = mapped_column(Float, nullable=True)
    observed_at = mapped_column(UTCDateTime, nullable=False)
    arrived_at = mapped_column(UTCDateTime, nullable=True)


class EtaCalibration(db.Model):
    """A carrier's learnt ETA error model (app.eta.Calibration as JSON), recomputed by the sweeper."""

    __tablename__ = "eta_calibrations"

    carrier_id: Mapped[str] = mapped_column(ForeignKey("carriers.id"), primary_key=True)
    model: Mapped[dict] = mapped_column(JSON)
    residuals: Mapped[int] = mapped_column(Integer, default=0)
    computed_at = mapped_column(UTCDateTime, nullable=False)


class EtaRouteDay(db.Model):
    """What one route's delivered stops say about its ETAs today (app.eta.RouteDay as JSON), per delivery."""

    __tablename__ = "eta_route_days"

    route_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    model: Mapped[dict] = mapped_column(JSON)
    updated_at = mapped_column(UTCDateTime, nullable=False)


class FirstEtaWait(db.Model):
    """An out_for_delivery text held for the route's first ETA, and when it goes anyway."""

    __tablename__ = "first_eta_waits"

    shipment_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    until = mapped_column(UTCDateTime, index=True, nullable=False)
