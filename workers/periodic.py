"""The periodic process: runs the sweeps every few seconds (one per deployment is enough; more is harmless).

It never exits on an outage: before each round it checks that PostgreSQL and Redis answer; while one does
not, it waits with a doubling, bounded backoff and says so once per outage (the sweeps would only fail one
by one). Once both answer it sweeps again, and the sweeps pick up whatever the outage left undone.
"""

from __future__ import annotations

import argparse
import logging
import signal
import time

from sqlalchemy import text

from app import create_app
from app.clock import now
from app.config import exit_on_config_error
from app.extensions import db, redis_connection
from app.observability.logs import configure
from app.observability.metrics import metrics_directory
from workers.run import Backoff
from workers.sweeper import sweep

log = logging.getLogger("bijna.periodic")


def dependencies_answer(backoffs: dict[str, Backoff]) -> bool:
    """Check the database and Redis (inside an app context); back off on the first that does not answer."""
    for name, check in (("PostgreSQL", _database), ("Redis", lambda: redis_connection().ping())):
        try:
            check()
        except Exception as error:
            db.session.rollback()
            backoffs[name].failed(error)
            return False
        backoffs[name].recovered()
    return True


def _database() -> None:
    db.session.execute(text("SELECT 1"))
    db.session.rollback()


def run(app, every: float, rounds: int | None = None) -> None:
    """Sweep every `every` seconds until stopped (or for `rounds` rounds)."""
    stopping: list[int] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, frame: stopping.append(number))
    backoffs = {"PostgreSQL": Backoff("PostgreSQL"), "Redis": Backoff("Redis")}
    done_rounds = 0
    while not stopping and (rounds is None or done_rounds < rounds):
        with app.app_context():
            if not dependencies_answer(backoffs):
                continue
            try:
                done = sweep(now())
            except Exception:  # sweep() guards each step; this is what escaped it (a commit, say)
                db.session.rollback()
                log.exception("sweep round failed; trying again next round")
                done = {}
        if any(done.values()):
            log.info("sweep: %s", done)
        done_rounds += 1
        time.sleep(every)


def main() -> None:
    """Sweep every --every seconds until stopped."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=float, default=5.0)
    args = parser.parse_args()
    app = exit_on_config_error(create_app)
    metrics_directory()
    configure(app.config.get("LOG_FORMAT", "json"))
    run(app, args.every)


if __name__ == "__main__":
    main()
