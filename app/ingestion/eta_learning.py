"""Learn each carrier's ETA errors from its delivered stops (the model itself is app/eta, pure).

- While routes are pushed, `observations` picks, per stop, the first ETA heard in each lead-time
  bin (a stop whose bin did not change since the last push costs nothing), and `store_observations`
  inserts those few rows, keeping the first when a bin is seen again.
- When the van reaches a stop (delivered, or a failed attempt: the driver was at the door),
  `record_arrival` stamps the stop's observations with the moment.
- Hourly, `learn_eta_errors` (a sweep) refits each carrier's calibration from the residuals
  (arrival - ETA) of the last LEARN_FROM days and stores it; ingestion reads it once per push.
  Beside the cold calibration it learns the warm one: the residuals each route-day's own delivered
  stops would have corrected, as known when each ETA was heard (app/eta/route_day.py). Observations
  carry the smoothed ETA too; the estimator whose errors were clearly smaller is the one the carrier's
  texts read (app/eta/smoothing.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select, update

from app.eta import Calibration, fit, lead_bin
from app.eta.route_day import Heard, corrected_residuals
from app.eta.smoothing import smoothing_pays, texts_eta
from app.extensions import db
from app.models import EtaCalibration, EtaObservation
from app.models.base import insert_ignoring_duplicates

LEARN_FROM = timedelta(days=28)
RELEARN_EVERY = timedelta(hours=1)
KEEP_OBSERVATIONS = timedelta(days=60)
# An "arrival" this far from the ETA is a scan uploaded late or a parcel never loaded, not an ETA error.
IMPLAUSIBLE = timedelta(hours=8)
# Corrected by their own day's bias, one route-day's residuals are nearly independent: they weigh more.
PER_ROUTE_DAY = 40
_CACHE_SIZE = 64
_parsed: dict[tuple[str, datetime], Calibration] = {}


def carrier_calibration(carrier_id: str) -> Calibration | None:
    """Return the carrier's learnt calibration (None: none yet, the prior applies). One small query."""
    row = db.session.execute(select(EtaCalibration.computed_at, EtaCalibration.model)
                             .where(EtaCalibration.carrier_id == carrier_id)).first()
    if row is None:
        return None
    key = (carrier_id, row.computed_at)
    if key not in _parsed:  # parsed once per process and version, not per push
        if len(_parsed) >= _CACHE_SIZE:
            _parsed.clear()
        _parsed[key] = Calibration.from_json(row.model)
    return _parsed[key]


def observation(carrier_id: str, row, eta: datetime, observed_at: datetime, route_id: str | None = None,
                eta_smoothed: datetime | None = None, texts_roughness: float | None = None) -> dict | None:
    """Return the observation row for this ETA if it is the stop's first in a new lead-time bin."""
    bin_now = lead_bin((eta - observed_at).total_seconds() / 60)
    if row.eta is not None and row.eta_observed_at is not None:
        if lead_bin((row.eta - row.eta_observed_at).total_seconds() / 60) == bin_now:
            return None  # the bin's first ETA was stored when the stop entered it
    return {"carrier_id": carrier_id, "shipment_id": row.id, "route_id": route_id or getattr(row, "route_id", None),
            "attempt": row.attempt or 1, "lead_bin": bin_now,
            "lead_minutes": (eta - observed_at).total_seconds() / 60, "eta": eta, "eta_smoothed": eta_smoothed,
            "texts_roughness": texts_roughness, "observed_at": observed_at}


def store_observations(rows: list[dict]) -> None:
    """Insert observations, keeping the first per stop, attempt and bin. No commit."""
    insert_ignoring_duplicates(EtaObservation, rows, ["shipment_id", "attempt", "lead_bin"])


def record_arrival(shipment_id: str, attempt: int, arrived_at: datetime) -> None:
    """Stamp the stop's observations for this attempt with the moment the van came. No commit."""
    db.session.execute(update(EtaObservation).where(
        EtaObservation.shipment_id == shipment_id, EtaObservation.attempt == attempt,
        EtaObservation.arrived_at.is_(None)).values(arrived_at=arrived_at))


@dataclass
class Lessons:
    """A carrier's delivered stops as residuals of one estimator (the latest push's ETA, or the smoothed one)."""

    pairs: list[tuple[float, float]] = field(default_factory=list)  # (lead minutes, error minutes)
    # Of the latest ETA's pairs, those whose push also recorded a smoothed ETA: the verdict compares like with like.
    paired: list[tuple[float, float]] = field(default_factory=list)
    route_days: dict[tuple[str, date], list[Heard]] = field(default_factory=dict)

    @classmethod
    def of(cls, route_days: dict[tuple[str, date], list[Heard]]) -> Lessons:
        """Return the lessons of ETAs already heard per route and day (tests and benchmarks)."""
        pairs = [(h.lead_minutes, h.error_minutes) for heard in route_days.values() for h in heard]
        return cls(pairs=pairs, paired=list(pairs), route_days=route_days)

    def add(self, shipment_id: str, route_id: str | None, eta: datetime, observed: datetime, arrived: datetime) -> None:
        lead, error = (eta - observed).total_seconds() / 60, (arrived - eta).total_seconds() / 60
        self.pairs.append((lead, error))
        if route_id is not None:
            self.route_days.setdefault((route_id, arrived.date()), []).append(
                Heard(shipment_id, lead, error, observed, arrived))


def residuals(carrier_id: str, since: datetime) -> tuple[dict[bool | None, Lessons], int]:
    """Return the carrier's arrivals since `since` as lessons of the latest ETA (False), of the smoothed one
    (True, where it was recorded) and of the one the texts read while undecided (None, by the roughness the
    push had), and on how many days they fell."""
    rows = db.session.execute(select(EtaObservation.shipment_id, EtaObservation.route_id, EtaObservation.eta,
                                     EtaObservation.eta_smoothed, EtaObservation.texts_roughness,
                                     EtaObservation.observed_at, EtaObservation.arrived_at)
                              .where(EtaObservation.carrier_id == carrier_id, EtaObservation.arrived_at >= since)
                              .execution_options(yield_per=10_000))
    lessons, days = {False: Lessons(), True: Lessons(), None: Lessons()}, set()
    for shipment_id, route_id, eta, eta_smoothed, roughness, observed, arrived in rows:
        if abs(arrived - eta) > IMPLAUSIBLE:
            continue
        days.add(arrived.date())
        lessons[False].add(shipment_id, route_id, eta, observed, arrived)
        if eta_smoothed is not None:
            lessons[True].add(shipment_id, route_id, eta_smoothed, observed, arrived)
            lessons[False].paired.append(lessons[False].pairs[-1])
        lessons[None].add(shipment_id, route_id, texts_eta(eta, eta_smoothed, roughness, None), observed, arrived)
    return lessons, len(days)


def learn(lessons: dict[bool | None, Lessons], days: int) -> Calibration:
    """Pick the estimator that erred less, fit its cold calibration, then the warm one on the route-day-corrected
    residuals."""
    smoothed = smoothing_pays(lessons[False].paired, lessons[True].pairs)  # the same stops, both ways
    # Undecided: the errors of the ETA the texts read, each push's roughness having picked it.
    chosen = lessons.get(smoothed, lessons[False])
    cold = fit(chosen.pairs, days=days, smoothed=smoothed)
    corrected = [pair for day in chosen.route_days.values() for pair in corrected_residuals(day, cold.centre)]
    if not corrected:
        return cold
    return cold.with_warm(fit(corrected, days=len(chosen.route_days), per_day=PER_ROUTE_DAY, prior=cold))


def learn_eta_errors(now: datetime) -> int:
    """Refit the calibration of every carrier with arrivals in the last LEARN_FROM, hourly; return how many.

    Run by the sweeper every minute: between refits it costs one tiny query.
    """
    last = db.session.execute(select(func.max(EtaCalibration.computed_at))).scalar()
    if last is not None and now - RELEARN_EVERY < last <= now:
        return 0
    since = now - LEARN_FROM
    carriers = db.session.execute(select(EtaObservation.carrier_id).where(EtaObservation.arrived_at >= since)
                                  .distinct()).scalars().all()
    learnt = 0
    for carrier_id in carriers:
        lessons, days = residuals(carrier_id, since)
        calibration = learn(lessons, days)
        row = db.session.get(EtaCalibration, carrier_id) or EtaCalibration(carrier_id=carrier_id)
        row.model, row.residuals, row.computed_at = calibration.to_json(), len(lessons[False].pairs), now
        db.session.add(row)
        db.session.commit()
        learnt += 1
    db.session.execute(delete(EtaObservation).where(EtaObservation.observed_at < now - KEEP_OBSERVATIONS))
    db.session.commit()
    return learnt
