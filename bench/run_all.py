"""Run every benchmark (`make bench`), print a summary, keep every figure as JSON.

    python -m bench.run_all [--quick] [--only ingestion,dispatch,latency,profile,profile_dispatch] [--out FILE]

About 5 minutes in all on the 2-core machine (--quick: about 2). Needs Redis and PostgreSQL on
127.0.0.1 (`make redis postgres`) and wrk (`apt-get install -y wrk`). It creates the database
bijna_bench afresh and uses Redis database 9; it never touches anything else. Targets are
reported, never asserted: a missed target is a figure, not a failure.
"""

from __future__ import annotations

import argparse
import json
import time
import traceback
from pathlib import Path

from bench.common import WORK

SECTIONS = ("ingestion", "dispatch", "latency", "profile", "profile_dispatch")


def _run(name: str, quick: bool) -> dict:
    if name == "ingestion":
        from bench import route_ingestion

        return route_ingestion.run(seconds=8 if quick else 20, rounds=1 if quick else 2)
    if name == "dispatch":
        from bench import dispatch

        return dispatch.run(bare_seconds=5 if quick else 10)
    if name == "latency":
        from bench import latency

        seconds = 15 if quick else 30
        # 2 workers is what `make run` starts (the figure the target is judged on); 1 for comparison
        return {"two_workers": latency.run(seconds=seconds, workers=2),
                "one_worker": latency.run(seconds=seconds, workers=1)}
    if name == "profile":
        from bench import profile_ingestion

        return profile_ingestion.run(pushes=100 if quick else 200, top=30)
    from bench import profile_dispatch

    return profile_dispatch.run(texts=300 if quick else 600, top=30)


def summary(results: dict) -> str:
    """The figures that docs/benchmarks.md quotes, as a Markdown table."""
    rows = ["| figure | value | target |", "|---|---|---|"]
    ing = results.get("ingestion")
    if ing and "runs" in ing:
        for run in ing["runs"]:
            rows.append(f"| ingestion round {run['round']} {run['system']} | {run['stops_per_s']:,} stops/s "
                        f"({run['req_per_s']} req/s), p50 {run['p50_ms']} ms, p95 {run['p95_ms']} ms"
                        f"{', texts ' + str(run['texts_queued']) if run['system'] == 'bijna' else ''} | |")
        rows.append(f"| ingestion Bijna (mean, {ing.get('rq_workers', '?')} RQ workers) | "
                    f"{ing['bijna_stops_per_s_mean']:,} stops/s | >= 20,000 "
                    f"{'met' if ing['target_met'] else 'NOT met'} |")
        rows.append(f"| ingestion ratio Bijna / bare | {ing['ratio_mean']} (per round {ing['ratio_per_round']}) | |")
    dis = results.get("dispatch")
    if dis and "runs" in dis:
        runs = dis["runs"]
        rows.append(f"| dispatch bare SDK loop | {dis['bare_texts_per_s_mean']} texts/s "
                    f"({', '.join(str(r['texts_per_s']) for r in runs['bare'])}) | |")
        for workers in (1, 2):
            run = runs[f"bijna_{workers}_workers"]
            rows.append(f"| dispatch Bijna, {workers} worker(s) | {run['texts_per_s']} texts/s steady "
                        f"({run['wall_texts_per_s']} incl. startup), ratio "
                        f"{dis['ratio_vs_bare'][f'bijna_{workers}_workers']} | >= 0.6 |")
        lim = runs["limited"]
        rows.append(f"| dispatch per-sender limit {lim['rate_limit']}/s, 2 workers | {lim['segments_per_s']} "
                    f"segments/s ({lim['deviation_pct']:+}%) | within 5% "
                    f"{'met' if dis['limit_target_met'] else 'NOT met'} |")
    lat = results.get("latency")
    if lat and "error" not in lat:
        for key, label in (("two_workers", "2 RQ workers"), ("one_worker", "1 RQ worker")):
            run = lat.get(key)
            if not run:
                continue
            t = run["threshold_to_provider"]
            load = run["load"] or {}
            rows.append(f"| threshold -> provider, {label} (load {load.get('stops_per_s', '?'):,} stops/s) | "
                        f"p50 {t['p50_ms']} ms, p95 {t['p95_ms']} ms, max {t['max_ms']} ms (n={t['n']}, "
                        f"queue max {run['queue_depth_max']}; p95 by third of the run "
                        f"{[x['p95_ms'] for x in run.get('threshold_to_provider_by_third', [])]} ms) | p95 < 1 s "
                        f"{'met' if run['target_met'] else 'NOT met'} |")
    prof = results.get("profile")
    if prof and "crossing" in prof:
        rows.append(f"| in-process ms per 150-stop push, no texts / ~1.8 texts | "
                    f"{prof['no_crossings']['ms_per_push']} / {prof['crossing']['ms_per_push']} ms "
                    f"({prof.get('ms_per_text')} ms per text) | |")
    pdis = results.get("profile_dispatch")
    if pdis and "as_is" in pdis:
        rows.append(f"| in-process send job, ms per text (as is / without the last per-text checks) | "
                    f"{pdis['as_is']['ms_per_text']} / {pdis['experiment_without_last_checks']['ms_per_text']} ms "
                    f"(SQL per text {pdis['as_is']['statements_per_text']}) | |")
        small = pdis.get("jobs_of_2_texts")
        if small:
            rows.append(f"| in-process send job of 2 texts (workers keeping up with ingestion) | "
                        f"{small['ms_per_job']} ms per job = {small['ms_per_text']} ms per text | |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter runs, for trying the harness")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated: " + ",".join(SECTIONS))
    parser.add_argument("--out", default=str(WORK / "results.json"))
    args = parser.parse_args()
    started = time.monotonic()
    results: dict = {}
    for name in [s.strip() for s in args.only.split(",") if s.strip()]:
        if name not in SECTIONS:
            raise SystemExit(f"unknown section {name!r}; choose from {', '.join(SECTIONS)}")
        print(f"== {name}", flush=True)
        section_started = time.monotonic()
        try:
            results[name] = _run(name, args.quick)
        except Exception:  # report and go on with the other benchmarks
            results[name] = {"error": traceback.format_exc()}
            print(results[name]["error"], flush=True)
        print(f"   ({time.monotonic() - section_started:.0f} s)", flush=True)
    results["wall_seconds"] = round(time.monotonic() - started)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str))
    print()
    print(summary(results))
    print(f"\nall figures: {out}  (wall {results['wall_seconds']} s)")


if __name__ == "__main__":
    main()
