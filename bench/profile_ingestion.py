"""Where a route push spends its time: Bijna's app in-process under cProfile, plus a SQL count.

    python -m bench.profile_ingestion [--pushes 200] [--top 35]

Uses the bench database seeded by bench.route_ingestion (seeds it if it is missing), the same
bodies as the benchmark's load (every ETA moves; ~2 of 150 stops cross 15 min per push), and
the Flask test client (no gunicorn, no sockets): what remains is the request's own work.
Prints the statements per push and the time spent waiting on PostgreSQL, then the profile.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from bench.common import bijna_app, bijna_env, profile_report, reset_shipments, sql
from bench.route_ingestion import ROUTES, STOPS, seed, tracking_number

# The table a statement is about: UPDATE x / INSERT INTO x / ... FROM x (first one named).
_TABLE = re.compile(r"(?:\bUPDATE|\bINTO|\bFROM)\s+\"?(\w+)", re.IGNORECASE)


def body(route: int, push: int, now: datetime, base: datetime, jitter: list[float], speed: float = 2) -> dict:
    return {"observed_at": (base + timedelta(microseconds=push)).isoformat(), "stops": [
        {"tracking_number": tracking_number(route, i), "stop_sequence": i + 1,
         "eta": (now + timedelta(minutes=16 + i - speed * push + jitter[(route * STOPS + i + push) % len(jitter)]))
         .replace(microsecond=0).isoformat()} for i in range(STOPS)]}


def run(pushes: int = 200, top: int = 35, speed: float = 2) -> dict:
    """Time `pushes` pushes with no crossings and with `speed`, unprofiled; then profile the latter."""
    import random

    from app.auth import hash_secret

    try:
        seeded = sql("SELECT count(*) FROM shipments WHERE tracking_number LIKE 'BN%%'")[0][0] >= ROUTES * STOPS
    except Exception:
        seeded = False
    if not seeded:
        seed()
    token = "bj_carrier_profile"
    sql("UPDATE carriers SET token_hash = %s", (hash_secret(token),))
    rng = random.Random(7)
    jitter = [rng.uniform(-0.5, 0.5) for _ in range(997)]
    headers = {"Authorization": f"Bearer {token}"}
    statements: Counter[str] = Counter()
    by_statement: Counter[str] = Counter()  # seconds waiting on PostgreSQL, per statement kind and table
    counters = {"db_seconds": 0.0, "commits": 0}
    result: dict = {"pushes": pushes, "stops_per_push": STOPS}
    bodies = [(r, p) for p in range(1, pushes // (ROUTES - 1) + 2) for r in range(ROUTES - 1)][:pushes]
    with bijna_app(bijna_env(standin_port=1)) as app:  # texts are enqueued, never sent here
        from app.extensions import db

        @event.listens_for(db.engine, "before_cursor_execute")
        def _before(conn, cursor, statement, parameters, context, executemany):
            conn.info["t0"] = time.perf_counter()
            statements[statement.split()[0].upper() + (" (executemany)" if executemany else "")] += 1

        @event.listens_for(db.engine, "after_cursor_execute")
        def _after(conn, cursor, statement, parameters, context, executemany):
            took = time.perf_counter() - conn.info.pop("t0", time.perf_counter())
            counters["db_seconds"] += took
            table = _TABLE.search(statement)
            key = f"{statement.split()[0].upper()} {table.group(1) if table else ''}".strip()
            by_statement[key + (" (executemany)" if executemany else "")] += took

        @event.listens_for(db.engine, "commit")
        def _commit(conn):
            counters["commits"] += 1

        client = app.test_client()

        def push_all(pace: float, profile: cProfile.Profile | None = None) -> dict:
            reset_shipments(datetime.now(UTC))
            base = datetime.now(UTC)
            for p in range(1, 4):  # warm up: imports, templates, statement caches
                assert client.post(f"/api/v1/carrier/routes/R{ROUTES - 1:03d}/etas", headers=headers,
                                   json=body(ROUTES - 1, p, datetime.now(UTC), base, jitter, pace)).status_code == 200
            statements.clear()
            by_statement.clear()
            counters.update(db_seconds=0.0, commits=0)
            texts = accepted = 0
            started = time.perf_counter()
            if profile:
                profile.enable()
            for route, push in bodies:
                answer = client.post(f"/api/v1/carrier/routes/R{route:03d}/etas", headers=headers,
                                     json=body(route, push, datetime.now(UTC), base, jitter, pace)).get_json()
                texts += answer["texts_queued"]
                accepted += answer["accepted"]
            if profile:
                profile.disable()
            elapsed = time.perf_counter() - started
            n = len(bodies)
            return {"ms_per_push": round(elapsed / n * 1000, 2), "texts_per_push": round(texts / n, 2),
                    "stops_accepted": accepted, "db_wait_ms_per_push": round(counters["db_seconds"] / n * 1000, 2),
                    "statements_per_push": {k: round(v / n, 2) for k, v in statements.most_common()},
                    "db_wait_ms_per_push_by_statement": {k: round(v / n * 1000, 2)
                                                         for k, v in by_statement.most_common()},
                    "commits_per_push": round(counters["commits"] / n, 2)}

        result["no_crossings"] = push_all(0)
        result["crossing"] = push_all(speed)
        profile = cProfile.Profile()
        result["crossing_under_profile"] = push_all(speed, profile)
    quiet, busy = result["no_crossings"], result["crossing"]
    if busy["texts_per_push"]:
        result["ms_per_text"] = round((busy["ms_per_push"] - quiet["ms_per_push"]) / busy["texts_per_push"], 2)
    result["profile"] = profile_report(profile, top)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pushes", type=int, default=200)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--speed", type=float, default=2,
                        help="minutes each push brings a stop closer (0: no stop ever crosses, no texts)")
    args = parser.parse_args()
    result = run(args.pushes, args.top, args.speed)
    profile = result.pop("profile")
    print(json.dumps(result, indent=2))
    print(profile)


if __name__ == "__main__":
    main()
