"""The route's day so far corrects the carrier's model: on days with their own bias (a slow driver, a
fast one), windows corrected by the stops already delivered still hold 95 % on unseen days, and are
narrower than the carrier's pooled ones. Pure: synthetic route-days, no database."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from app.eta import PRIOR, Calibration, RouteDay, fit, route_day, window_for
from app.eta.route_day import WARM_STOPS, Heard, RouteDayBuilder, corrected_residuals

START = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)
LEADS = (3, 8, 15, 30, 60, 100, 200)


def synthetic_day(seed: int, stops: int = 60) -> list[Heard]:
    """One route-day: a day-level pace bias (share of the lead) plus per-ETA noise growing with the lead."""
    rng = random.Random(seed)
    bias = rng.gauss(0, 0.1)
    heard = []
    for k in range(stops):
        arrival = START + timedelta(minutes=240 + 3 * k)
        for lead in LEADS:
            error = bias * lead + (0.04 * lead + 1) * rng.gauss(0, 1)
            eta = arrival - timedelta(minutes=error)
            heard.append(Heard(f"s{seed}-{k}", lead, error, eta - timedelta(minutes=lead), arrival))
    return heard


def learn(seeds) -> Calibration:
    days = [synthetic_day(seed) for seed in seeds]
    cold = fit([(h.lead_minutes, h.error_minutes) for day in days for h in day], days=len(days))
    corrected = [pair for day in days for pair in corrected_residuals(day, cold.centre)]
    return cold.with_warm(fit(corrected, days=len(days), per_day=40, prior=cold))


def replay(calibration: Calibration, day: list[Heard]) -> tuple[list[bool], list[float]]:
    """Judge each ETA heard while the route was warm with the window its texts would have told."""
    builder, done, held, widths = RouteDayBuilder(calibration.centre), 0, [], []
    arrivals = sorted(day, key=lambda h: h.arrived_at)
    for heard in sorted(day, key=lambda h: h.observed_at):
        while done < len(arrivals) and arrivals[done].arrived_at <= heard.observed_at:
            builder.add(arrivals[done].shipment_id, arrivals[done].lead_minutes, arrivals[done].error_minutes)
            done += 1
        today = builder.current()
        if not today.warm:
            continue
        eta = heard.arrived_at - timedelta(minutes=heard.error_minutes)
        start, end = window_for(eta, timedelta(minutes=heard.lead_minutes), calibration.for_route(today))
        held.append(start <= heard.arrived_at <= end)
        if heard.lead_minutes >= 40:  # shorter leads sit at the 30-minute floor either way
            widths.append((end - start).total_seconds() / 60)
    return held, widths


def test_corrected_windows_hold_on_unseen_days_and_are_narrower():
    calibration = learn(range(1, 21))
    cold_only = Calibration(calibration.quantiles, calibration.counts, leads=calibration.leads)
    held, warm_widths, cold_held, cold_widths = [], [], [], []
    for seed in range(101, 111):
        day_held, day_widths = replay(calibration, synthetic_day(seed))
        held += day_held
        warm_widths += day_widths
        day_held, day_widths = replay(cold_only, synthetic_day(seed))
        cold_held += day_held
        cold_widths += day_widths
    assert sum(held) / len(held) >= 0.95 and sum(cold_held) / len(cold_held) >= 0.95
    assert sum(warm_widths) < 0.8 * sum(cold_widths)


def test_a_route_with_few_deliveries_is_not_corrected():
    cold = learn(range(1, 6))
    few = route_day([("a", 30, 20.0), ("b", 30, 20.0)], cold.centre)
    assert few.stops == 2 and not few.warm
    assert cold.for_route(few) is cold and cold.for_route(None) is cold
    assert PRIOR.for_route(RouteDay(50, (1.0,) * 8)) is PRIOR  # no warm model learnt: nothing to shift


def test_the_offset_grows_with_the_evidence_and_leans_the_way_the_day_runs():
    centre = PRIOR.centre
    late = [route_day([(f"s{k}", 30, 12.0) for k in range(n)], centre) for n in (5, 20, 80)]
    offsets = [day.offsets[4] for day in late]  # the 20-40 minute bin
    assert 0 < offsets[0] < offsets[1] < offsets[2]
    assert late[2].offsets[6] == pytest.approx(late[2].offsets[4], rel=0.2)  # longer bins follow the short ones
    early = route_day([(f"s{k}", 30, -6.0) for k in range(20)], centre)
    assert early.offsets[4] < 0
    # An ETA heard long before the van came spans jams the planner has since absorbed: it tells nothing of now.
    assert route_day([(f"s{k}", 120, 60.0) for k in range(20)], centre).stops == 0
    assert RouteDay.from_json(late[1].to_json()) == RouteDay(late[1].stops, tuple(
        round(o, 4) for o in late[1].offsets))
    assert RouteDay.from_json({"version": 0}) is None


def test_a_calibration_keeps_its_warm_model_through_json():
    calibration = learn(range(1, 4))
    again = Calibration.from_json(calibration.to_json())
    assert again.warm == calibration.warm and again.quantiles == calibration.quantiles
    shifted = again.for_route(RouteDay(WARM_STOPS, (0.5,) * 8))
    assert shifted.quantile(60, 0.5) > Calibration(again.warm, again.counts, leads=again.leads).quantile(60, 0.5)
