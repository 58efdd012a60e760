"""Shop webhooks: the job that delivers one and its enqueue helper."""

from __future__ import annotations

from app.clock import now as clock_now
from app.shops import webhooks
from workers.queues import DEFAULT, enqueue_jobs

JOB_TIMEOUT = 30


def enqueue_webhooks(webhook_ids: list[str]) -> bool:
    """Enqueue stored shop webhooks, one job each, in one Redis round trip."""
    return enqueue_jobs(DEFAULT, deliver_webhook, [(one,) for one in webhook_ids], JOB_TIMEOUT)


def deliver_webhook(webhook_id: str) -> str | None:
    """Post one due webhook to its shop; return its status (None: not due)."""
    return webhooks.deliver(webhook_id, clock_now())
