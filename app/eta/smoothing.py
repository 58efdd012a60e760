"""One stop's ETAs, pushed every minute, smoothed into one estimate: a one-dimensional Kalman filter. Pure.

Carriers' ETAs are noisy in two different ways, and which one a carrier's are decides what to believe:
- *Drifting*: each push is the plan from the van's last scan. It moves toward the truth as the legs are
  driven, so the latest push knows most and an average of older ones only lags.
- *Scattering*: each push jitters around the true arrival on its own (a jittery GPS feed, a traffic model
  that resamples). No single push is to be trusted, and the average of the last several is far better:
  at 15 minutes out, one push is off by about 3 minutes, the smoothed estimate by about 1.

The filter keeps, per stop, the estimate and its variance. Between pushes the truth may move (the van met
traffic): the variance grows by DRIFT per minute. A push at lead L counts with the variance of one push,
(PUSH_SHARE * L + PUSH_MINUTES)^2 (the issue's 12 % of the time left plus a minute), L read off the
estimate so far. A push further from
the estimate than RESET_SD standard deviations is a change the filter was not told about (stops
re-sequenced, a jam cleared): the estimate restarts from it.

Both are kept. Learning (app/ingestion/eta_learning.py) measures, from the carrier's delivered stops,
which of the two errs less at the leads where texts are decided, and the carrier's calibration says which
one its texts read (`Calibration.smoothed`, `texts_eta`). Until it has the evidence (a new carrier, a
replay into an empty database) each stop's own pushes decide: the filter's normalized innovation squared
(how far each push lands from the estimate, in units of the spread expected) averages about 1 when pushes
scatter as modelled and far less when they drift smoothly; its running mean is the stop's *roughness*,
and a stop whose roughness reaches ROUGH reads the smoothed ETA.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.eta.calibration import Calibration, lead_bin, spread

PUSH_SHARE, PUSH_MINUTES = 0.12, 1.0
DRIFT = 0.2  # minutes² per minute: how fast the true arrival may wander between pushes
RESET_SD = 4.0
# Texts are decided 5 to 40 minutes out (arriving soon, the last delays): the smoothed ETA wins when its errors
# there spread at most PAYS_BY as wide as the latest push's, on at least EVIDENCE stops per lead. Smoothing
# costs lag, so it must pay clearly: on generated days a scattering carrier's ratio is 0.28-0.31, a drifting
# planner's 0.89-0.98 (the first ETA heard in a bin understates the lag that the moment of a text pays).
DECIDING_LEADS = (7.5, 15.0, 30.0)
PAYS_BY = 0.6
EVIDENCE = 100
# Roughness: running mean of the normalized innovation squared, ROUGH_WEIGHT per push (about ten pushes);
# one push counts at most ROUGH_CAP, so one jump (a re-sequenced stop) adds 0.2 and does not make a smoothly
# drifting stop (0.1-0.3) look scattering (about 1 for pushes that scatter by 12 % of the time left).
ROUGH_WEIGHT, ROUGH_CAP, ROUGH = 0.1, 2.0, 0.5
# One stop's roughness is noisy (on generated days the two kinds overlap for a fifth of stops); a route's
# pushes come from one planner, so a push with at least ROUTE_STOPS stops decides by their median.
ROUTE_STOPS = 5


@dataclass(frozen=True)
class Smoothed:
    """The smoothed ETA of one stop and its variance (minutes²), as of the push observed at `observed_at`."""

    eta: datetime
    variance: float
    observed_at: datetime
    roughness: float = 0.0  # running mean of the normalized innovation squared (see ROUGH)


def _push_variance(eta: datetime, observed_at: datetime) -> float:
    lead = max((eta - observed_at).total_seconds() / 60, 0.0)
    return (PUSH_SHARE * lead + PUSH_MINUTES) ** 2


def smooth(previous: Smoothed | None, eta: datetime, observed_at: datetime) -> Smoothed:
    """Return the estimate after a push saying `eta`, observed at `observed_at` (later than the previous)."""
    if previous is not None and observed_at <= previous.observed_at:
        return previous  # a push older than one already heard says nothing new
    if previous is None:  # the carrier's own ETA until its pushes say otherwise
        return Smoothed(eta, _push_variance(eta, observed_at), observed_at)
    # The push's variance from the estimate's lead, not its own: weighing by its own would favour the pushes
    # that happen to say "earlier" (a smaller lead, a smaller variance) and leave the estimate early.
    noise = _push_variance(previous.eta, observed_at)
    elapsed = (observed_at - previous.observed_at).total_seconds() / 60
    prior = previous.variance + DRIFT * elapsed
    innovation = (eta - previous.eta).total_seconds() / 60
    surprise = innovation * innovation / (prior + noise)
    roughness = (1 - ROUGH_WEIGHT) * previous.roughness + ROUGH_WEIGHT * min(surprise, ROUGH_CAP)
    if surprise > RESET_SD * RESET_SD:
        return Smoothed(eta, _push_variance(eta, observed_at), observed_at, roughness)
    gain = prior / (prior + noise)
    return Smoothed(previous.eta + timedelta(minutes=gain * innovation), (1 - gain) * prior, observed_at, roughness)


def reads_smoothed(verdict: bool | None, roughness: float | None) -> bool:
    """Tell whether texts read the smoothed ETA: the carrier's learnt verdict, else the stop's own roughness."""
    if verdict is not None:
        return verdict
    return roughness is not None and roughness >= ROUGH


def route_roughness(stops: Iterable[float | None]) -> float | None:
    """Return the median roughness of one push's stops, or None when too few stops to speak for the route."""
    values = sorted(value for value in stops if value is not None)
    return values[len(values) // 2] if len(values) >= ROUTE_STOPS else None


def texts_eta(eta: datetime | None, smoothed: datetime | None, roughness: float | None,
              verdict: bool | None) -> datetime | None:
    """Return the ETA texts and windows read (`verdict`: the carrier calibration's `smoothed`)."""
    return smoothed if smoothed is not None and reads_smoothed(verdict, roughness) else eta


def texts_eta_of(record, calibration: Calibration | None) -> datetime | None:
    """Return the ETA the texts read for a record with `eta`, `eta_smoothed` and `texts_roughness` (a shipment,
    or an ETA observation), under its carrier's calibration (None: none learnt yet, undecided)."""
    return texts_eta(record.eta, record.eta_smoothed, record.texts_roughness,
                     calibration.smoothed if calibration else None)


def smoothing_pays(latest: Iterable[tuple[float, float]], smoothed: Iterable[tuple[float, float]]) -> bool | None:
    """Tell whether the smoothed ETA erred clearly less than the latest push, from (lead, error) minutes;
    None while there are too few delivered stops to tell (each stop's roughness decides meanwhile).

    Measured on the data alone (the calibrations lean on a shared prior for weeks): per deciding lead bin,
    the spread of the errors between their 5th and 95th percentiles, in the calibration's score units.
    """
    def spreads(pairs: Iterable[tuple[float, float]]) -> list[float] | None:
        bins: dict[int, list[float]] = {lead_bin(lead): [] for lead in DECIDING_LEADS}
        for lead, error in pairs:
            scores = bins.get(lead_bin(lead))
            if scores is not None:
                scores.append(error / spread(lead))
        if any(len(scores) < EVIDENCE for scores in bins.values()):
            return None
        return [_range(sorted(scores)) for scores in bins.values()]

    ours, theirs = spreads(smoothed), spreads(latest)
    if ours is None or theirs is None:
        return None
    return sum(ours) <= PAYS_BY * sum(theirs)


def _range(ordered: list[float], tail: float = 0.05) -> float:
    n = len(ordered)
    return ordered[min(n - 1, int((1 - tail) * n))] - ordered[int(tail * n)]
