"""The ETA error model on synthetic residuals: it holds 95 % on data it has not seen, starts from a wide
prior, and narrows as the van nears. Pure: no database."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from app.eta import (
    LEAD_BINS,
    PRIOR,
    Calibration,
    current_window,
    fit,
    lead_bin,
    likeliest_arrival,
    median_arrival,
    p_late,
    window_for,
)

ETA = datetime(2026, 6, 9, 12, 0, tzinfo=UTC)


def noisy_residuals(seed: int, n: int, late_bias: float = 0.0) -> list[tuple[float, float]]:
    """(lead, error) pairs: spread about 12 % of the time left plus a minute, heavy tails (Student t, 4 df)."""
    rng = random.Random(seed)
    pairs = []
    for _ in range(n):
        lead = rng.uniform(0, 400)
        t4 = rng.gauss(0, 1) / (rng.gammavariate(2, 0.5) ** 0.5)
        pairs.append((lead, late_bias * lead + (0.12 * lead + 1) * t4))
    return pairs


def covered(calibration: Calibration, pairs, coverage: float = 0.95) -> float:
    inside = 0
    for lead, error in pairs:
        start, end = window_for(ETA, timedelta(minutes=lead), calibration, coverage)
        inside += start <= ETA + timedelta(minutes=error) <= end
    return inside / len(pairs)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("late_bias", [0.0, 0.08])
def test_windows_hold_95_percent_on_held_out_residuals(seed, late_bias):
    learnt = fit(noisy_residuals(seed, 20_000, late_bias))
    held_out = noisy_residuals(seed + 100, 10_000, late_bias)
    assert covered(learnt, held_out) >= 0.95
    for low, high in zip(LEAD_BINS, (*LEAD_BINS[1:], 400), strict=True):  # in every lead bin, not just overall
        in_bin = [(lead, e) for lead, e in held_out if low <= lead < high]
        assert covered(learnt, in_bin) >= 0.93


@pytest.mark.parametrize("lead", [10, 30, 60, 120, 240])
def test_learnt_windows_are_narrower_than_the_prior(lead):
    learnt = fit(noisy_residuals(7, 20_000))
    prior_start, prior_end = window_for(ETA, timedelta(minutes=lead))
    start, end = window_for(ETA, timedelta(minutes=lead), learnt)
    assert end - start <= prior_end - prior_start


def test_the_prior_is_what_no_data_gives_and_it_is_conservative():
    assert fit([]) == PRIOR
    assert covered(PRIOR, noisy_residuals(11, 5_000)) >= 0.95
    start, end = window_for(ETA, timedelta(hours=1))
    assert end - ETA > ETA - start  # leans late: drivers run late more than early
    assert median_arrival(ETA, timedelta(hours=1)) == ETA


def test_a_few_deliveries_do_not_overfit():
    few = fit([(60.0, 0.0)] * 5)  # five perfect ETAs prove little
    start, end = window_for(ETA, timedelta(hours=1), few)
    assert end - start >= timedelta(minutes=45)


@pytest.mark.parametrize("calibration", [PRIOR, fit(noisy_residuals(5, 20_000))], ids=["prior", "learnt"])
def test_windows_narrow_as_the_van_nears(calibration):
    widths = [window_for(ETA, timedelta(minutes=lead), calibration)[1]
              - window_for(ETA, timedelta(minutes=lead), calibration)[0] for lead in (300, 150, 60, 20, 5)]
    assert widths == sorted(widths, reverse=True) and widths[0] > widths[-1]
    assert widths[-1] == timedelta(minutes=30)  # never narrower than half an hour


@pytest.mark.parametrize("lead", [0.5, 7, 25, 100, 500])
def test_windows_are_rounded_outward_to_five_minutes_and_never_start_in_the_past(lead):
    eta = ETA + timedelta(minutes=3, seconds=17)
    start, end = window_for(eta, timedelta(minutes=lead))
    assert start.minute % 5 == 0 and end.minute % 5 == 0 and start.second == end.second == 0
    assert start >= eta - timedelta(minutes=lead) - timedelta(minutes=5) and start < eta < end


def test_p_late_is_monotone_and_honest():
    learnt = fit(noisy_residuals(9, 20_000))
    lead = timedelta(minutes=60)
    chances = [p_late(ETA, lead, ETA + timedelta(minutes=m), learnt) for m in range(-40, 41, 5)]
    assert chances == sorted(chances, reverse=True)
    assert chances[0] > 0.97 and chances[-1] < 0.03
    # Of the cases it calls >= 80 % late, at least about that many really are late.
    rng, called, late = random.Random(4), 0, 0
    for lead_minutes, error in noisy_residuals(10, 20_000):
        deadline = ETA + timedelta(minutes=rng.uniform(-30, 10))
        if p_late(ETA, timedelta(minutes=lead_minutes), deadline, learnt) >= 0.8:
            called += 1
            late += ETA + timedelta(minutes=error) > deadline
    assert called > 1000 and late / called >= 0.8


def test_median_follows_a_carrier_whose_etas_run_early():
    learnt = fit(noisy_residuals(12, 20_000, late_bias=0.1))
    assert median_arrival(ETA, timedelta(minutes=60), learnt) - ETA == pytest.approx(timedelta(minutes=6),
                                                                                   abs=timedelta(minutes=1))


def test_a_calibration_survives_json_and_a_foreign_layout_falls_back_to_the_prior():
    learnt = fit(noisy_residuals(13, 5_000))
    assert Calibration.from_json(json.loads(json.dumps(learnt.to_json()))) == learnt
    assert Calibration.from_json({"version": 0}) == PRIOR
    assert Calibration.from_json(None) == PRIOR


def test_current_window_is_the_window_at_the_current_lead():
    now = ETA - timedelta(minutes=40)
    assert current_window(ETA, now) == window_for(ETA, timedelta(minutes=40))


@pytest.mark.parametrize(("lead", "expected"), [(-10, 0), (0, 0), (4.9, 0), (5, 1), (79, 4), (320, 7), (5000, 7)])
def test_lead_bins(lead, expected):
    assert lead_bin(lead) == expected


def test_a_lead_between_two_bins_reads_between_their_errors():
    # As ingestion keeps them: the first ETA heard in a bin, just under its upper edge; errors grow with the lead.
    pairs = [(edge - 0.1, 0.4 * edge + 0.2 * k) for edge in (5, 10, 20, 40) for k in range(-50, 51)]
    calibration = fit(pairs, strength=1)  # the data alone, nearly
    assert calibration.leads[1:3] == pytest.approx((9.9, 19.9))
    at_10, at_15, at_20 = (calibration.quantile(lead, 0.5) for lead in (9.9, 15, 19.9))
    assert at_10 == pytest.approx(4.0, abs=0.3) and at_20 == pytest.approx(8.0, abs=0.6)
    assert at_10 < at_15 < at_20  # not 20 minutes' error for a van 15 minutes away
    assert Calibration.from_json(calibration.to_json()).leads == calibration.leads
    stored = calibration.to_json() | {"leads": [1, 1, 1, 1, 1, 1, 1, 1]}  # not increasing: the edges stand in
    assert Calibration.from_json(stored).leads == Calibration.from_json(PRIOR.to_json()).leads


def skewed_residuals(seed: int, n: int, tail: float) -> list[tuple[float, float]]:
    """(lead, error) 10-20 minutes out: legs vary (normal, 1.5 min), and a share `tail` of vans meets a long stop
    or a jam after the ETA (late by 5-20 minutes, never early): the planner's errors near the door, exaggerated."""
    rng = random.Random(seed)
    return [(rng.uniform(10, 20), rng.gauss(0, 1.5) + (rng.uniform(5, 20) if rng.random() < tail else 0.0))
            for _ in range(n)]


def right_within(calibration: Calibration, pairs, estimate, minutes: float = 3.0) -> float:
    return sum(abs(ETA + timedelta(minutes=error) - estimate(calibration, timedelta(minutes=lead)))
               <= timedelta(minutes=minutes) for lead, error in pairs) / len(pairs)


def test_the_likeliest_arrival_is_right_within_three_minutes_more_often_than_the_median_when_errors_are_skewed():
    learnt = fit(skewed_residuals(21, 20_000, tail=0.4), strength=1)
    held_out = skewed_residuals(22, 5_000, tail=0.4)
    by_median = right_within(learnt, held_out, lambda c, lead: median_arrival(ETA, lead, c))
    by_likeliest = right_within(learnt, held_out, lambda c, lead: likeliest_arrival(ETA, lead, timedelta(minutes=3), c))
    assert by_likeliest >= by_median + 0.03  # the late tail no longer drags "about N" away from most vans
    assert by_likeliest >= 0.55  # saying the ETA itself is right for 0.6 x 95 % = 57 % of these, the median for 51 %


def test_the_likeliest_arrival_is_the_median_when_errors_are_symmetric():
    learnt = fit(skewed_residuals(23, 20_000, tail=0.0), strength=1)
    for lead in (10, 15, 20):
        said = likeliest_arrival(ETA, timedelta(minutes=lead), timedelta(minutes=3), learnt)
        assert abs(said - median_arrival(ETA, timedelta(minutes=lead), learnt)) <= timedelta(seconds=20)
    prior_said = likeliest_arrival(ETA, timedelta(minutes=15), timedelta(minutes=3))  # the prior's bulk is symmetric
    assert abs(prior_said - median_arrival(ETA, timedelta(minutes=15))) <= timedelta(minutes=1)


def test_windows_sit_on_the_five_minute_grid_as_narrow_as_the_coverage_allows():
    learnt = fit(noisy_residuals(31, 20_000))
    narrower = total = 0
    for lead in (45, 60, 75, 90, 120):
        for second in range(0, 600, 20):  # ETAs at every phase of the 5-minute grid
            eta = ETA + timedelta(seconds=second)
            early, late = learnt.interval(lead, 0.95)
            start = eta + timedelta(minutes=early)
            outward = (ETA + timedelta(minutes=5 * math.floor((start - ETA) / timedelta(minutes=5))),
                       ETA + timedelta(minutes=5 * math.ceil((eta + timedelta(minutes=late) - ETA)
                                                              / timedelta(minutes=5))))
            window = window_for(eta, timedelta(minutes=lead), learnt)
            assert window[0].minute % 5 == 0 and window[1].minute % 5 == 0 and window[0].second == 0
            held = (learnt.cdf(lead, (window[1] - eta) / timedelta(minutes=1))
                    - learnt.cdf(lead, (window[0] - eta) / timedelta(minutes=1)))
            assert held >= 0.95 - 1e-9  # the model still says it holds
            assert window[1] - window[0] <= outward[1] - outward[0]
            narrower += window[1] - window[0] < outward[1] - outward[0]
            total += 1
    assert narrower >= 0.2 * total  # rounding outward wasted five minutes this often
