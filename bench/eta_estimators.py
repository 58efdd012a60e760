"""Which ETA to believe 15 minutes out: the latest push or the smoothed one, on generated days of both kinds.

    python -m bench.eta_estimators [--seeds 9101-9110] [--stops 120]

No model, no policy: each estimator alone, with the simplest rule ("text when it says the van is at most T
minutes away, say that many minutes"), for several T. It shows what the pushes themselves allow: on planner
days the best any threshold does with the latest push, on scatter days what smoothing buys. Scored as the
scorecard does: stops more than 15 minutes away at their first ETA; warned 10-20 minutes ahead; "about N"
(N rounded to whole minutes) within ±3 minutes of the true wait.

The third estimator, "clairvoyant", is the ceiling on planner days: it does not read the pushes but the
generator's truth, knowing where the van is, when it will finish the leg it is on, the day's pace and every
jam to come; only the legs not yet driven (their ±30 % and the odd 3-10 minute stop) are left to chance, and
it says the median of 150 futures drawn from exactly the generator's model. No forecast from pushes can beat
it, so where it misses a target the day's randomness after the text, not the estimator, is what misses.
"""

from __future__ import annotations

import argparse
import random
from bisect import bisect_right
from datetime import datetime
from statistics import median

from app.eta.smoothing import smooth
from app.simulation.day import EVENTS_PATH, SHIPMENTS_PATH, Day
from app.simulation.generator import MINUTES_PER_STOP, Drive, drive, drive_leg, generate_day

THRESHOLDS = (12, 13, 14, 15)
FUTURES = 150  # the clairvoyant's draws of the legs not yet driven
STEP = 0.5  # minutes between the clairvoyant's looks (pushes come every 0.5-1 minute)
LONG_STOP_MEAN = 0.025 * 6.5  # the generator's expected extra minutes of a leg from long stops


def _moments(day: Day, threshold: float) -> dict[str, list[tuple[float, float]]]:
    """Per estimator, (true wait, minutes said) at the first push saying the van is within `threshold`."""
    truth = {number: stop.arrival for number, stop in day.truth.items()}
    latest_seen: dict[str, datetime] = {}
    first_ahead: dict[str, float] = {}
    estimates, done = {}, {"latest": set(), "smoothed": set()}
    out: dict[str, list[tuple[float, float]]] = {"latest": [], "smoothed": []}
    for request in day.requests:
        if request.path in (EVENTS_PATH, SHIPMENTS_PATH):
            continue
        observed = datetime.fromisoformat(request.body["observed_at"])
        for stop in request.body["stops"]:
            number, eta = stop["tracking_number"], datetime.fromisoformat(stop["eta"])
            if (number in latest_seen and latest_seen[number] >= observed) or truth[number] <= observed:
                continue
            latest_seen[number] = observed
            estimates[number] = smooth(estimates.get(number), eta, observed)
            first_ahead.setdefault(number, (eta - observed).total_seconds() / 60)
            wait = (truth[number] - observed).total_seconds() / 60
            for name, said in (("latest", eta), ("smoothed", estimates[number].eta)):
                ahead = (said - observed).total_seconds() / 60
                if number not in done[name] and ahead <= threshold:
                    done[name].add(number)
                    if first_ahead[number] > 15:
                        out[name].append((wait, max(1, round(ahead))))
    return out


def _first_push(day: Day) -> float:
    """Minutes after departure of the day's first route push (the truth's arrival minus its wait)."""
    push = next(r for r in day.requests if r.path not in (EVENTS_PATH, SHIPMENTS_PATH))
    observed = datetime.fromisoformat(push.body["observed_at"])
    some = next(iter(day.truth.values()))
    return (observed - some.window_start).total_seconds() / 60


def _clairvoyant(seed: int, stops: int, threshold: float, first_push: float,
                 knows_leg: bool = True) -> list[tuple[float, float]]:
    """(true wait, minutes said) per far stop, by the clairvoyant (see the module's doc), positions in driven order.

    Without `knows_leg` it is the live-position oracle: it sees the van's last stop and any jam it stands in,
    but draws the end of the leg under way (given it has not ended yet) and knows no jam to come.
    """
    truth: Drive = drive(random.Random(seed), stops, stops * MINUTES_PER_STOP)
    rng, arrivals = random.Random(seed + 1), truth.arrivals
    legs = [leg * truth.allowance * truth.pace for leg in truth.planned]
    decided, out, t = set(), [], first_push
    while (done := bisect_right(arrivals, t)) < stops:
        horizon, reach, expected = t + threshold + 10, done, max(arrivals[done] if knows_leg else t, t)
        while reach + 1 < stops and expected + legs[reach + 1] + LONG_STOP_MEAN <= horizon:
            reach += 1
            expected += legs[reach] + LONG_STOP_MEAN
        jams = truth.jams if knows_leg else [jam for jam in truth.jams if jam[0] <= t]
        futures = [[arrivals[done] if knows_leg else _leg_under_way(rng, arrivals, done, legs, jams, t)]
                   for _ in range(FUTURES)]
        for future in futures:
            for position in range(done + 1, reach + 1):
                future.append(drive_leg(rng, future[-1], legs[position], jams))
        for offset, position in enumerate(range(done, reach + 1)):
            said = median(future[offset] for future in futures) - t
            if position not in decided and said <= threshold:
                decided.add(position)
                if arrivals[position] - first_push > 15:
                    out.append((arrivals[position] - t, max(1, round(said))))
        t += STEP
    return out


def _leg_under_way(rng: random.Random, arrivals: list[float], done: int, legs: list[float],
                   jams: list[tuple[float, float]], t: float) -> float:
    """Draw the end of the leg the van is on, given it has not ended by t (a few tries, then "any minute")."""
    start = arrivals[done - 1] if done else 0.0
    for _ in range(50):
        if (end := drive_leg(rng, start, legs[done], jams)) > t:
            return end
    return t + 0.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="9101-9110")
    parser.add_argument("--stops", type=int, default=120)
    args = parser.parse_args()
    low, _, high = args.seeds.partition("-")
    seeds = range(int(low), int(high or low) + 1)
    print("| ETA noise | estimator | T (min) | stops | warned 10-20 min ahead | 'about N' within ±3 min |")
    print("|---|---|---|---|---|---|")
    for noise in ("planner", "scatter"):
        days = [generate_day(seed, args.stops, eta_noise=noise) for seed in seeds]
        for threshold in THRESHOLDS:
            pooled: dict[str, list[tuple[float, float]]] = {"latest": [], "smoothed": []}
            if noise == "planner":
                pooled["clairvoyant"], pooled["live position"] = [], []
            for seed, day in zip(seeds, days, strict=True):
                for name, rows in _moments(day, threshold).items():
                    pooled[name] += rows
                if noise == "planner":
                    pooled["clairvoyant"] += _clairvoyant(seed, args.stops, threshold, _first_push(day))
                    pooled["live position"] += _clairvoyant(seed, args.stops, threshold, _first_push(day), False)
            for name, rows in pooled.items():
                soon = sum(10 <= wait <= 20 for wait, _ in rows) / len(rows)
                about = sum(abs(wait - said) <= 3 for wait, said in rows) / len(rows)
                print(f"| {noise} | {name} | {threshold} | {len(rows)} | {soon:.1%} | {about:.1%} |")


if __name__ == "__main__":
    main()
