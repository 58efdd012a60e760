"""Route ETAs → decisions, the hot path: a national carrier pushes every route every minute.

One SELECT for the whole route, the pure policy per stop, one batched UPDATE guarded by
`eta_observed_at` (so a late or repeated push can never overwrite a newer ETA, even when two
pushes race), and texts only for the few stops that call for one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, or_, select, update

from app.extensions import db
from app.ingestion.state import decide_with_limits, record_decisions
from app.models import Carrier, Shipment, Shop
from app.notify.policy import decide_on_update
from app.outbox import enqueue_due

# On a driver's route today means out for delivery, whatever the last scan said.
BEFORE_ROUTE = ("registered", "sorted", "in_transit", "delayed", "failed_attempt")
FINAL = ("delivered", "returned", "cancelled")
_COLUMNS = (Shipment.id, Shipment.shop_id, Shipment.tracking_number, Shipment.status, Shipment.notify,
            Shipment.window_start, Shipment.window_end, Shipment.eta, Shipment.eta_observed_at,
            Shipment.sent_kinds, Shipment.last_delay_eta, Shipment.recipient_phone, Shipment.announced_start,
            Shipment.announced_end)


@dataclass(frozen=True)
class StopEta:
    tracking_number: str
    eta: datetime
    stop_sequence: int | None = None


@dataclass
class IngestResult:
    accepted: int = 0
    stale: int = 0
    unknown: list[str] | None = None
    texts: int = 0

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "ignored_stale": self.stale, "unknown_parcels": self.unknown or [],
                "texts_queued": self.texts}


class _Row:
    """A shipment row with the update applied, as the policy's state builder reads it."""

    __slots__ = ("id", "status", "notify", "window_start", "window_end", "eta", "sent_kinds", "last_delay_eta",
                 "recipient_phone", "announced_start", "announced_end")

    def __init__(self, row, eta: datetime, status: str):
        for name in self.__slots__:
            setattr(self, name, getattr(row, name))
        self.eta, self.status = eta, status


_UPDATE = (update(Shipment.__table__)
           .where(Shipment.__table__.c.id == bindparam("b_id"),
                  or_(Shipment.__table__.c.eta_observed_at.is_(None),
                      Shipment.__table__.c.eta_observed_at < bindparam("b_observed")))
           .values(eta=bindparam("b_eta"), eta_observed_at=bindparam("b_observed"),
                   # a single stop's update without a route keeps the route it was on
                   route_id=func.coalesce(bindparam("b_route"), Shipment.__table__.c.route_id),
                   stop_sequence=bindparam("b_sequence"), status=bindparam("b_status"),
                   updated_at=bindparam("b_now")))


def ingest_etas(carrier: Carrier, route_id: str | None, observed_at: datetime, stops: list[StopEta],
                now: datetime) -> IngestResult:
    """Apply a route's (or one stop's) ETAs, queue the texts they call for, commit, enqueue."""
    by_number = {stop.tracking_number: stop for stop in stops}
    rows = db.session.execute(select(*_COLUMNS).where(
        Shipment.carrier_id == carrier.id, Shipment.tracking_number.in_(by_number))).all()
    result = IngestResult(unknown=sorted(set(by_number) - {row.tracking_number for row in rows}))
    shops: dict[str, Shop] = {}
    params, due = [], []
    for row in rows:
        stop = by_number[row.tracking_number]
        if row.status in FINAL or (row.eta_observed_at is not None and row.eta_observed_at >= observed_at):
            result.stale += 1
            continue
        status = "out_for_delivery" if row.status in BEFORE_ROUTE else row.status
        params.append({"b_id": row.id, "b_eta": stop.eta, "b_observed": observed_at, "b_route": route_id,
                       "b_sequence": stop.stop_sequence, "b_status": status, "b_now": now})
        shop = shops.get(row.shop_id) or shops.setdefault(row.shop_id, db.session.get(Shop, row.shop_id))
        updated = _Row(row, stop.eta, status)
        decisions = decide_with_limits(updated, shop, lambda s, prev=row.status: decide_on_update(s, prev, now), now)
        if decisions:
            due.append((row.id, shop, decisions))
    if params:
        db.session.connection().execute(_UPDATE, params)
    result.accepted = len(params)
    landed = []
    for shipment_id, shop, decisions in due:
        landed += record_decisions(db.session.get(Shipment, shipment_id), shop, decisions, now)
    db.session.commit()
    result.texts = len(landed)
    enqueue_due(landed, now)
    return result
