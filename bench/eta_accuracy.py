"""Promise accuracy: replay generated noisy days and report the scorecard (not timing).

    python -m bench.eta_accuracy [--seeds 9101,9102,9103,9104,9105] [--learn 3] [--stops 120]

First `--learn` days (seeds 9001, 9002, ...) are replayed so the carrier's ETA error model has
deliveries to learn from, as it would after a few days in production; then each seed in `--seeds`
is one measured day (seeds no test uses). All days run, one after the other on consecutive dates,
through the real app (`app.simulation.replay`: web side, in-process worker, sweeper, virtual clock)
into a fresh PostgreSQL database (BENCH_ETA_DB, default bijna_bench_eta) and Redis db
(BENCH_ETA_REDIS_URL, default redis://127.0.0.1:6379/12, FLUSHED). Prints a Markdown table (one
column per measured day, and all measured stops pooled) and writes the figures as JSON to
$BENCH_WORK/eta_accuracy.json. Results and their reading: docs/eta-accuracy.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from datetime import timedelta

import psycopg

from app.simulation.generator import DEFAULT_DAY, generate_day
from app.simulation.report import scorecard_lines
from app.simulation.scorecard import score
from bench.common import PG_ADMIN, WORK
from workers.simulate import replay_day

DB_NAME = os.environ.get("BENCH_ETA_DB", "bijna_bench_eta")
REDIS_URL = os.environ.get("BENCH_ETA_REDIS_URL", "redis://127.0.0.1:6379/12")
LEARN_SEEDS_FROM = 9001


def fresh_app():
    """Return an app on a freshly created, migrated PostgreSQL database and a flushed Redis db."""
    from workers.simulate import scratch_app

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{DB_NAME}"
    return scratch_app(url, REDIS_URL, {"SENDER_RATE_PER_SECOND": 10_000})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="9101,9102,9103,9104,9105")
    parser.add_argument("--learn", type=int, default=3, help="days replayed first, for the model to learn from")
    parser.add_argument("--stops", type=int, default=120)
    parser.add_argument("--eta-noise", choices=("planner", "scatter"), default="planner",
                        help="the generated days' ETA noise (app/simulation/generator.py)")
    parser.add_argument("--sweep-every", type=float, default=60.0, help="virtual seconds between sweeps")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("rq").setLevel(logging.WARNING)
    app = fresh_app()
    logging.getLogger().setLevel(logging.WARNING)  # create_app sets INFO: one line per request would drown the table
    seeds = [int(seed) for seed in args.seeds.split(",")]
    plan = [(LEARN_SEEDS_FROM + i, False) for i in range(args.learn)] + [(seed, True) for seed in seeds]
    results, pooled = {}, []
    for offset, (seed, measured) in enumerate(plan):
        started = time.monotonic()
        day = generate_day(seed, stops=args.stops, day=DEFAULT_DAY + timedelta(days=offset), eta_noise=args.eta_noise)
        result = replay_day(app, day.requests, sweep_every=timedelta(seconds=args.sweep_every))
        card = result.scorecard
        print(f"day {offset + 1} seed {seed} ({'measured' if measured else 'learning'}): "
              f"{len(day.requests)} requests, {len(result.refused)} refused, {time.monotonic() - started:.0f} s, "
              f"late stops {day.notes['late_stops']}, jams {day.notes['jams']}", flush=True)
        if measured:
            results[str(seed)] = card.as_dict()
            pooled += result.stop_days()
        else:
            results[f"learning {seed}"] = card.as_dict()
    results["pooled"] = score(pooled).as_dict()
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / f"eta_accuracy_{args.eta_noise}.json").write_text(json.dumps(results, indent=2))
    print(markdown(results, seeds))


def markdown(results: dict, seeds: list[int]) -> str:
    """One row per figure, one column per measured seed, and the pooled column."""
    from app.simulation.scorecard import Scorecard

    columns = [str(seed) for seed in seeds] + ["pooled"]
    cards = {name: Scorecard(**results[name]) for name in columns}
    lines = {name: dict(scorecard_lines(card)) for name, card in cards.items()}
    labels = list(lines["pooled"])
    out = ["| figure | " + " | ".join(f"seed {c}" if c != "pooled" else "all" for c in columns) + " |",
           "|---|" + "---|" * len(columns)]
    out += [f"| {label} | " + " | ".join(lines[c][label] for c in columns) + " |" for label in labels]
    return "\n".join(out)


if __name__ == "__main__":
    main()
