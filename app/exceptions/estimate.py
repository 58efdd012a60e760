"""A new estimate for a silent parcel: the carrier's own history from this status to delivered.

The carrier adapter interface (app/carriers/adapter.py) has no call for a delivery estimate, so
history is the source: the carrier's recently delivered parcels, the time from their last event
in this status to delivery. Kept per (carrier, status) for a while: history moves slowly.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, func, select

from app.exceptions.ladder import Estimate, remaining_estimate
from app.extensions import db
from app.models import Shipment, StatusEvent

HISTORY = timedelta(days=60)
SAMPLE = 1000  # the carrier's most recently delivered parcels looked at
KEEP_FOR = timedelta(hours=6)

_durations: dict[tuple[str, str], tuple[datetime, list[timedelta]]] = {}


def estimate_for(carrier_id: str, status: str, quiet_for: timedelta, now: datetime) -> Estimate | None:
    """Estimate the days left for a parcel of this carrier, quiet in `status` for `quiet_for`."""
    key = (carrier_id, status)
    cached = _durations.get(key)
    if cached is None or not now - KEEP_FOR <= cached[0] <= now:
        cached = _durations[key] = (now, status_to_delivered(carrier_id, status, now))
    return remaining_estimate(cached[1], quiet_for)


def status_to_delivered(carrier_id: str, status: str, now: datetime) -> list[timedelta]:
    """Return, for the carrier's recently delivered parcels, the time from their last `status` event to delivery."""
    recent = (select(Shipment.id).where(Shipment.carrier_id == carrier_id, Shipment.status == "delivered",
                                        Shipment.status_at >= now - HISTORY, Shipment.status_at <= now)
              .order_by(Shipment.status_at.desc()).limit(SAMPLE).subquery())
    last_in_status = func.max(case((StatusEvent.status == status, StatusEvent.occurred_at)))
    delivered = func.max(case((StatusEvent.status == "delivered", StatusEvent.occurred_at)))
    rows = db.session.execute(select(last_in_status, delivered).where(
        StatusEvent.shipment_id.in_(select(recent.c.id)), StatusEvent.status.in_((status, "delivered")))
        .group_by(StatusEvent.shipment_id)).all()
    return [end - start for start, end in rows if start is not None and end is not None and end > start]
