"""Threshold-to-provider latency while route ingestion runs at full rate.

    python -m bench.latency [--seconds 30] [--probe-hz 5] [--workers 2]

The stack is route_ingestion's (gunicorn wsgi:app with 2 sync workers, `--workers` RQ workers
(default 2, as `make run` starts them), Redis, PostgreSQL, the Twilio stand-in as its own
process). wrk pushes the 100 benchmark routes at full rate, as in bench.route_ingestion.
Beside it a probe pushes one more route (150 stops) `--probe-hz` times a second, built so
that each push brings exactly one new stop to 14.5 minutes: that push is the ETA update that
crosses the threshold. The probe notes the moment it sends each push; the stand-in notes the
moment the text for that stop reaches it (bench.standin). Latency = stand-in receipt - push
sent: decision, commit, enqueue, RQ, the worker's claim, the rate limiter and the SDK call,
all under full ingestion load. Also given per third of the run, to show whether it grows.

Also reported: for every arriving-soon text of the load itself, PostgreSQL's created_at of the
message (when the web process decided it) to the stand-in receipt.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from datetime import UTC, datetime, timedelta

import requests

from bench.common import Procs, machine, phone, queue_depth, reset_shipments, sql, summary_ms
from bench.route_ingestion import BijnaStack, figures, run_wrk, seed, tracking_number, warm_up

PROBE_ROUTE, PROBE_STOPS, WINDOW = 500, 600, 150


def probe_phone(stop: int) -> str:
    return phone(500_000 + stop)


class Probe(threading.Thread):
    """Push the probe route at a steady pace; remember when each threshold-crossing push was sent."""

    def __init__(self, port: int, token: str, hz: float, seconds: float) -> None:
        super().__init__(daemon=True)
        self.port, self.token, self.interval, self.seconds = port, token, 1 / hz, seconds
        self.sent_at: dict[str, float] = {}  # phone -> when the crossing push left the probe
        self.responses: list[tuple[float, int, int]] = []  # (seconds, status, texts_queued)
        self.error: Exception | None = None

    def run(self) -> None:
        try:
            self._run()
        except Exception as error:  # reported, never hangs the benchmark
            self.error = error

    def _run(self) -> None:
        session = requests.Session()
        base = datetime.now(UTC)
        started = time.monotonic()
        push = 0
        while time.monotonic() - started < self.seconds and push < PROBE_STOPS:
            push += 1
            now = datetime.now(UTC)
            first = max(0, push - 20)
            body = {"observed_at": (base + timedelta(microseconds=push)).isoformat(), "stops": [
                {"tracking_number": tracking_number(PROBE_ROUTE, j, "PB"), "stop_sequence": j + 1,
                 "eta": (now + timedelta(minutes=15.5 + j - push)).isoformat()}
                for j in range(first, min(PROBE_STOPS, first + WINDOW))]}
            sent = time.time()
            response = session.post(f"http://127.0.0.1:{self.port}/api/v1/carrier/routes/P{PROBE_ROUTE}/etas",
                                    json=body, headers={"Authorization": f"Bearer {self.token}"}, timeout=30)
            took = time.time() - sent
            texts = response.json().get("texts_queued", 0) if response.status_code == 200 else 0
            self.responses.append((took, response.status_code, texts))
            self.sent_at[probe_phone(push - 1)] = sent
            pause = started + push * self.interval - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        session.close()


def run(seconds: float = 30, hz: float = 5, workers: int = 2, drain_seconds: float = 30) -> dict:
    started = time.monotonic()
    extra = [(tracking_number(PROBE_ROUTE, j, "PB"), probe_phone(j)) for j in range(PROBE_STOPS)]
    token = seed(extra=extra)
    info = machine()
    reset_shipments(datetime.now(UTC))
    with Procs("latency") as procs:
        stack = BijnaStack(procs, workers).__enter__()
        warm_up(stack.port, token)
        load: dict = {}
        loader = threading.Thread(target=lambda: load.update(run_wrk(stack.port, token, seconds, name="latency")),
                                  daemon=True)
        depth: list[int] = []
        loader.start()
        time.sleep(1.0)  # let the load reach full rate first
        probe = Probe(stack.port, token, hz, seconds - 2.5)
        probe.start()
        while loader.is_alive():
            depth.append(queue_depth())
            loader.join(0.5)
        load_end = time.time()
        probe.join(10)
        deadline = time.monotonic() + drain_seconds
        while queue_depth() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)  # the last job's sends
        stuck = stack.diagnose_stuck()
        receipts = stack.stop()
        procs.stop_all()
    received = {}
    for at, to, _ in receipts:
        received.setdefault(to, at)
    probe_latency = [received[p] - sent for p, sent in probe.sent_at.items() if p in received]  # in push order
    thirds = [probe_latency[i * len(probe_latency) // 3:(i + 1) * len(probe_latency) // 3] for i in range(3)]
    missing = [p for p in probe.sent_at if p not in received]
    decided = sql("SELECT to_number, extract(epoch FROM created_at) FROM messages WHERE kind = 'arriving_soon' "
                  "AND to_number NOT LIKE '+3161050%%' AND to_number NOT LIKE '+3161090%%'")
    load_latency = [received[to] - float(at) for to, at in decided if to in received]
    load_during = [received[to] - float(at) for to, at in decided if to in received and received[to] <= load_end]
    probe_summary = summary_ms(probe_latency)
    return {"benchmark": "latency", "machine": info, "seconds": seconds, "probe_hz": hz, "rq_workers": workers,
            "load": figures(load) if load else None,
            "probe_pushes": len(probe.responses), "probe_http": summary_ms([r[0] for r in probe.responses]),
            "probe_non200": sum(1 for r in probe.responses if r[1] != 200),
            "probe_texts_queued": sum(r[2] for r in probe.responses), "probe_error": repr(probe.error or ""),
            "threshold_to_provider": probe_summary, "probe_texts_missing": len(missing),
            # does it grow with the length of the run? p50/p95 of the first, middle and last third of the probe
            "threshold_to_provider_by_third": [summary_ms(t) for t in thirds],
            "load_texts_decided_to_provider": summary_ms(load_latency),
            "load_texts_decided_to_provider_sent_during_load": summary_ms(load_during),
            "load_texts_decided": len(decided), "load_texts_received": len(load_latency),
            "stuck_worker": stuck, "queue_depth_max": max(depth or [0]), "queue_depth_samples": depth[::4],
            "target_p95_ms": 1000, "target_met": (probe_summary["p95_ms"] or 1e9) < 1000 and not missing,
            "wall_seconds": round(time.monotonic() - started)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--probe-hz", type=float, default=5)
    parser.add_argument("--workers", type=int, default=2, help="RQ worker processes (make run starts 2)")
    args = parser.parse_args()
    print(json.dumps(run(args.seconds, args.probe_hz, args.workers), indent=2, default=str))


if __name__ == "__main__":
    main()
