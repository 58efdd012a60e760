"""The ETAs a day's pushes taught, as ingestion keeps them: per stop, the first ETA heard in each lead-time bin
(pushes older than one already heard are stale), with the stop's true arrival. Pure.

Tests and benchmarks use it to give the error model days to learn from without replaying them. With
`smoothed`, each Heard is about the stop's smoothed ETA after that push (app/eta/smoothing.py) instead of the
push's own: the same ETAs in the same order, as the other estimator saw them.
"""

from __future__ import annotations

from datetime import datetime

from app.eta import lead_bin
from app.eta.route_day import Heard
from app.eta.smoothing import Smoothed, smooth
from app.simulation.day import Day, arrivals_from_events


def heard_etas(day: Day, smoothed: bool = False) -> dict[str, list[Heard]]:
    """Return, per route id, the ETAs heard for stops that were delivered, with their outcome."""
    arrivals = arrivals_from_events(day.requests)
    latest: dict[str, datetime] = {}
    estimates: dict[str, Smoothed] = {}
    first: dict[tuple[str, int], tuple[str, float, datetime, datetime]] = {}
    for request in day.requests:
        if "/routes/" not in request.path:
            continue
        route_id = request.path.split("/routes/")[1].split("/")[0]
        observed_at = datetime.fromisoformat(request.body["observed_at"])
        for stop in request.body["stops"]:
            number = stop["tracking_number"]
            if latest.get(number, observed_at) > observed_at or number not in arrivals:
                continue
            if observed_at >= arrivals[number]:
                continue  # pushed after the van came: ingestion no longer listens
            latest[number] = observed_at
            eta = datetime.fromisoformat(stop["eta"])
            estimates[number] = smooth(estimates.get(number), eta, observed_at)
            lead = (eta - observed_at).total_seconds() / 60
            if smoothed:
                eta = estimates[number].eta
            first.setdefault((number, lead_bin(lead)), (route_id, (eta - observed_at).total_seconds() / 60, eta,
                                                        observed_at))
    routes: dict[str, list[Heard]] = {}
    for (number, _), (route_id, lead, eta, observed_at) in first.items():
        arrived = arrivals[number]
        routes.setdefault(route_id, []).append(
            Heard(number, lead, (arrived - eta).total_seconds() / 60, observed_at, arrived))
    return routes
