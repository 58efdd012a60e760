"""Route ETA ingestion: Bijna (web + RQ workers + Redis + PostgreSQL) vs a bare Flask JSON parse.

    python -m bench.route_ingestion [--seconds 20] [--rounds 2] [--workers 2]

Both run under the same gunicorn settings (2 sync workers) on 127.0.0.1 and get the same
bodies from the same load generator (wrk with a Lua script: C, epoll, so the client takes
little of the 2 cores), alternating bare / Bijna, `--rounds` times.

The bodies: 100 routes x 150 stops (15,000 shipments, already out for delivery). Each push of
a route sends all its stops with observed_at moving forward; stop i of a route is
16 + i - 2p minutes away at the route's p-th push, +-0.5 min of noise, so every push moves
every ETA and about 2 of its 150 stops (1.3 %) cross the 15-minute threshold: Bijna decides,
stores and enqueues an arriving-soon text for each, and its worker sends them to the Twilio
stand-in. (Real routes cross fewer: one stop every few minutes per route.)

Bijna runs with RQ_WORKERS worker processes beside gunicorn: 2 by default, as `make run` starts
them (scripts/run-dev: honcho -c worker=2); `--workers` or BENCH_RQ_WORKERS changes it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from statistics import mean

import requests

from bench.common import (
    WORK,
    Procs,
    bijna_app,
    bijna_env,
    flush_redis,
    free_port,
    machine,
    phone,
    queue_depth,
    recreate_database,
    reset_shipments,
    seed_shipments,
    seed_shop_and_carrier,
    sql,
    start_gunicorn,
    start_standin,
    start_workers,
    stop_standin,
)

ROUTES, STOPS = 100, 150
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 4))
RQ_WORKERS = int(os.environ.get("BENCH_RQ_WORKERS", 2))  # as `make run` starts them

WRK_SCRIPT = r"""
-- Bijna bench: route ETA pushes. Config from the environment (see bench/route_ingestion.py).
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

local function num(name, default)
  local v = os.getenv(name)
  if v == nil or v == "" then return default end
  return tonumber(v)
end

function init(args)
  nthreads = num("BENCH_THREADS", 1)
  nroutes = num("BENCH_ROUTES", 100)
  first_route = num("BENCH_FIRST_ROUTE", 0)
  nstops = num("BENCH_STOPS", 150)
  offset = num("BENCH_OFFSET_MIN", 16)
  step = num("BENCH_STEP_MIN", 1)
  speed = num("BENCH_SPEED_MIN", 2)
  jitter = num("BENCH_JITTER_MIN", 0.5)
  p0 = num("BENCH_P0", 0)
  prefix = os.getenv("BENCH_PREFIX") or "BN"
  math.randomseed(tid * 7919 + os.time())
  myroutes = {}
  pushes = {}
  for r = first_route, first_route + nroutes - 1 do
    if (r % nthreads) == (tid - 1) then
      table.insert(myroutes, r)
      pushes[r] = p0
    end
  end
  idx = 0
  accepted = 0; stale = 0; texts = 0; ok = 0; bad = 0; unknown = 0
  first_error = ""
  iso = {}
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "none")
end

local function stamp(t)
  local s = iso[t]
  if s == nil then
    s = os.date("!%Y-%m-%dT%H:%M:%S", t)
    iso[t] = s
  end
  return s
end

function request()
  idx = idx % #myroutes + 1
  local r = myroutes[idx]
  local p = pushes[r] + 1
  pushes[r] = p
  local now = os.time()
  local parts = {}
  for i = 0, nstops - 1 do
    local minutes = offset + i * step - p * speed + jitter * (2 * math.random() - 1)
    local eta = now + math.floor(minutes * 60)
    parts[i + 1] = '{"tracking_number":"' .. string.format("%s%03d%04d", prefix, r, i) ..
      '","stop_sequence":' .. (i + 1) .. ',"eta":"' .. stamp(eta) .. '+00:00"}'
  end
  local body = '{"observed_at":"' .. stamp(now) .. string.format(".%06d", p % 1000000) .. '+00:00","stops":[' ..
    table.concat(parts, ",") .. ']}'
  return wrk.format(nil, string.format("/api/v1/carrier/routes/R%03d/etas", r), nil, body)
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
    accepted = accepted + tonumber(body:match('"accepted":%s*(%d+)') or 0)
    stale = stale + tonumber(body:match('"ignored_stale":%s*(%d+)') or 0)
    texts = texts + tonumber(body:match('"texts_queued":%s*(%d+)') or 0)
    if not body:match('"unknown_parcels":%s*%[%]') then unknown = unknown + 1 end
  else
    bad = bad + 1
    if first_error == "" then first_error = status .. " " .. string.sub(body or "", 1, 300) end
  end
end

function done(summary, latency, requests)
  local t = {accepted = 0, stale = 0, texts = 0, ok = 0, bad = 0, unknown = 0}
  local first_error = ""
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (thread:get(k) or 0) end
    if first_error == "" then first_error = thread:get("first_error") or "" end
  end
  local e = summary.errors
  local out = string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"accepted":%d,"stale":%d,"texts":%d,"ok":%d,"non200":%d,' ..
    '"with_unknown":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p95":%d,"p99":%d,"max":%d,"mean":%d},"first_error":"%s"}',
    summary.requests, summary.duration, summary.bytes, t.accepted, t.stale, t.texts, t.ok, t.bad, t.unknown,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean, (string.gsub(first_error, '[%c"\\]', ' ')))
  local f = io.open(os.getenv("BENCH_RESULT"), "w")
  f:write(out)
  f:close()
end
"""


def tracking_number(route: int, stop: int, prefix: str = "BN") -> str:
    return f"{prefix}{route:03d}{stop:04d}"


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (the load generator of this benchmark)")
    return path


def run_wrk(port: int, token: str, seconds: float, *, threads: int = 2, connections: int = CONNECTIONS,
            routes: int = ROUTES, first_route: int = 0, stops: int = STOPS, p0: int = 0, name: str = "wrk") -> dict:
    """Push routes at full rate for `seconds`; return wrk's figures (latency in µs) and the body counts."""
    WORK.mkdir(parents=True, exist_ok=True)
    script, result = WORK / "routes.lua", WORK / f"{name}.json"
    script.write_text(WRK_SCRIPT)
    result.unlink(missing_ok=True)
    env = dict(os.environ, BENCH_THREADS=str(threads), BENCH_ROUTES=str(routes), BENCH_FIRST_ROUTE=str(first_route),
               BENCH_STOPS=str(stops), BENCH_TOKEN=token, BENCH_P0=str(p0), BENCH_RESULT=str(result))
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([wrk_path(), f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s",
                           "-s", str(script), f"http://127.0.0.1:{port}"], env=env, capture_output=True, text=True,
                          timeout=seconds + 60)
    if done.returncode:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stdout[-1500:]} {done.stderr[-1500:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = json.loads(result.read_text())
    figures["wrk_cpu_seconds"] = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    return figures


# --- CPU accounting: who used the 2 cores during a run ----------------------------------------------

def cpu_snapshot(groups: dict[int, str]) -> dict[str, float]:
    """CPU seconds so far per process group we started (by label) and per other command name."""
    tick = os.sysconf("SC_CLK_TCK")
    totals: dict[str, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        pgrp, utime, stime = int(fields[2]), int(fields[11]), int(fields[12])
        key = groups.get(pgrp) or comm.split(":")[0]
        totals[key] = totals.get(key, 0.0) + (utime + stime) / tick
    return totals


def cpu_used(before: dict[str, float], after: dict[str, float], seconds: float) -> dict[str, float]:
    """Cores used per group over the run (only groups using >= 0.02 core)."""
    used = {k: (after.get(k, 0.0) - before.get(k, 0.0)) / seconds for k in after}
    return {k: round(v, 2) for k, v in sorted(used.items(), key=lambda kv: -kv[1]) if v >= 0.02}


# --- the two systems -------------------------------------------------------------------------------

class BijnaStack:
    """Stand-in, gunicorn (wsgi:app, 2 sync workers) and `workers` RQ workers, on the seeded bench database."""

    def __init__(self, procs: Procs, workers: int = RQ_WORKERS) -> None:
        self.procs, self.workers = procs, workers

    def __enter__(self) -> BijnaStack:
        self.standin, standin_port, self.record = start_standin(self.procs, "standin")
        self.port = free_port()
        self.env = bijna_env(standin_port=standin_port, public_port=self.port, PYTHONFAULTHANDLER="1")
        self.web = start_gunicorn(self.procs, "bijna-web", "wsgi:app", self.port, self.env)
        self.worker_procs = start_workers(self.procs, self.workers, self.env, burst=False)
        self.groups = {self.web.pid: "gunicorn (Bijna)", self.standin.pid: "twilio stand-in",
                       **{w.pid: "rq worker" for w in self.worker_procs}}
        return self

    def diagnose_stuck(self) -> dict | None:
        """If a send job sits on claimed rows while jobs wait, dump the workers' stacks into their logs."""
        stuck = sql("SELECT count(*) FROM messages WHERE status = 'dispatching' "
                    "AND updated_at < now() - interval '10 seconds'")[0][0]
        if not stuck or not queue_depth():
            return None
        for proc in self.worker_procs:  # PYTHONFAULTHANDLER=1: SIGABRT prints every thread's stack
            os.kill(proc.pid, signal.SIGABRT)
        time.sleep(0.5)
        return {"dispatching_rows_older_than_10s": stuck, "queue_depth": queue_depth(),
                "worker_logs": [str(WORK / f"{self.procs.label}-worker{i}.log") for i in range(self.workers)]}

    def stop(self) -> list[tuple[float, str, int]]:
        for proc in self.worker_procs:
            self.procs.stop(proc)
        self.procs.stop(self.web)
        return stop_standin(self.procs, self.standin, self.record)

    def __exit__(self, *exc) -> None:
        pass  # Procs.stop_all() in the caller's finally ends whatever is left


def seed(routes: int = ROUTES, stops: int = STOPS, prefix: str = "BN", extra: list[tuple[str, str]] = ()) -> str:
    """Fresh database with the bench's shop, carrier, routes x stops shipments (and `extra` ones)."""
    env = bijna_env()
    recreate_database(env)
    flush_redis()
    numbers = [tracking_number(r, i, prefix) for r in range(routes) for i in range(stops)]
    phones = [phone(n) for n in range(len(numbers))]
    numbers += [number for number, _ in extra]
    phones += [p for _, p in extra]
    numbers += [tracking_number(999, i, "WU") for i in range(stops)]  # the warm-up route
    phones += [phone(900_000 + i) for i in range(stops)]
    with bijna_app(env):
        shop_id, carrier_id, token = seed_shop_and_carrier()
        seed_shipments(shop_id, carrier_id, numbers, phones, datetime.now(UTC))
        seed_eta_model(carrier_id, [f"R{r:03d}" for r in range(routes)] + ["RW"])
    sql("VACUUM ANALYZE")
    return token


def seed_eta_model(carrier_id: str, route_ids: list[str]) -> None:
    """Give the carrier a learnt ETA model (three generated days) and every route a warm day so far, so each
    push pays what it pays in production: the carrier's model, the route's correction, the shifted tables."""
    from app.eta.route_day import RouteDay
    from app.extensions import db
    from app.ingestion.eta_learning import Lessons, learn
    from app.models import EtaCalibration, EtaRouteDay
    from app.simulation.generator import generate_day
    from app.simulation.heard import heard_etas

    lessons = {}
    for smoothed in (False, True):
        lessons[smoothed] = Lessons.of({(route, seed): heard for seed in (1, 2, 3)
                                        for route, heard in heard_etas(generate_day(seed), smoothed).items()})
    now = datetime.now(UTC)
    db.session.add(EtaCalibration(carrier_id=carrier_id, model=learn(lessons, 3).to_json(),
                                  residuals=len(lessons[False].pairs), computed_at=now))
    db.session.add_all(EtaRouteDay(route_id=route_id, model=RouteDay(20, (0.2,) * 8).to_json(), updated_at=now)
                       for route_id in route_ids)
    db.session.commit()


def warm_up(port: int, token: str, pushes: int = 16) -> None:
    """A few pushes of the warm-up route so both gunicorn workers have imported and compiled everything."""
    session = requests.Session()
    base = datetime.now(UTC)
    for p in range(1, pushes + 1):
        now = datetime.now(UTC)
        body = {"observed_at": (base + timedelta(microseconds=p)).isoformat(), "stops": [
            {"tracking_number": tracking_number(999, i, "WU"), "stop_sequence": i + 1,
             "eta": (now + timedelta(minutes=16 + i - 2 * p)).isoformat()} for i in range(STOPS)]}
        response = session.post(f"http://127.0.0.1:{port}/api/v1/carrier/routes/RW/etas", json=body,
                                headers={"Authorization": f"Bearer {token}", "Connection": "close"}, timeout=30)
        response.raise_for_status()
    session.close()


def figures(wrk: dict) -> dict:
    seconds = wrk["duration_us"] / 1e6
    lat = wrk["latency_us"]
    return {"seconds": round(seconds, 1), "requests": wrk["requests"], "req_per_s": round(wrk["ok"] / seconds, 1),
            "stops_per_s": round(wrk["accepted"] / seconds), "texts_queued": wrk["texts"],
            "texts_per_s": round(wrk["texts"] / seconds, 1), "stale": wrk["stale"], "non200": wrk["non200"],
            "socket_errors": {k: v for k, v in wrk["errors"].items() if v}, "first_error": wrk["first_error"] or None,
            "p50_ms": round(lat["p50"] / 1000, 1), "p95_ms": round(lat["p95"] / 1000, 1),
            "p99_ms": round(lat["p99"] / 1000, 1), "max_ms": round(lat["max"] / 1000, 1),
            "wrk_cpu_seconds": wrk["wrk_cpu_seconds"]}


def run_bare(procs: Procs, token: str, seconds: float, name: str) -> dict:
    port = free_port()
    web = start_gunicorn(procs, "bare-web", "bench.bare_app:app", port, bijna_env())
    try:
        warm_up(port, token)
        groups = {web.pid: "gunicorn (bare)"}
        before, started = cpu_snapshot(groups), time.monotonic()
        result = figures(run_wrk(port, token, seconds, name=name))
        result["cpu_cores"] = cpu_used(before, cpu_snapshot(groups), time.monotonic() - started)
        result["cpu_cores"]["wrk"] = round(result.pop("wrk_cpu_seconds") / result["seconds"], 2)
    finally:
        procs.stop(web)
    return result


def run_bijna(procs: Procs, token: str, seconds: float, name: str, drain_seconds: float = 20,
              workers: int = RQ_WORKERS) -> dict:
    reset_shipments(datetime.now(UTC))
    # The stops hold the shop's 6-hour window, where a learnt model would have told its calibrated morning
    # one: as told a narrower window already, so the text load stays the bench's ~2 arriving-soon texts
    # a push (on a replayed day window_update goes once, to about one stop in ten).
    sql("""UPDATE shipments SET sent_kinds = '["out_for_delivery", "window_update"]'""")
    flush_redis()
    stack = BijnaStack(procs, workers).__enter__()
    try:
        warm_up(stack.port, token)
        before, started = cpu_snapshot(stack.groups), time.monotonic()
        result = figures(run_wrk(stack.port, token, seconds, name=name))
        result["cpu_cores"] = cpu_used(before, cpu_snapshot(stack.groups), time.monotonic() - started)
        result["cpu_cores"]["wrk"] = round(result.pop("wrk_cpu_seconds") / result["seconds"], 2)
        end = time.time()
        result["queue_depth_at_end"] = queue_depth()
        deadline = time.monotonic() + drain_seconds
        while queue_depth() and time.monotonic() < deadline:
            time.sleep(0.2)
        result["drain_seconds"] = round(time.time() - end, 1)
        result["stuck_worker"] = stack.diagnose_stuck()
        receipts = stack.stop()
    finally:
        procs.stop_all()
    result["texts_sent_during_run"] = sum(1 for r in receipts if r[0] <= end)
    result["texts_sent_total"] = len(receipts)
    result["messages_by_status"] = dict(sql("SELECT status, count(*) FROM messages GROUP BY status ORDER BY 2 DESC"))
    result["sends_per_s_during_run"] = round(result["texts_sent_during_run"] / result["seconds"], 1)
    return result


def run(seconds: float = 20, rounds: int = 2, workers: int = RQ_WORKERS) -> dict:
    started = time.monotonic()
    token = seed()
    info = machine()
    runs = []
    with Procs("ingestion") as procs:
        for n in range(1, rounds + 1):
            order = ("bare", "bijna") if n % 2 else ("bijna", "bare")  # alternate who goes first
            for system in order:
                if system == "bare":
                    result = run_bare(procs, token, seconds, f"ingestion-{system}-{n}")
                else:
                    result = run_bijna(procs, token, seconds, f"ingestion-{system}-{n}", workers=workers)
                runs.append({"round": n, "system": system, **result})
                print(f"  round {n} {system:5}: {result['stops_per_s']:>8,} stops/s  {result['req_per_s']:>7} req/s  "
                      f"p50 {result['p50_ms']} ms  p95 {result['p95_ms']} ms  texts {result['texts_queued']}  "
                      f"cpu {result['cpu_cores']}", flush=True)
    bare = [r["stops_per_s"] for r in runs if r["system"] == "bare"]
    bijna = [r["stops_per_s"] for r in runs if r["system"] == "bijna"]
    ratios = [b / a for a, b in zip(bare, bijna)]
    return {"benchmark": "route_ingestion", "machine": info, "routes": ROUTES, "stops_per_route": STOPS,
            "seconds_per_run": seconds, "rounds": rounds, "gunicorn": "2 sync workers", "rq_workers": workers,
            "load": f"wrk -t2 -c{CONNECTIONS}",
            "runs": runs, "bijna_stops_per_s_mean": round(mean(bijna)), "bare_stops_per_s_mean": round(mean(bare)),
            "ratio_per_round": [round(r, 3) for r in ratios], "ratio_mean": round(mean(ratios), 3),
            "target_stops_per_s": 20_000, "target_met": mean(bijna) >= 20_000,
            "wall_seconds": round(time.monotonic() - started)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=RQ_WORKERS, help="RQ worker processes beside gunicorn")
    args = parser.parse_args()
    print(json.dumps(run(args.seconds, args.rounds, args.workers), indent=2, default=str))


if __name__ == "__main__":
    main()
