"""Route ETAs → decisions, the hot path: a national carrier pushes every route every minute.

One locking SELECT for the whole route (in id order, so concurrent pushes and events queue up
instead of deadlocking or undoing each other), the pure policy per stop, one UPDATE for all
stops, and texts only for the few stops that call for one, handled together.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import ARRAY, String, any_, bindparam, case, func, or_, select, text, update

from app.eta.smoothing import Smoothed, route_roughness, smooth, texts_eta_of
from app.extensions import db
from app.ingestion.eta_learning import carrier_calibration, observation, store_observations
from app.ingestion.first_eta_wait import held_for_first_eta
from app.ingestion.route_days import route_calibration
from app.ingestion.state import Due, apply_limits, might_need_texts, record_all
from app.messaging.outbox import enqueue_due
from app.models import Carrier, Shipment, Shop
from app.notify.policy import decide_on_update
from app.notify.statuses import TERMINAL
from app.observability import metrics

# On a driver's route today means out for delivery, whatever the last scan said.
BEFORE_ROUTE = ("registered", "sorted", "in_transit", "delayed", "failed_attempt")
_FIELDS = ("id", "shop_id", "tracking_number", "status", "notify", "window_start", "window_end", "eta",
           "eta_observed_at", "eta_smoothed", "eta_variance", "eta_roughness", "texts_roughness", "sent_kinds",
           "last_delay_eta", "recipient_phone", "announced_start", "announced_end", "attempt", "recipient_name",
           "recipient_language", "tracking_token", "order_ref", "status_at", "route_id")
_COLUMNS = tuple(getattr(Shipment, name) for name in _FIELDS)


@dataclass(frozen=True)
class StopEta:
    tracking_number: str
    eta: datetime
    stop_sequence: int | None = None


@dataclass
class IngestResult:
    accepted: int = 0
    stale: int = 0
    unknown_parcels: list[str] = field(default_factory=list)
    texts: int = 0

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "ignored_stale": self.stale, "unknown_parcels": self.unknown_parcels,
                "texts_queued": self.texts}


def _updated(row, eta: datetime, observed_at: datetime, status: str, held: set[str]) -> SimpleNamespace:
    """Return the row with the update applied (the smoothed ETA moved on too): what the policy and the composer read."""
    before = Smoothed(row.eta_smoothed, row.eta_variance, row.eta_observed_at, row.eta_roughness or 0.0) if (
        row.eta_smoothed is not None and row.eta_variance is not None and row.eta_observed_at is not None) else None
    smoothed = smooth(before, eta, observed_at)
    return SimpleNamespace(**{**row._mapping, "eta": eta, "eta_smoothed": smoothed.eta,
                              "eta_variance": smoothed.variance, "eta_roughness": smoothed.roughness,
                              "status": status, "held_for_eta": row.id in held})


_table = Shipment.__table__
_UPDATE_EACH = (update(_table)
                .where(_table.c.id == bindparam("b_id"),
                       or_(_table.c.eta_observed_at.is_(None), _table.c.eta_observed_at < bindparam("b_observed")))
                .values(eta=bindparam("b_eta"), eta_observed_at=bindparam("b_observed"),
                        eta_smoothed=bindparam("b_smoothed"), eta_variance=bindparam("b_variance"),
                        eta_roughness=bindparam("b_roughness"), texts_roughness=bindparam("b_texts_roughness"),
                        # a single stop's update without a route keeps the route it was on
                        route_id=func.coalesce(bindparam("b_route"), _table.c.route_id),
                        stop_sequence=bindparam("b_sequence"), status=bindparam("b_status"),
                        updated_at=case((_table.c.status != bindparam("b_status"),
                                         bindparam("b_now", type_=_table.c.updated_at.type)),
                                        else_=_table.c.updated_at)))
# PostgreSQL: the whole route in one statement instead of one per stop. A push that only moves ETAs leaves
# updated_at (indexed) alone: with no indexed column changed PostgreSQL updates the rows in place (HOT) instead of
# adding an entry to each of the table's indexes for each of the route's stops, every minute. updated_at marks
# changes to the record (status, recipient, settings); eta_observed_at says when the ETA last moved.
_UPDATE_ALL = text("""
UPDATE shipments AS s SET eta = v.eta, eta_observed_at = :observed, route_id = COALESCE(:route, s.route_id),
       eta_smoothed = v.smoothed, eta_variance = v.variance, eta_roughness = v.roughness,
       texts_roughness = v.texts_roughness, stop_sequence = v.seq, status = v.status,
       updated_at = CASE WHEN s.status IS DISTINCT FROM v.status THEN :now ELSE s.updated_at END
FROM json_to_recordset(CAST(:stops AS json))
     AS v(id varchar, eta timestamptz, smoothed timestamptz, variance float8, roughness float8,
          texts_roughness float8, seq int, status varchar)
WHERE s.id = v.id AND (s.eta_observed_at IS NULL OR s.eta_observed_at < :observed)
""")
# The stops travel as one JSON document: the driver quotes every element of a text-format array with a regex
# (1,200 per push), while json.dumps is one C call.


def _one_of(column, values: list[str]):
    """`column IN values`; on PostgreSQL as `= ANY(array)`: one parameter, so the statement text is the same
    for every route and the driver parses it once, not a 150-placeholder statement per push."""
    if db.engine.dialect.name == "postgresql":
        return column == any_(bindparam("one_of", values, type_=ARRAY(String)))
    return column.in_(values)


def ingest_etas(carrier: Carrier, route_id: str | None, observed_at: datetime, stops: list[StopEta],
                now: datetime) -> IngestResult:
    """Apply a route's (or one stop's) ETAs, queue the texts they call for, commit, enqueue."""
    by_number = {stop.tracking_number: stop for stop in stops}
    rows = db.session.execute(select(*_COLUMNS).where(
        Shipment.carrier_id == carrier.id, _one_of(Shipment.tracking_number, list(by_number)))
        .order_by(Shipment.id).with_for_update()).all()
    result = IngestResult(unknown_parcels=sorted(set(by_number) - {row.tracking_number for row in rows}))
    shops: dict[str, Shop] = {}
    candidates: list[Due] = []
    observations: list[dict] = []
    # The carrier's model, corrected by what this route's delivered stops said about today (cached per change).
    calibration = route_calibration(carrier_calibration(carrier.id), route_id, now)
    held = held_for_first_eta([row.id for row in rows if row.eta is None])
    fresh = [row for row in rows if row.status not in TERMINAL and (
        row.eta_observed_at is None or row.eta_observed_at < observed_at)]
    result.stale = len(rows) - len(fresh)
    updates = [_updated(row, by_number[row.tracking_number].eta, observed_at,
                        "out_for_delivery" if row.status in BEFORE_ROUTE else row.status, held) for row in fresh]
    # Which ETA the texts read, while the carrier's model has no verdict: the route's pushes, all from one planner,
    # say by their median roughness whether they scatter (app/eta/smoothing.py).
    rough = route_roughness(u.eta_roughness for u in updates)
    for row, updated in zip(fresh, updates, strict=True):
        updated.texts_roughness = updated.eta_roughness if rough is None else rough
        updated.previous_eta = texts_eta_of(row, calibration)
        seen = observation(carrier.id, row, updated.eta, observed_at, route_id, updated.eta_smoothed,
                           updated.texts_roughness)
        if seen:
            observations.append(seen)
        shop = shops.get(row.shop_id) or shops.setdefault(row.shop_id, db.session.get(Shop, row.shop_id))
        due = might_need_texts(updated, shop, lambda state, prev=row.status: decide_on_update(state, prev, now),
                               calibration)
        if due:
            candidates.append(due)
    _store(updates, by_number, route_id, observed_at, now)
    store_observations(observations)
    result.accepted = len(updates)
    landed = record_all(apply_limits(candidates, now), now)
    db.session.commit()
    result.texts = len(landed)
    enqueue_due(landed, now)
    metrics.etas_ingested(result.accepted, result.stale, len(result.unknown_parcels))
    return result


def _store(updates: list[SimpleNamespace], by_number: dict[str, StopEta], route_id: str | None, observed_at: datetime,
           now: datetime) -> None:
    if not updates:
        return
    if db.engine.dialect.name == "postgresql":
        stops = json.dumps([{"id": row.id, "eta": row.eta.isoformat(), "smoothed": row.eta_smoothed.isoformat(),
                             "variance": row.eta_variance, "roughness": row.eta_roughness,
                             "texts_roughness": row.texts_roughness, "status": row.status,
                             "seq": by_number[row.tracking_number].stop_sequence} for row in updates])
        db.session.execute(_UPDATE_ALL, {"observed": observed_at, "route": route_id, "now": now, "stops": stops})
        return
    db.session.connection().execute(_UPDATE_EACH, [
        {"b_id": row.id, "b_eta": row.eta, "b_smoothed": row.eta_smoothed, "b_variance": row.eta_variance,
         "b_roughness": row.eta_roughness, "b_texts_roughness": row.texts_roughness,
         "b_observed": observed_at, "b_route": route_id,
         "b_sequence": by_number[row.tracking_number].stop_sequence, "b_status": row.status, "b_now": now}
        for row in updates])
