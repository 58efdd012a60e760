"""An out_for_delivery text held for the route's first ETA goes out when the wait ends (a sweep).

The loading scan often comes minutes before the route's first ETA; a text then would carry the
shop's five-hour window, contradicted by the next one. So the policy holds it (FIRST_ETA_WAIT),
the event ingestion records until when, and the first route push sends it with a calibrated
window. Should no ETA come, `send_texts_held_for_first_eta` sends it with what is known.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from app.eta import Calibration
from app.extensions import db
from app.ingestion.eta_learning import carrier_calibration
from app.ingestion.state import decide_with_limits, record_decisions
from app.messaging.outbox import enqueue_due
from app.models import FirstEtaWait, Shipment
from app.models.base import insert_ignoring_duplicates
from app.notify.policy import decide_on_clock

BATCH = 500


def hold_for_first_eta(shipment_id: str, until: datetime) -> None:
    """Remember that this shipment's out_for_delivery text waits until `until` at the latest. No commit."""
    insert_ignoring_duplicates(FirstEtaWait, [{"shipment_id": shipment_id, "until": until}], ["shipment_id"])


def held_for_first_eta(shipment_ids: list[str]) -> set[str]:
    """Return which of these shipments (ones without an ETA yet) have an out_for_delivery text waiting."""
    if not shipment_ids:
        return set()
    return set(db.session.execute(select(FirstEtaWait.shipment_id)
                                  .where(FirstEtaWait.shipment_id.in_(shipment_ids))).scalars())


def send_texts_held_for_first_eta(now: datetime) -> int:
    """Send the out_for_delivery texts whose wait for a first ETA is over; return how many went."""
    ids = list(db.session.execute(select(FirstEtaWait.shipment_id).where(FirstEtaWait.until <= now)
                                  .order_by(FirstEtaWait.until).limit(BATCH)).scalars())
    if not ids:
        return 0
    shipments = db.session.execute(select(Shipment).where(Shipment.id.in_(ids)).order_by(Shipment.id)
                                   .with_for_update(of=Shipment)).scalars().all()
    calibrations: dict[str, Calibration | None] = {}
    landed: list[dict] = []
    for shipment in shipments:
        if shipment.carrier_id not in calibrations:
            calibrations[shipment.carrier_id] = carrier_calibration(shipment.carrier_id)
        decisions = decide_with_limits(shipment, shipment.shop, lambda state: decide_on_clock(state, now), now,
                                       calibrations[shipment.carrier_id])
        if decisions:  # else the first ETA already sent it, or the parcel moved on
            landed += record_decisions(shipment, shipment.shop, decisions, now)
    db.session.execute(delete(FirstEtaWait).where(FirstEtaWait.shipment_id.in_(ids)))
    db.session.commit()
    enqueue_due(landed, now)
    return len(landed)
