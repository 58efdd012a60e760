"""Dispatch: Bijna's send path (outbox -> RQ -> worker -> twilio SDK) vs a bare twilio SDK loop.

    python -m bench.dispatch [--bare-seconds 10] [--limit 100]

(a) bare: one thread calling the twilio SDK's messages.create (keep-alive) against the stand-in,
    same parameters as Bijna's TwilioProvider sends (From, Body, StatusCallback, ValidityPeriod);
    run before and after the Bijna runs, averaged.
(b) Bijna: N realistic texts (arriving-soon, composed by app.messaging.compose; each for its own seeded
    shipment out for delivery, to that shipment's recipient, because the send job checks both
    right before sending) are committed to the outbox and enqueued as Bijna does (queue_texts:
    50 per job), then 1, then 2 `python -m workers.run --burst` processes send them to the
    stand-in, SENDER_RATE_PER_SECOND
    = 10000. Rate = texts between the first and the last receipt at the stand-in / that time
    (the steady rate); the wall rate (worker start to exit, startup included) is reported too.
(c) Per-sender limit: SENDER_RATE_PER_SECOND=100 (segments/s, one sender), 2 workers, ~10 s of
    texts: the achieved segments/s between first and last receipt, and its deviation from 100.

The stand-in is bench.standin (its own process), which notes when each request reached it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import time
from datetime import UTC, datetime, timedelta
from statistics import mean

from bench.common import (
    TWILIO_FROM,
    TWILIO_SID,
    TWILIO_TOKEN,
    Procs,
    bijna_app,
    bijna_env,
    flush_redis,
    machine,
    phone,
    recreate_database,
    seed_shipments,
    seed_shop_and_carrier,
    sql,
    start_standin,
    start_workers,
    stop_standin,
)
from bench.route_ingestion import cpu_snapshot, cpu_used

STATUS_CALLBACK = "http://127.0.0.1:5000/webhooks/twilio/status"


MAX_TEXTS = 8000


def seed(shipments: int = MAX_TEXTS) -> dict:
    """A fresh bench database with one shop and `shipments` shipments out for delivery, one per text.

    Every text goes to its own shipment's recipient: the send job checks, right before the provider
    call, that the shipment still wants the text and that the number is still the recipient's, so a
    text pointing at another shipment's number would be skipped, not sent.
    Returns the shop, the shipment ids (in phone order) and a realistic arriving-soon text.
    """
    env = bijna_env()
    recreate_database(env)
    flush_redis()
    with bijna_app(env):
        from app.extensions import db
        from app.messaging.compose import compose
        from app.models import Shipment, Shop
        from app.notify.segments import count_segments

        shop_id, carrier_id, _ = seed_shop_and_carrier()
        seed_shipments(shop_id, carrier_id, [f"DSP{i:07d}" for i in range(shipments)],
                       [text_phone(i) for i in range(shipments)], datetime.now(UTC))
        ids = dict(db.session.query(Shipment.recipient_phone, Shipment.id).all())
        shipment = db.session.get(Shipment, ids[text_phone(0)])
        now = datetime.now(UTC)
        text = compose(shipment, db.session.get(Shop, shop_id), "arriving_soon",
                       {"eta": now + timedelta(minutes=14), "minutes": 15, "two_way": True}, now=now)
        result = {"shop_id": shop_id, "shipment_ids": [ids[text_phone(i)] for i in range(shipments)],
                  "body": text.body, "segments": count_segments(text.body)[1]}
    sql("VACUUM ANALYZE")
    return result


def text_phone(i: int) -> str:
    """The recipient of the i-th outbox text (and of the i-th seeded shipment)."""
    return phone(10_000 + i)


def bare_loop(port: int, body: str, seconds: float) -> dict:
    """One thread, one keep-alive SDK client, messages.create as fast as it goes."""
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    # As TwilioProvider does: the SDK logs every request at INFO unless given a quieter logger.
    quiet = logging.getLogger("bench.twilio.http")
    quiet.setLevel(logging.WARNING)
    client = Client(TWILIO_SID, TWILIO_TOKEN, http_client=TwilioHttpClient(timeout=10, logger=quiet))
    client.api.base_url = f"http://127.0.0.1:{port}"
    for i in range(20):  # warm up (connection, imports)
        client.messages.create(to=phone(800_000 + i), from_=TWILIO_FROM, body=body)
    sent, started = 0, time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        client.messages.create(to=phone(sent), from_=TWILIO_FROM, body=body, status_callback=STATUS_CALLBACK,
                               validity_period=1200)
        sent += 1
    elapsed = time.perf_counter() - started
    return {"texts": sent, "seconds": round(elapsed, 2), "texts_per_s": round(sent / elapsed, 1)}


def queue_outbox(seeded: dict, count: int, env: dict) -> None:
    """Commit `count` texts to the outbox (one per shipment) and enqueue them, exactly as ingestion does."""
    if count > len(seeded["shipment_ids"]):
        raise ValueError(f"{count} texts but only {len(seeded['shipment_ids'])} shipments seeded")
    sql("DELETE FROM messages")
    flush_redis()
    with bijna_app(env):
        from app.messaging.outbox import MessageDraft, queue_texts

        now = datetime.now(UTC)
        texts = [MessageDraft(to=text_phone(i), kind="arriving_soon", body=seeded["body"], shop_id=seeded["shop_id"],
                      shipment_id=seeded["shipment_ids"][i], dedupe_key=f"bench:{i}", valid_for=timedelta(minutes=20))
                 for i in range(count)]
        queue_texts(texts, now)


def run_workers(procs: Procs, seeded: dict, count: int, workers: int, rate: int, label: str) -> dict:
    """Send `count` outbox texts with `workers` burst workers; rates from the stand-in's receipts."""
    standin, port, record = start_standin(procs, f"standin-{label}")
    env = bijna_env(standin_port=port, rate=rate)
    queue_outbox(seeded, count, env)
    before, started = cpu_snapshot({standin.pid: "twilio stand-in"}), time.time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    procs_ = start_workers(procs, workers, env, burst=True, name=f"{label}-worker")
    groups = {p.pid: "rq workers" for p in procs_} | {standin.pid: "twilio stand-in"}
    deadline = time.monotonic() + 90
    for proc in procs_:
        proc.wait(max(1.0, deadline - time.monotonic()))
    ended = time.time()
    cpu = cpu_used(before, cpu_snapshot(groups), ended - started)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the burst workers have exited: only rusage has them
    cpu["rq workers"] = round((after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime)
                              / (ended - started), 2)
    receipts = stop_standin(procs, standin, record)
    statuses = dict(sql("SELECT status, count(*) FROM messages GROUP BY status ORDER BY 2 DESC"))
    times = [r[0] for r in receipts]
    span = times[-1] - times[0] if len(times) > 1 else float("nan")
    segments_after_first = sum(r[2] for r in receipts[1:])
    if len(receipts) < count:  # e.g. texts skipped by the send job's last check: the rate would mislead
        print(f"  WARNING: {label}: {count - len(receipts)} of {count} texts never reached the stand-in: {statuses}",
              flush=True)
    return {"workers": workers, "rate_limit": rate, "texts": count, "received": len(receipts),
            "not_received": count - len(receipts), "messages_by_status": statuses, "steady_seconds": round(span, 2),
            "texts_per_s": round((len(times) - 1) / span, 1), "segments_per_s": round(segments_after_first / span, 1),
            "wall_seconds": round(ended - started, 2), "wall_texts_per_s": round(len(times) / (ended - started), 1),
            "startup_seconds": round(times[0] - started, 2) if times else None, "cpu_cores": cpu}



def run(bare_seconds: float = 10, limit: int = 100, limit_seconds: float = 10) -> dict:
    started = time.monotonic()
    seeded = seed()
    info = machine()
    runs: dict = {"bare": []}
    with Procs("dispatch") as procs:
        def bare(tag: str) -> None:
            standin, port, record = start_standin(procs, f"standin-bare-{tag}")
            groups = {standin.pid: "twilio stand-in", os.getpgrp(): "bare loop (this process)"}
            before = cpu_snapshot(groups)
            result = bare_loop(port, seeded["body"], bare_seconds)
            result["cpu_cores"] = cpu_used(before, cpu_snapshot(groups), result["seconds"] + 0.1)
            result["received"] = len(stop_standin(procs, standin, record))
            runs["bare"].append(result)
            print(f"  bare SDK loop ({tag}): {result['texts_per_s']} texts/s", flush=True)

        bare("before")
        count = max(1000, min(MAX_TEXTS, round(runs["bare"][0]["texts_per_s"] * 6)))
        for workers in (1, 2):
            result = run_workers(procs, seeded, count, workers, 10_000, f"bijna{workers}")
            runs[f"bijna_{workers}_workers"] = result
            print(f"  Bijna, {workers} worker(s): {result['texts_per_s']} texts/s steady, "
                  f"{result['wall_texts_per_s']} incl. startup; {result['messages_by_status']}", flush=True)
        bare("after")
        limited = run_workers(procs, seeded, max(50, round(limit * limit_seconds / seeded["segments"])), 2, limit,
                              "limited")
        limited["deviation_pct"] = round((limited["segments_per_s"] - limit) / limit * 100, 2)
        runs["limited"] = limited
        print(f"  limit {limit}/s, 2 workers: {limited['segments_per_s']} segments/s "
              f"({limited['deviation_pct']:+}%), {limited['texts_per_s']} texts/s", flush=True)
    bare_rate = mean(r["texts_per_s"] for r in runs["bare"])
    ratios = {k: round(runs[k]["texts_per_s"] / bare_rate, 3) for k in ("bijna_1_workers", "bijna_2_workers")}
    return {"benchmark": "dispatch", "machine": info, "body": seeded["body"], "segments_per_text": seeded["segments"],
            "runs": runs, "bare_texts_per_s_mean": round(bare_rate, 1), "ratio_vs_bare": ratios,
            "target_ratio": 0.6, "target_met": max(ratios.values()) >= 0.6,
            "limit_target_met": abs(runs["limited"]["deviation_pct"]) <= 5,
            "wall_seconds": round(time.monotonic() - started)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bare-seconds", type=float, default=10)
    parser.add_argument("--limit", type=int, default=100, help="SENDER_RATE_PER_SECOND for run (c)")
    args = parser.parse_args()
    print(json.dumps(run(args.bare_seconds, args.limit), indent=2, default=str))


if __name__ == "__main__":
    main()
