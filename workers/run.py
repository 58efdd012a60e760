"""The worker: an RQ SimpleWorker (no fork per job) with the scheduler, one app context per job."""

from __future__ import annotations

import argparse

from rq import SimpleWorker

from app import create_app
from app.config import exit_on_config_error
from app.extensions import redis_connection
from workers.queues import ALL, queue


class AppWorker(SimpleWorker):
    """Run each job inside a fresh app context, so each gets its own database session."""

    flask_app = None

    def perform_job(self, job, queue):
        with self.flask_app.app_context():
            return super().perform_job(job, queue)


def build_worker(app, queues: tuple[str, ...] = ALL) -> AppWorker:
    """Return a worker bound to the app's Redis and queues."""
    with app.app_context():
        worker = AppWorker([queue(name) for name in queues], connection=redis_connection())
    worker.flask_app = app
    return worker


def main() -> None:
    """Run a worker until stopped (or until the queues are empty with --burst)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--burst", action="store_true", help="stop when the queues are empty")
    args = parser.parse_args()
    app = exit_on_config_error(create_app)
    build_worker(app).work(with_scheduler=True, burst=args.burst)


if __name__ == "__main__":
    main()
