"""The worker: an RQ SimpleWorker (no fork per job) with the scheduler, one app context per job.

It rides out outages by itself. RQ's own loop quits on an unexpected Redis error ("found an unhandled
exception, quitting"), so `main` starts a fresh worker once Redis answers again, backing off up to
BACKOFF_MAX seconds and logging once per outage, not per attempt. While the database is away a worker
holds the job it has instead of failing job after job; a job that did fail is not lost: its row is
still in the database and the sweeper enqueues it again.
"""

from __future__ import annotations

import argparse
import logging
import signal
import time

from redis.exceptions import RedisError
from rq import SimpleWorker, get_current_job
from sqlalchemy import text

from app import create_app
from app.config import exit_on_config_error
from app.extensions import db, redis_connection
from app.observability.logs import configure
from app.observability.metrics import metrics_directory
from app.observability.outages import is_outage
from workers.queues import ALL, queue

log = logging.getLogger("bijna.worker")
BACKOFF_START, BACKOFF_MAX = 0.5, 5.0


class JobContextFilter(logging.Filter):
    """Put the running job's id, function, subject ids and originating request id on every log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        job = get_current_job()
        if job is not None:
            record.job_id = job.id
            record.job = job.func_name.rsplit(".", 1)[-1]
            subjects = job.args[0] if job.args else None  # every job takes ids: one, or a list of them
            if isinstance(subjects, (list, tuple)):
                record.subject_ids = [str(s) for s in subjects[:10]]
            elif isinstance(subjects, str):
                record.subject_ids = [subjects]
            record.request_id = job.meta.get("request_id") or getattr(record, "request_id", None)
        return True


class Backoff:
    """Wait a doubling, bounded time between attempts; say so once per outage."""

    def __init__(self, what: str):
        self.what, self.delay, self.down_since = what, BACKOFF_START, None

    def failed(self, error: BaseException) -> None:
        if self.down_since is None:
            self.down_since = time.monotonic()
            log.warning("%s unreachable (%s): waiting for it, retrying with backoff up to %.0f s",
                        self.what, type(error).__name__, BACKOFF_MAX)
        time.sleep(self.delay)
        self.delay = min(self.delay * 2, BACKOFF_MAX)

    def recovered(self) -> None:
        if self.down_since is not None:
            log.warning("%s is back after %.1f s", self.what, time.monotonic() - self.down_since)
        self.delay, self.down_since = BACKOFF_START, None


class OncePerOutage(logging.Filter):
    """Let RQ say "could not connect to Redis" once per outage, not at every retry of its own."""

    repeating = False

    def filter(self, record: logging.LogRecord) -> bool:
        about_redis = "could not connect to Redis" in str(record.msg)
        first = about_redis and not self.repeating
        self.repeating = about_redis
        return first or not about_redis


class AppWorker(SimpleWorker):
    """Run each job inside a fresh app context, so each gets its own database session."""

    max_connection_wait_time = BACKOFF_MAX  # RQ's own reconnect backoff (60 s by default) bounded like ours
    flask_app = None
    database_down: Backoff | None = None

    def perform_job(self, job, queue):
        with self.flask_app.app_context():
            self._wait_while_database_is_away()
            done = super().perform_job(job, queue)
            if not done and is_outage(getattr(job, "_bijna_error", None)):
                self.database_down = self.database_down or Backoff("PostgreSQL")
            return done

    def _wait_while_database_is_away(self) -> None:
        """After a job failed on a database outage, hold the next one until the database answers."""
        while self.database_down is not None and not self._stop_requested:
            try:
                db.session.execute(text("SELECT 1"))
                db.session.rollback()
                self.database_down.recovered()
                self.database_down = None
            except Exception as error:
                db.session.rollback()
                self.database_down.failed(error)


def build_worker(app, queues: tuple[str, ...] = ALL) -> AppWorker:
    """Return a worker bound to the app's Redis and queues."""
    with app.app_context():
        worker = AppWorker([queue(name) for name in queues], connection=redis_connection(),
                           exception_handlers=[_remember_error])
    worker.flask_app = app
    return worker


def _remember_error(job, exc_type, exc_value, traceback) -> bool:
    job._bijna_error = exc_value  # read by perform_job to tell an outage from a bug
    return True  # and on to RQ's default handling (failed registry)


def stop_was_asked(worker: AppWorker) -> bool:
    """Tell a SIGTERM/SIGINT stop (RQ notes when one came; `_stop_requested` only while busy) from a crash."""
    return worker._stop_requested or getattr(worker, "_shutdown_requested_date", None) is not None


def wait_for_redis(app, backoff: Backoff, stopping: list) -> None:
    """Return once Redis answers a PING (or a stop was asked for)."""
    while not stopping:
        try:
            with app.app_context():
                redis_connection().ping()
            backoff.recovered()
            return
        except RedisError as error:
            backoff.failed(error)


def run(app, burst: bool = False) -> None:
    """Work until stopped; after any crash of RQ's loop wait for Redis and start a fresh worker."""
    stopping: list[int] = []
    redis_down = Backoff("Redis")
    while not stopping:
        wait_for_redis(app, redis_down, stopping)
        if stopping:
            break
        worker = build_worker(app)
        try:
            worker.work(with_scheduler=True, burst=burst)
        except RedisError as error:  # RQ's start and teardown talk to Redis too
            redis_down.failed(error)
        finally:
            # RQ bound SIGINT/SIGTERM to that worker; between workers a stop must still stop us.
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda number, frame: stopping.append(number))
        if burst or stop_was_asked(worker):
            break


def main() -> None:
    """Run a worker until stopped (or until the queues are empty with --burst)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", action="store_true", help="stop when the queues are empty")
    args = parser.parse_args()
    app = exit_on_config_error(create_app)
    metrics_directory()
    configure(app.config.get("LOG_FORMAT", "json"), extra_filters=(JobContextFilter(),))
    logging.getLogger("rq.worker").addFilter(OncePerOutage())
    run(app, burst=args.burst)


if __name__ == "__main__":
    main()
