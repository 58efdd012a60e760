"""The ETA error model: how far a carrier's ETAs are off, by lead time, learnt from delivered stops. Pure."""

from app.eta.arrival import COVERAGE, current_window, median_arrival, p_late, window_for
from app.eta.calibration import LEAD_BINS, PRIOR, Calibration, fit, lead_bin

__all__ = ["COVERAGE", "LEAD_BINS", "PRIOR", "Calibration", "current_window", "fit", "lead_bin", "median_arrival",
           "p_late", "window_for"]
