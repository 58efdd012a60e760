"""Queues named by purpose; the worker listens to them in this order of urgency."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from redis.exceptions import RedisError
from rq import Queue

from app.extensions import redis_connection

log = logging.getLogger(__name__)
FAILURE_TTL = 7 * 24 * 3600  # failed jobs stay visible to the operator for a week

TEXTS = "bijna-texts"  # outbound texts: time-critical
REPLIES = "bijna-replies"  # inbound texts to understand and answer
CARRIER = "bijna-carrier"  # rebooking commands and slot look-ups at carriers
DEFAULT = "bijna-default"  # shop webhooks, sweeps and anything that can wait
ALL = (TEXTS, REPLIES, CARRIER, DEFAULT)


def queue(name: str) -> Queue:
    """Return the named queue on the app's Redis."""
    return Queue(name, connection=redis_connection())


def enqueue_jobs(name: str, job: Callable, args: Sequence[tuple], timeout: int) -> bool:
    """Enqueue one job per args tuple in one Redis round trip, for rows already committed.

    Redis being away is not an error here: the rows are in the database and the sweeper
    enqueues them once it is back. Return whether the jobs reached Redis.
    """
    if not args:
        return True
    meta = _origin()
    jobs = [Queue.prepare_data(job, args=job_args, timeout=timeout, result_ttl=0, failure_ttl=FAILURE_TTL, meta=meta)
            for job_args in args]
    try:
        queue(name).enqueue_many(jobs)
    except RedisError:
        log.warning("Redis unreachable: %d %s jobs wait in the database for the sweeper", len(jobs), job.__name__)
        return False
    return True


def _origin() -> dict:
    """Return the job meta that ties a job to what enqueued it: the request id (or the enqueuing job's)."""
    from rq import get_current_job

    from app.observability.logs import request_id

    origin = request_id()
    if origin is None:
        parent = get_current_job()
        origin = parent.meta.get("request_id") if parent is not None else None
    return {"request_id": origin} if origin else {}
