"""The smoothed ETA: it averages pushes that scatter around the truth, follows a change it was not told about,
and learning chooses it only where it errs clearly less. Pure: no database."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from app.eta import Calibration, fit
from app.eta.smoothing import EVIDENCE, Smoothed, reads_smoothed, smooth, smoothing_pays, texts_eta

START = datetime(2026, 6, 9, 9, 0, tzinfo=UTC)


def _pushes(rng: random.Random, arrival: datetime, drift_per_push: float = 0.0):
    """Pushes every 30-60 s until the van comes: (observed_at, eta, truth at that moment)."""
    t, truth = START, arrival
    while t < arrival - timedelta(minutes=1):
        truth += timedelta(minutes=rng.gauss(0, drift_per_push))
        left = (truth - t).total_seconds() / 60
        yield t, truth + timedelta(minutes=rng.gauss(0, 0.12 * left + 1)), truth
        t += timedelta(seconds=rng.uniform(30, 60))


def _errors_at_15_minutes(seed: int, drift_per_push: float = 0.0) -> tuple[list[float], list[float]]:
    """Per stop, the error (truth - estimate, minutes) of the latest push and of the smoothed ETA 15 min out."""
    rng = random.Random(seed)
    latest, smoothed = [], []
    for stop in range(300):
        arrival = START + timedelta(minutes=30 + stop * 0.5)
        estimate = None
        for observed_at, eta, truth in _pushes(rng, arrival, drift_per_push):
            estimate = smooth(estimate, eta, observed_at)
            if truth - observed_at <= timedelta(minutes=15):
                latest.append((truth - eta).total_seconds() / 60)
                smoothed.append((truth - estimate.eta).total_seconds() / 60)
                break
    return latest, smoothed


def _rms(errors: list[float]) -> float:
    return (sum(e * e for e in errors) / len(errors)) ** 0.5


def test_pushes_that_scatter_around_the_truth_average_out():
    latest, smoothed = _errors_at_15_minutes(seed=1)
    assert _rms(latest) > 2.4  # one push, 15 minutes out: 12 % of the time left plus a minute
    assert _rms(smoothed) < _rms(latest) / 2
    assert sum(abs(e) <= 3 for e in smoothed) / len(smoothed) >= 0.95


def test_a_truth_that_wanders_is_followed_not_averaged_away():
    # The van meets traffic: the true arrival random-walks (half a minute per push); the estimate keeps up.
    latest, smoothed = _errors_at_15_minutes(seed=2, drift_per_push=0.5)
    assert abs(sum(smoothed) / len(smoothed)) < 0.5  # no lag that leaves it systematically early
    assert _rms(smoothed) < _rms(latest)


def test_a_jump_it_was_not_told_about_restarts_the_estimate():
    estimate = None
    for minute in range(10):
        estimate = smooth(estimate, START + timedelta(minutes=60), START + timedelta(minutes=minute))
    assert estimate.eta == START + timedelta(minutes=60)
    assert estimate.variance < (0.12 * 50 + 1) ** 2 / 4  # ten pushes that agree know more than one
    # The stops were re-sequenced: this one now comes 40 minutes later, far beyond the estimate's uncertainty.
    after = smooth(estimate, START + timedelta(minutes=100), START + timedelta(minutes=10))
    assert after.eta == START + timedelta(minutes=100)
    # A smaller change within it moves the estimate part of the way.
    nudged = smooth(estimate, START + timedelta(minutes=70), START + timedelta(minutes=10))
    assert START + timedelta(minutes=60) < nudged.eta < START + timedelta(minutes=70)


def test_a_push_older_than_the_last_one_changes_nothing():
    estimate = smooth(None, START + timedelta(minutes=60), START + timedelta(minutes=5))
    assert smooth(estimate, START + timedelta(minutes=90), START + timedelta(minutes=4)) is estimate
    assert smooth(estimate, START + timedelta(minutes=90), START + timedelta(minutes=5)) is estimate


def test_the_first_push_is_believed_as_it_is():
    first = smooth(None, START + timedelta(minutes=100), START)
    assert first == Smoothed(START + timedelta(minutes=100), (0.12 * 100 + 1) ** 2, START, 0.0)


def _residuals(seed: int, spread_at: float) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    return [(lead, rng.gauss(0, spread_at * (0.12 * lead + 1))) for lead in
            (rng.uniform(5, 40) for _ in range(3 * EVIDENCE * 3))]


def test_learning_picks_the_smoothed_eta_only_where_it_errs_clearly_less():
    latest = _residuals(1, 1.0)
    assert smoothing_pays(latest, _residuals(2, 0.4))
    assert smoothing_pays(latest, _residuals(3, 1.0)) is False  # a tie keeps what the carrier said
    assert smoothing_pays(latest, _residuals(4, 1.5)) is False
    # Too few delivered stops to tell: undecided, each stop's roughness picks.
    assert smoothing_pays(latest[:EVIDENCE], _residuals(5, 0.4)[:EVIDENCE]) is None


def test_the_calibration_remembers_which_eta_its_errors_are_of():
    for verdict in (True, False, None):
        calibration = fit(_residuals(6, 0.5), smoothed=verdict)
        assert Calibration.from_json(calibration.to_json()).smoothed is verdict
        assert calibration.with_warm(calibration).smoothed is verdict
    assert Calibration.from_json(fit([]).to_json() | {"estimator": "nonsense"}).smoothed is None
    eta, estimate = START, START + timedelta(minutes=2)
    assert texts_eta(eta, estimate, 0.0, True) == estimate  # the carrier's verdict rules the stop's roughness
    assert texts_eta(eta, estimate, 5.0, False) == eta
    assert texts_eta(eta, estimate, 1.0, None) == estimate  # undecided: a stop whose pushes scatter
    assert texts_eta(eta, estimate, 0.1, None) == eta  # and one whose pushes drift smoothly
    assert texts_eta(eta, None, 1.0, True) == eta  # a stop heard before smoothing existed


def _roughness(seed: int, drift_per_push: float, jitter_share: float) -> float:
    """A stop's roughness 20 minutes out, its pushes drifting toward the truth with this much jitter per push."""
    rng = random.Random(seed)
    estimate, truth, t = None, START + timedelta(minutes=120), START
    while truth - t > timedelta(minutes=20):
        truth += timedelta(minutes=rng.gauss(0, drift_per_push))
        left = (truth - t).total_seconds() / 60
        estimate = smooth(estimate, truth + timedelta(minutes=rng.gauss(0, jitter_share * left + 1)), t)
        t += timedelta(seconds=rng.uniform(30, 60))
    return estimate.roughness


def test_a_stop_whose_pushes_scatter_is_told_apart_from_one_whose_pushes_drift():
    scattering = [_roughness(seed, 0.0, 0.12) for seed in range(20)]
    drifting = [_roughness(seed, 0.5, 0.0) for seed in range(20)]
    assert sum(reads_smoothed(None, r) for r in scattering) >= 18
    assert sum(reads_smoothed(None, r) for r in drifting) <= 2
