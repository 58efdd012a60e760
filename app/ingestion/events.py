"""Carrier status events → the shipment's status, its history, and the texts a change calls for.

Each event is kept (raw code included) once: a repeated push is a no-op. Only an event newer than
the status we hold moves the status, so late and out-of-order events never turn back the clock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app.eta import Calibration
from app.extensions import db
from app.ingestion.eta_learning import carrier_calibration, record_arrival
from app.ingestion.first_eta_wait import hold_for_first_eta
from app.ingestion.route_days import update_route_days
from app.ingestion.state import decide_with_limits, record_decisions, shipment_state, start_new_attempt
from app.ingestion.status_codes import canonical_status
from app.messaging.outbox import enqueue_due
from app.models import Carrier, Shipment, StatusEvent
from app.models.base import insert_ignoring_duplicates
from app.notify.policy import decide_on_update, first_eta_wait_ends
from app.notify.statuses import TERMINAL

log = logging.getLogger(__name__)
ARRIVED = ("delivered", "failed_attempt")  # the van was at the door: an ETA's outcome


@dataclass(frozen=True)
class CarrierEvent:
    tracking_number: str
    code: str
    occurred_at: datetime
    location: str | None = None


@dataclass
class EventsResult:
    applied: int = 0
    stale: int = 0
    unknown_parcels: list[str] = field(default_factory=list)
    unmapped_codes: list[str] = field(default_factory=list)
    texts: int = 0

    def as_dict(self) -> dict:
        return {"applied": self.applied, "ignored_stale": self.stale, "unknown_parcels": self.unknown_parcels,
                "unmapped_codes": self.unmapped_codes, "texts_queued": self.texts}


def ingest_events(carrier: Carrier, events: list[CarrierEvent], now: datetime) -> EventsResult:
    """Record the events, move statuses forward, queue texts, commit, enqueue."""
    numbers = {event.tracking_number for event in events}
    # Locked in id order, like route pushes: concurrent pushes queue up instead of undoing each other.
    shipments = db.session.execute(select(Shipment).where(
        Shipment.carrier_id == carrier.id, Shipment.tracking_number.in_(numbers))
        .order_by(Shipment.id).with_for_update(of=Shipment)).scalars().all()
    by_number: dict[str, list[Shipment]] = {}
    for shipment in shipments:
        by_number.setdefault(shipment.tracking_number, []).append(shipment)
    result = EventsResult(unknown_parcels=sorted(numbers - set(by_number)))
    history, landed, routes = [], [], set()
    calibration = carrier_calibration(carrier.id) if shipments else None
    for event in sorted(events, key=lambda e: e.occurred_at):
        status = canonical_status(event.code, carrier.status_map)
        if status is None and event.code not in result.unmapped_codes:
            result.unmapped_codes.append(event.code)
            log.warning("carrier %s sent unknown status code %r; stored raw", carrier.code, event.code)
        for shipment in by_number.get(event.tracking_number, ()):
            history.append({"shipment_id": shipment.id, "raw_code": event.code, "status": status,
                            "occurred_at": event.occurred_at, "location": event.location, "received_at": now})
            if status is None:
                continue
            if (shipment.status_at is not None and event.occurred_at <= shipment.status_at) or not _moves_on(
                    shipment.status, status):
                result.stale += 1
                continue
            landed += _apply(shipment, status, event, now, calibration)
            result.applied += 1
            if status in ARRIVED and shipment.route_id:
                routes.add(shipment.route_id)  # its delivered stops say how today's ETAs run
    update_route_days(routes, calibration, now)
    insert_ignoring_duplicates(StatusEvent, history, ["shipment_id", "raw_code", "occurred_at"])
    db.session.commit()
    result.texts = len(landed)
    enqueue_due(landed, now)
    return result


def _moves_on(previous: str, status: str) -> bool:
    """A finished parcel stays finished (a stray scan after delivery is noise); a delivered one may come back."""
    return previous not in TERMINAL or (previous == "delivered" and status == "returned")


def _apply(shipment: Shipment, status: str, event: CarrierEvent, now: datetime,
           calibration: Calibration | None) -> list[dict]:
    previous = shipment.status
    shipment.status, shipment.raw_status, shipment.status_at = status, event.code, event.occurred_at
    if status in ARRIVED:
        record_arrival(shipment.id, shipment.attempt or 1, event.occurred_at)
    if status == "failed_attempt":
        start_new_attempt(shipment)
    db.session.flush()
    shop = shipment.shop
    decisions = decide_with_limits(shipment, shop, lambda s: decide_on_update(s, previous, now), now, calibration)
    if status == "out_for_delivery" and not decisions:
        until = first_eta_wait_ends(shipment_state(shipment, shop), now)
        if until is not None:
            hold_for_first_eta(shipment.id, until)
    if not decisions:
        return []
    landed = record_decisions(shipment, shop, decisions, now, stamp=event.occurred_at)
    db.session.refresh(shipment)
    return landed
