"""Which ETA to believe 15 minutes out: the latest push or the smoothed one, on generated days of both kinds.

    python -m bench.eta_estimators [--seeds 9101-9110] [--stops 120]

No model, no policy: each estimator alone, with the simplest rule ("text when it says the van is at most T
minutes away, say that many minutes"), for several T. It shows what the pushes themselves allow: on planner
days the best any threshold does with the latest push, on scatter days what smoothing buys. Scored as the
scorecard does: stops more than 15 minutes away at their first ETA; warned 10-20 minutes ahead; "about N"
(N rounded to whole minutes) within ±3 minutes of the true wait.
"""

from __future__ import annotations

import argparse
from datetime import datetime

from app.eta.smoothing import smooth
from app.simulation.day import EVENTS_PATH, SHIPMENTS_PATH, Day
from app.simulation.generator import generate_day

THRESHOLDS = (12, 13, 14, 15)


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
            for day in days:
                for name, rows in _moments(day, threshold).items():
                    pooled[name] += rows
            for name, rows in pooled.items():
                soon = sum(10 <= wait <= 20 for wait, _ in rows) / len(rows)
                about = sum(abs(wait - said) <= 3 for wait, said in rows) / len(rows)
                print(f"| {noise} | {name} | {threshold} | {len(rows)} | {soon:.1%} | {about:.1%} |")


if __name__ == "__main__":
    main()
