"""Today's bias of one route, read from its delivered stops: the online correction of the carrier's model. Pure.

A carrier's calibration pools many days, so it must cover the slow days and the fast ones alike: on any
one day its windows are wider than that day needs, and on a day whose planner runs late all day (a slow
driver, a jam the planner keeps forgetting) they are off-centre. The stops of the same route delivered
earlier today say which kind of day it is:

- Every delivered stop gives, per lead-time bin, a residual (arrival - the first ETA heard in that bin).
  As a *score* (residual / spread(lead), app/eta/calibration.py) minus the carrier's median score in
  that bin, it says how much later than usual today's ETAs turn out. Only residuals of ETAs heard less
  than RECENT_LEAD before the van came count: a longer one spans the jams since, which the planner has
  absorbed by now (measured: counting them shifted the windows of a day with a morning jam late, and
  13 % of its narrowed windows missed the van on the early side).
- The route's *offset* is the median of those excesses over all of today's residuals, shrunk toward 0
  with STRENGTH pseudo-stops (one stop says little, twenty say a lot); each bin's own offset is its
  median shrunk toward the route's; the longer bins take the route's.
- From WARM_STOPS delivered stops on, the texts read the carrier's *warm* calibration shifted by those
  offsets: the warm calibration is learnt from residuals corrected the same way, at the moment each ETA
  was heard (split-conformal on corrected scores), so its windows hold as often and are narrower. Before
  that (the morning) the cold calibration stands alone.

Cheap by design: the offsets are recomputed when a stop is delivered (a few hundred numbers), stored per
route, and read once per push.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from app.eta.calibration import LEAD_BINS, lead_bin, spread

WARM_STOPS = 5  # delivered stops before today's bias is used at all
# Only ETAs heard less than this before the van came tell today's bias: a longer one spans the jams and long
# stops since, which the planner has absorbed by now (after a jam every long-lead residual is late, the
# ETAs heard after it are not). Longer bins take the short bins' offset, in score units.
RECENT_LEAD = 40.0
STRENGTH = 8.0  # pseudo-stops of "an ordinary day" pulling the route's offset toward 0
BIN_STRENGTH = 6.0  # pseudo-residuals pulling a bin's offset toward the route's
VERSION = 1


def _median(ordered: list[float]) -> float:
    n = len(ordered)
    return 0.0 if n == 0 else (ordered[(n - 1) // 2] + ordered[n // 2]) / 2


@dataclass(frozen=True)
class RouteDay:
    """How many of the route's stops were delivered today, and its ETAs' offset per lead bin (score units)."""

    stops: int
    offsets: tuple[float, ...]

    @property
    def warm(self) -> bool:
        return self.stops >= WARM_STOPS

    def to_json(self) -> dict:
        return {"version": VERSION, "stops": self.stops, "offsets": [round(o, 4) for o in self.offsets]}

    @classmethod
    def from_json(cls, data: dict | None) -> RouteDay | None:
        if not data or data.get("version") != VERSION or len(data.get("offsets", ())) != len(LEAD_BINS):
            return None
        return cls(int(data["stops"]), tuple(float(o) for o in data["offsets"]))


class RouteDayBuilder:
    """Today's residuals of one route, added as stops are delivered; `current()` is the correction they give."""

    def __init__(self, centre: tuple[float, ...]):
        self.centre = centre  # the carrier's median score per bin
        self.stops: set[str] = set()
        self.all: list[float] = []
        self.bins: list[list[float]] = [[] for _ in LEAD_BINS]

    def add(self, shipment_id: str, lead_minutes: float, error_minutes: float) -> None:
        if lead_minutes >= RECENT_LEAD:
            return
        b = lead_bin(lead_minutes)
        excess = error_minutes / spread(lead_minutes) - self.centre[b]
        self.stops.add(shipment_id)
        insort(self.all, excess)
        insort(self.bins[b], excess)

    def current(self) -> RouteDay:
        n = len(self.stops)
        route = _median(self.all) * n / (n + STRENGTH)
        offsets = tuple((len(b) * _median(b) + BIN_STRENGTH * route) / (len(b) + BIN_STRENGTH) for b in self.bins)
        return RouteDay(n, offsets)


def route_day(residuals: Iterable[tuple[str, float, float]], centre: tuple[float, ...]) -> RouteDay:
    """Return the correction from today's (shipment id, lead minutes, error minutes) of one route."""
    builder = RouteDayBuilder(centre)
    for shipment_id, lead, error in residuals:
        builder.add(shipment_id, lead, error)
    return builder.current()


@dataclass(frozen=True)
class Heard:
    """One ETA of a route-day with its outcome: what learning replays in time order."""

    shipment_id: str
    lead_minutes: float
    error_minutes: float
    observed_at: datetime
    arrived_at: datetime


def corrected_residuals(day: list[Heard], centre: tuple[float, ...]) -> list[tuple[float, float]]:
    """Return (lead, error - today's offset as known when the ETA was heard) for the ETAs heard warm.

    Replays the day: an ETA heard at t is corrected with the stops delivered by t, exactly what the
    texts could know then, so the warm calibration learnt from these is honest about it.
    """
    builder = RouteDayBuilder(centre)
    arrivals = sorted(day, key=lambda h: h.arrived_at)
    corrected, k = [], 0
    for heard in sorted(day, key=lambda h: h.observed_at):
        while k < len(arrivals) and arrivals[k].arrived_at <= heard.observed_at:
            done = arrivals[k]
            builder.add(done.shipment_id, done.lead_minutes, done.error_minutes)
            k += 1
        now = builder.current()
        if now.warm:
            offset = now.offsets[lead_bin(heard.lead_minutes)] * spread(heard.lead_minutes)
            corrected.append((heard.lead_minutes, heard.error_minutes - offset))
    return corrected
