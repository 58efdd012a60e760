"""Where a send job spends its time: workers.sending.send_texts in-process, SQL counted per text.

    python -m bench.profile_dispatch [--texts 1000] [--top 30]

The stand-in runs as its own process; the jobs run here, 50 texts each as Bijna enqueues them.
Three passes over fresh outbox rows: as Bijna runs them; the same with the session's
expire_on_commit switched off (an experiment: it shows what the reload of every Message after
each per-text commit costs; Bijna's code is not changed); and the first again under cProfile.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import time
from collections import Counter

from sqlalchemy import event

from bench.common import Procs, bijna_app, bijna_env, flush_redis, sql, start_standin, stop_standin
from bench.dispatch import queue_outbox, seed


def run(texts: int = 1000, top: int = 30) -> dict:
    seeded = seed()
    result: dict = {"texts_per_pass": texts, "texts_per_job": 50}
    with Procs("profile-dispatch") as procs:
        standin, port, record = start_standin(procs, "standin")
        env = bijna_env(standin_port=port)
        statements: Counter[str] = Counter()
        profile = cProfile.Profile()

        def one_pass(name: str, expire_on_commit: bool, profiled: bool = False) -> None:
            queue_outbox(seeded, texts + 50, env)
            flush_redis()  # the jobs run here, not in a worker
            ids = [r[0] for r in sql("SELECT id FROM messages ORDER BY created_at, id")]
            with bijna_app(env):
                from app.extensions import db
                from workers.sending import send_texts

                @event.listens_for(db.engine, "before_cursor_execute")
                def _count(conn, cursor, statement, parameters, context, executemany):
                    statements[statement.split()[0].upper()] += 1

                db.session().expire_on_commit = expire_on_commit
                send_texts(ids[:50])  # warm up: provider client, connection, statement caches
                db.session.remove()
                statements.clear()
                started = time.perf_counter()
                if profiled:
                    profile.enable()
                for i in range(50, len(ids), 50):
                    db.session().expire_on_commit = expire_on_commit
                    send_texts(ids[i:i + 50])
                    db.session.remove()
                if profiled:
                    profile.disable()
                elapsed = time.perf_counter() - started
            sent = len(ids) - 50
            result[name] = {"ms_per_text": round(elapsed / sent * 1000, 3), "texts_per_s": round(sent / elapsed, 1),
                            "statements_per_text": {k: round(v / sent, 2) for k, v in statements.most_common()},
                            "statuses": dict(sql("SELECT status, count(*) FROM messages GROUP BY status"))}

        one_pass("as_is", expire_on_commit=True)
        one_pass("experiment_no_expire_on_commit", expire_on_commit=False)
        one_pass("as_is_under_profile", expire_on_commit=True, profiled=True)
        stop_standin(procs, standin, record)
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    result["profile"] = out.getvalue()
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
