"""The ETA error model: how far a carrier's ETAs are off, by lead time, learnt from delivered stops. Pure."""

from app.eta.arrival import (
    COVERAGE,
    arrival_quantile,
    current_window,
    likeliest_arrival,
    median_arrival,
    narrowest_width,
    p_late,
    window_for,
)
from app.eta.calibration import LEAD_BINS, PRIOR, Calibration, fit, lead_bin
from app.eta.route_day import RouteDay, route_day

__all__ = ["COVERAGE", "LEAD_BINS", "PRIOR", "Calibration", "RouteDay", "arrival_quantile", "current_window", "fit",
           "lead_bin", "likeliest_arrival", "median_arrival", "narrowest_width", "p_late", "route_day", "window_for"]
