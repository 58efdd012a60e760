"""What a calibration says about one stop's arrival: a window, the chance of being late, the median, the likeliest.

All take the carrier's ETA and the lead at which it was given (ETA - the moment it was observed,
which is `now` for a fresh push). Pure; aware datetimes only.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from app.eta.calibration import PRIOR, PROBS, Calibration

COVERAGE = 0.95
ROUND_TO = timedelta(minutes=5)
MIN_WIDTH = timedelta(minutes=30)  # narrower reads as false precision (DPD goes down to 30 minutes)


def _minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60


def _floor(moment: datetime, step: timedelta = ROUND_TO) -> datetime:
    seconds = step.total_seconds()
    return datetime.fromtimestamp(math.floor(moment.timestamp() / seconds) * seconds, tz=UTC)


def _ceil(moment: datetime, step: timedelta = ROUND_TO) -> datetime:
    seconds = step.total_seconds()
    return datetime.fromtimestamp(math.ceil(moment.timestamp() / seconds) * seconds, tz=UTC)


def window_for(eta: datetime, lead: timedelta, calibration: Calibration | None = None,
               coverage: float = COVERAGE) -> tuple[datetime, datetime]:
    """Return the narrowest window (UTC) holding the arrival with `coverage`, rounded outward to 5 min.

    It never starts before the moment the ETA was given (the van cannot have come already),
    and is at least MIN_WIDTH wide, widened on the late side.
    """
    calibration = calibration or PRIOR
    lead_minutes = _minutes(lead)
    early, late = calibration.interval(lead_minutes, coverage)
    start = _floor(max(eta + timedelta(minutes=early), eta - lead))
    end = _ceil(eta + timedelta(minutes=late))
    start, end = _tightened(eta, lead_minutes, start, end, calibration, coverage)
    return start, max(end, start + MIN_WIDTH)


def _tightened(eta: datetime, lead_minutes: float, start: datetime, end: datetime, calibration: Calibration,
               coverage: float) -> tuple[datetime, datetime]:
    """Return the narrower of two windows on the 5-minute grid that still hold `coverage`, if narrower.

    Rounding the shortest interval outward can add up to ten minutes. The rounded start already holds some
    of the early tail, so the end may need less (and the other way round): on the grid line before the
    shortest interval, a 53-minute interval often fits in 60 minutes instead of 65.
    """
    def held_by(moment: datetime) -> float:
        return calibration.cdf(lead_minutes, _minutes(moment - eta))

    def at(p: float) -> datetime:
        return eta + timedelta(minutes=calibration.quantile(lead_minutes, p))

    best = (start, end)
    before_start, before_end = held_by(start), held_by(end)
    if before_start + coverage <= PROBS[-1]:
        best = min(best, (start, _ceil(at(before_start + coverage))), key=lambda w: w[1] - w[0])
    if before_end - coverage >= PROBS[0]:
        best = min(best, (max(start, _floor(at(before_end - coverage))), end), key=lambda w: w[1] - w[0])
    return best


def narrowest_width(lead: timedelta, calibration: Calibration | None = None, coverage: float = COVERAGE) -> timedelta:
    """Return the width no window holding `coverage` at this lead can go below (before rounding; cached)."""
    early, late = (calibration or PRIOR).interval(_minutes(lead), coverage)
    return timedelta(minutes=late - early)


def p_late(eta: datetime, lead: timedelta, deadline: datetime, calibration: Calibration | None = None) -> float:
    """Return the probability that the van arrives after `deadline`."""
    calibration = calibration or PRIOR
    return 1.0 - calibration.cdf(_minutes(lead), _minutes(deadline - eta))


def arrival_quantile(eta: datetime, lead: timedelta, p: float, calibration: Calibration | None = None) -> datetime:
    """Return the moment the van has arrived by with probability p."""
    calibration = calibration or PRIOR
    return eta + timedelta(minutes=calibration.quantile(_minutes(lead), p))


def median_arrival(eta: datetime, lead: timedelta, calibration: Calibration | None = None) -> datetime:
    """Return the arrival the model thinks as likely before as after: ETA plus the median error."""
    calibration = calibration or PRIOR
    return eta + timedelta(minutes=calibration.quantile(_minutes(lead), 0.5))


def likeliest_arrival(eta: datetime, lead: timedelta, within: timedelta,
                      calibration: Calibration | None = None) -> datetime:
    """Return the arrival most often right within ±`within`: what "about N minutes" says (see Calibration.likeliest)."""
    calibration = calibration or PRIOR
    return eta + timedelta(minutes=calibration.likeliest(_minutes(lead), _minutes(within)))


def current_window(eta: datetime, now: datetime, calibration: Calibration | None = None,
                   coverage: float = COVERAGE) -> tuple[datetime, datetime]:
    """Return the calibrated window for an ETA known now: what the tracking page shows live.

    As the van nears the lead shrinks and so does the window (a few hours out it may span two
    hours; fifteen minutes out about half an hour).
    """
    return window_for(eta, eta - now, calibration, coverage)
