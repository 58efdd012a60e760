"""A shop's live scorecard: the same figures as a replayed day, from its delivered parcels in a period.

The true arrival is the delivered scan's moment (status_at). Texts are the shop's received outbound
texts, each with the window and the minutes its message recorded when it was decided (whatever the
shop's wording). When the first ETA for a parcel came is the first ETA observation the error model
stored for it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app.extensions import db
from app.models import EtaObservation, Message, Shipment, Shop
from app.simulation.record import told_window
from app.simulation.replay import RECEIVED
from app.simulation.scorecard import StopDay, TextSeen, score

MAX_STOPS = 20_000  # a month of a busy shop; more would make one request too heavy


def live_scorecard(shop: Shop, start: datetime, end: datetime) -> dict:
    """Return the scorecard of the shop's parcels delivered in [start, end), and how many it covers."""
    shipments = db.session.execute(
        select(Shipment.id, Shipment.status_at).where(
            Shipment.shop_id == shop.id, Shipment.status == "delivered", Shipment.status_at >= start,
            Shipment.status_at < end).order_by(Shipment.status_at).limit(MAX_STOPS)).all()
    arrivals = {row.id: row.status_at for row in shipments}
    texts: dict[str, list[TextSeen]] = {shipment_id: [] for shipment_id in arrivals}
    if arrivals:
        messages = db.session.execute(select(
            Message.shipment_id, Message.kind, Message.window_start, Message.window_end, Message.minutes,
            Message.created_at, Message.sent_at).where(
            Message.shipment_id.in_(arrivals), Message.direction == "out", Message.status.in_(RECEIVED)))
        for row in messages:
            texts[row.shipment_id].append(TextSeen(row.sent_at or row.created_at, row.kind, told_window(row),
                                                   row.minutes))
    first_push = dict(db.session.execute(select(EtaObservation.shipment_id, func.min(EtaObservation.observed_at))
                                         .where(EtaObservation.shipment_id.in_(arrivals))
                                         .group_by(EtaObservation.shipment_id)).all()) if arrivals else {}
    card = score(StopDay(arrivals[shipment_id], tuple(seen), first_push.get(shipment_id))
                 for shipment_id, seen in texts.items()).as_dict()
    return {"start": start, "end": end, "truncated": len(arrivals) >= MAX_STOPS, **card}
