"""Each route's bias today, kept for the pushes that follow (the model is app/eta/route_day.py).

When stops are delivered, `update_route_days` recomputes their routes' corrections from today's observations
(one query per route per event batch) and stores them; a route push reads its route's one row through
`route_calibration`, parsed once per process per change, so the hot path pays one primary-key lookup.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.eta import PRIOR, Calibration
from app.eta.route_day import RouteDay, route_day
from app.eta.smoothing import texts_eta_of
from app.extensions import db
from app.models import EtaObservation, EtaRouteDay

ROUTE_DAY_SPAN = timedelta(hours=14)  # a route's day; an older correction is yesterday's
IMPLAUSIBLE = timedelta(hours=8)  # as in learning: a scan uploaded late is no ETA error
_CACHE_SIZE = 4096
_shifted: dict[tuple[int, str, datetime], tuple[Calibration, Calibration]] = {}


def update_route_days(route_ids: set[str], calibration: Calibration | None, now: datetime) -> None:
    """Recompute and store today's correction of each route from its delivered stops. No commit."""
    centre = (calibration or PRIOR).centre
    for route_id in sorted(route_ids):
        rows = db.session.execute(select(
            EtaObservation.shipment_id, EtaObservation.eta, EtaObservation.eta_smoothed, EtaObservation.texts_roughness,
            EtaObservation.observed_at, EtaObservation.arrived_at)
            .where(EtaObservation.route_id == route_id, EtaObservation.arrived_at >= now - ROUTE_DAY_SPAN))
        heard = ((row.shipment_id, texts_eta_of(row, calibration), row.observed_at, row.arrived_at) for row in rows)
        day = route_day(((shipment_id, (eta - observed).total_seconds() / 60, (arrived - eta).total_seconds() / 60)
                         for shipment_id, eta, observed, arrived in heard if abs(arrived - eta) <= IMPLAUSIBLE),
                        centre)
        _upsert(route_id, day.to_json(), now)


def _upsert(route_id: str, model: dict, now: datetime) -> None:
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(EtaRouteDay).values(route_id=route_id, model=model, updated_at=now)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["route_id"], set_={"model": statement.excluded.model,
                                           "updated_at": statement.excluded.updated_at}))


def route_calibration(calibration: Calibration | None, route_id: str | None, now: datetime) -> Calibration | None:
    """Return the calibration a route's texts read now: the carrier's, corrected by the route's day so far."""
    if calibration is None or calibration.warm is None or route_id is None:
        return calibration
    row = db.session.execute(select(EtaRouteDay.updated_at, EtaRouteDay.model)
                             .where(EtaRouteDay.route_id == route_id)).first()
    if row is None or row.updated_at < now - ROUTE_DAY_SPAN:
        return calibration
    key = (id(calibration), route_id, row.updated_at)
    cached = _shifted.get(key)
    if cached is None or cached[0] is not calibration:
        if len(_shifted) >= _CACHE_SIZE:
            _shifted.clear()
        cached = _shifted[key] = (calibration, calibration.for_route(RouteDay.from_json(row.model)))
    return cached[1]
