"""Where a send job spends its time: workers.sending.send_texts in-process, SQL counted per text.

    python -m bench.profile_dispatch [--texts 1000] [--top 30]

The stand-in runs as its own process; the jobs run here, 50 texts each as Bijna enqueues them,
every text for its own shipment (as bench.dispatch seeds them). Four passes over fresh outbox
rows: as Bijna runs them; the same with the last per-text check (`_no_longer_wanted`: opt-out,
recipient, still relevant) replaced by "still wanted" in this process only (an experiment: it
shows what those look-ups cost; Bijna's code is not changed); jobs of 2 texts each becoming due
just before their job (live ingestion with workers that keep up: the fixed cost per job); and
the first again under cProfile. RQ's own per-job cost (dequeue, job bookkeeping) is not in
these figures: the jobs are called directly.
Statements are counted per kind and table (e.g. "SELECT shipments").
"""

from __future__ import annotations

import argparse
import cProfile
import json
import re
import time
from collections import Counter

from sqlalchemy import event

from bench.common import Procs, bijna_app, bijna_env, flush_redis, profile_report, sql, start_standin, stop_standin
from bench.dispatch import queue_outbox, seed

# The table a statement is about: UPDATE x / INSERT INTO x / ... FROM x (first one named).
_TABLE = re.compile(r"(?:\bUPDATE|\bINTO|\bFROM)\s+\"?(\w+)", re.IGNORECASE)


def run(texts: int = 1000, top: int = 30) -> dict:
    seeded = seed()
    result: dict = {"texts_per_pass": texts}
    with Procs("profile-dispatch") as procs:
        standin, port, record = start_standin(procs, "standin")
        env = bijna_env(standin_port=port)
        statements: Counter[str] = Counter()
        profile = cProfile.Profile()

        def one_pass(name: str, last_checks: bool = True, profiled: bool = False, job_size: int = 50) -> None:
            """Send `texts` texts in jobs of `job_size`, timing only the send jobs themselves.

            job_size 50: the outbox is full, every job finds 50 due texts (a backlog, or a burst).
            Smaller: the rows of each job become due just before it runs (parked under another
            status until then), as under live ingestion when the workers keep up and every push's
            job carries its own 1-2 texts; the fixed cost of a job then weighs on every text.
            """
            queue_outbox(seeded, texts + 50, env)
            flush_redis()  # the jobs run here, not in a worker
            ids = [r[0] for r in sql("SELECT id FROM messages ORDER BY created_at, id")]
            jobs = [ids[:50]] + [ids[i:i + job_size] for i in range(50, len(ids), job_size)]
            if job_size < 50:
                sql("UPDATE messages SET status = 'bench-parked' WHERE status = 'pending'")
            with bijna_app(env):
                from app.extensions import db
                from app.messaging import sending
                from workers.sending import send_texts

                @event.listens_for(db.engine, "before_cursor_execute")
                def _count(conn, cursor, statement, parameters, context, executemany):
                    words = statement.split()
                    table = _TABLE.search(statement)
                    statements[f"{words[0].upper()} {table.group(1) if table else ''}".strip()] += 1

                checks = sending.no_longer_wanted
                if not last_checks:
                    sending.no_longer_wanted = lambda message: None  # this process only, this pass only
                elapsed = 0.0
                try:
                    for n, job in enumerate(jobs):  # the first: warm-up (client, connection, caches)
                        if job_size < 50:
                            sql("UPDATE messages SET status = 'pending' WHERE id = ANY(%s)", (job,))
                        if n == 1:
                            statements.clear()
                        started = time.perf_counter()
                        if profiled and n:
                            profile.enable()
                        send_texts(job)
                        db.session.remove()
                        if profiled and n:
                            profile.disable()
                        if n:
                            elapsed += time.perf_counter() - started
                finally:
                    sending.no_longer_wanted = checks
            sent = len(ids) - 50
            result[name] = {"texts_per_job": job_size, "jobs": len(jobs) - 1,
                            "ms_per_text": round(elapsed / sent * 1000, 3), "texts_per_s": round(sent / elapsed, 1),
                            "ms_per_job": round(elapsed / (len(jobs) - 1) * 1000, 2),
                            "statements_per_text": {k: round(v / sent, 2) for k, v in statements.most_common()},
                            "statuses": dict(sql("SELECT status, count(*) FROM messages GROUP BY status"))}

        one_pass("as_is")
        one_pass("experiment_without_last_checks", last_checks=False)
        one_pass("jobs_of_2_texts", job_size=2)
        one_pass("as_is_under_profile", profiled=True)
        stop_standin(procs, standin, record)
    result["profile"] = profile_report(profile, top)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    result = run(args.texts, args.top)
    profile = result.pop("profile")
    print(json.dumps(result, indent=2))
    print(profile)


if __name__ == "__main__":
    main()
