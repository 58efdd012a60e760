"""Shop webhooks: the job that delivers one, its enqueue helper and its sweep."""

from __future__ import annotations

from datetime import timedelta

from rq import Queue

from app import shop_webhooks
from app.clock import now as clock_now
from workers.queues import DEFAULT, queue
from workers.sweeper import register

JOB_TIMEOUT = 30
FAILURE_TTL = 7 * 24 * 3600
GRACE = timedelta(seconds=10)


def enqueue_webhooks(webhook_ids: list[str]) -> None:
    """Enqueue stored shop webhooks, one job each, in one Redis round trip."""
    if not webhook_ids:
        return
    jobs = [Queue.prepare_data(deliver_webhook, args=(webhook_id,), timeout=JOB_TIMEOUT, result_ttl=0,
                               failure_ttl=FAILURE_TTL) for webhook_id in webhook_ids]
    queue(DEFAULT).enqueue_many(jobs)


def deliver_webhook(webhook_id: str) -> str | None:
    """Post one due webhook to its shop; return its status (None: not due)."""
    return shop_webhooks.deliver(webhook_id, clock_now())


@register
def requeue_due_webhooks(now) -> int:
    """Enqueue pending webhooks whose retry is due, or whose job was lost."""
    ids = shop_webhooks.due_webhooks(now, GRACE)
    enqueue_webhooks(ids)
    return len(ids)
