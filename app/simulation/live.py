"""A shop's live scorecard: the same figures as a replayed day, from its delivered parcels in a period.

The true arrival is the delivered scan's moment (status_at). Texts are the shop's received outbound
texts. Messages keep no structured record of the window they told, so the window of an
out-for-delivery or delay text is read from its body (its first two clock times, on the arrival's
local date); a text whose times cannot be read (a shop's own wording without times) tells no window.
When the first ETA for a parcel came is the first ETA observation the error model stored for it.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.extensions import db
from app.models import EtaObservation, Message, Shipment, Shop
from app.simulation.record import spoken_minutes
from app.simulation.replay import RECEIVED
from app.simulation.scorecard import StopDay, TextSeen, score

WINDOW_KINDS = frozenset({"out_for_delivery", "delay"})
CLOCK_TIME = re.compile(r"\b([01]?\d|2[0-3])[:.]([0-5]\d)\b")
MAX_STOPS = 20_000  # a month of a busy shop; more would make one request too heavy


def window_in_body(body: str, arrival: datetime, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    """Return the first two clock times in a text as a window on the arrival's local day, if it has two."""
    times = CLOCK_TIME.findall(body)
    if len(times) < 2:
        return None
    day = arrival.astimezone(zone).date()
    start, end = (datetime.combine(day, time(int(h), int(m)), zone) for h, m in times[:2])
    return (start, end) if start < end else None


def live_scorecard(shop: Shop, start: datetime, end: datetime) -> dict:
    """Return the scorecard of the shop's parcels delivered in [start, end), and how many it covers."""
    zone = ZoneInfo(shop.timezone)
    shipments = db.session.execute(
        select(Shipment.id, Shipment.status_at).where(
            Shipment.shop_id == shop.id, Shipment.status == "delivered", Shipment.status_at >= start,
            Shipment.status_at < end).order_by(Shipment.status_at).limit(MAX_STOPS)).all()
    arrivals = {row.id: row.status_at for row in shipments}
    texts: dict[str, list[TextSeen]] = {shipment_id: [] for shipment_id in arrivals}
    if arrivals:
        messages = db.session.execute(select(
            Message.shipment_id, Message.kind, Message.body, Message.created_at, Message.sent_at).where(
            Message.shipment_id.in_(arrivals), Message.direction == "out", Message.status.in_(RECEIVED)))
        for row in messages:
            arrival = arrivals[row.shipment_id]
            window = window_in_body(row.body, arrival, zone) if row.kind in WINDOW_KINDS else None
            minutes = spoken_minutes(row.body) if row.kind == "arriving_soon" else None
            texts[row.shipment_id].append(TextSeen(row.sent_at or row.created_at, row.kind, window, minutes))
    first_push = dict(db.session.execute(select(EtaObservation.shipment_id, func.min(EtaObservation.observed_at))
                                         .where(EtaObservation.shipment_id.in_(arrivals))
                                         .group_by(EtaObservation.shipment_id)).all()) if arrivals else {}
    card = score(StopDay(arrivals[shipment_id], tuple(seen), first_push.get(shipment_id))
                 for shipment_id, seen in texts.items()).as_dict()
    return {"start": start, "end": end, "truncated": len(arrivals) >= MAX_STOPS, **card}
