"""Prometheus metrics for web and workers, served at /metrics.

Processes share one PROMETHEUS_MULTIPROC_DIR (gunicorn's workers, the RQ workers and the sweeper on one
machine): each writes its own counters there and /metrics adds them up. Queue depth and the age of the
oldest job are read from Redis when scraped, so they are right whichever process answers.
Without PROMETHEUS_MULTIPROC_DIR (tests, one process) the process's own registry is served.
"""

from __future__ import annotations

import hmac
import os
import time
from datetime import UTC, datetime

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from app.clock import wall_clock

SENT_STATUSES = frozenset({"accepted", "queued", "scheduled", "sending", "sent", "delivered"})
LOOPBACK = frozenset({"127.0.0.1", "::1"})

MESSAGES = Counter("bijna_messages_total", "Outbound texts by outcome (sent, failed, expired, skipped, unknown, "
                   "retry) and provider error code", ["outcome", "reason"])
CARRIER_COMMANDS = Counter("bijna_carrier_commands_total", "Rebooking commands at carriers by outcome", ["outcome"])
STOP_ETAS = Counter("bijna_stop_etas_total", "Stop ETAs pushed by carriers, by what became of them", ["result"])
HTTP_SECONDS = Histogram("bijna_http_request_seconds", "Request latency by endpoint (webhooks, route pushes, API)",
                         ["endpoint", "method", "status"],
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15))

bp = Blueprint("metrics", __name__)


def message_outcome(status: str, error_code: int | None = None) -> None:
    """Count one recorded send outcome (called where a message's status is written)."""
    outcome = "sent" if status in SENT_STATUSES else ("retry" if status == "pending" else status)
    MESSAGES.labels(outcome, str(error_code) if error_code is not None else "").inc()


def command_outcome(status: str | None) -> str | None:
    """Count one carrier command attempt's outcome; return it unchanged (so a `return` can wrap it)."""
    if status is not None:
        CARRIER_COMMANDS.labels(status).inc()
    return status


def etas_ingested(accepted: int, stale: int, unknown: int) -> None:
    """Count the stop ETAs of one push."""
    for result, count in (("accepted", accepted), ("stale", stale), ("unknown_parcel", unknown)):
        if count:
            STOP_ETAS.labels(result).inc(count)


class QueueCollector:
    """Queue depth and the age of each queue's oldest job, read from Redis at scrape time."""

    def __init__(self, redis, now: float):
        self.redis, self.now = redis, now

    def collect(self):
        depth = GaugeMetricFamily("bijna_queue_depth", "Jobs waiting in each RQ queue", labels=["queue"])
        age = GaugeMetricFamily("bijna_queue_oldest_job_age_seconds", "How long the oldest waiting job has waited",
                                labels=["queue"])
        up = GaugeMetricFamily("bijna_redis_up", "Whether Redis answered this scrape")
        try:
            for key in sorted(k.decode() for k in self.redis.smembers("rq:queues")):  # RQ's own list of queues
                name = key.removeprefix("rq:queue:")
                depth.add_metric([name], self.redis.llen(key))
                oldest = self.redis.lindex(key, 0)
                enqueued = self.redis.hget(f"rq:job:{oldest.decode()}", "enqueued_at") if oldest else None
                age.add_metric([name], max(0.0, self.now - _epoch(enqueued.decode())) if enqueued else 0.0)
            up.add_metric([], 1)
        except Exception:  # Redis away: say so instead of failing the scrape
            up.add_metric([], 0)
            return [up]
        return [depth, age, up]


def _epoch(stamp: str) -> float:
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def allowed(config, authorization: str, remote_addr: str | None) -> bool:
    """Tell whether a scrape may read the metrics: the METRICS_TOKEN bearer, or loopback in development."""
    token = config.get("METRICS_TOKEN") or ""
    if token:
        scheme, _, given = authorization.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
    return config.get("ENV") == "development" and remote_addr in LOOPBACK


def _process_metrics() -> bytes:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return generate_latest(REGISTRY)
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry)


@bp.get("/metrics")
def metrics():
    """Serve the Prometheus metrics of every process on this machine (METRICS_TOKEN, or loopback in dev)."""
    from app.errors import ApiError
    from app.extensions import redis_connection

    if not allowed(current_app.config, request.headers.get("Authorization", ""), request.remote_addr):
        raise ApiError(401, "unauthorized", "Metrics need the METRICS_TOKEN bearer token.")
    queues = CollectorRegistry()
    # Job ages are RQ's wall-clock stamps, so they are compared with the wall clock, not the product's.
    queues.register(QueueCollector(redis_connection(), wall_clock().timestamp()))
    return Response(_process_metrics() + generate_latest(queues), mimetype=CONTENT_TYPE_LATEST)


def metrics_directory() -> None:
    """Create PROMETHEUS_MULTIPROC_DIR when set (a process's first metric writes its file there)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)


def init_app(app: Flask) -> None:
    """Serve /metrics and time every request by endpoint."""
    app.register_blueprint(bp)

    @app.before_request
    def _start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _observe(response):
        started = g.pop("metrics_started", None)
        if started is not None and request.endpoint not in (None, "metrics.metrics", "static"):
            HTTP_SECONDS.labels(request.endpoint, request.method, str(response.status_code)).observe(
                time.perf_counter() - started)
        return response
