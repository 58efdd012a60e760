"""Shop webhooks: the job that delivers one, its enqueue helper and its sweep."""

from __future__ import annotations

from datetime import timedelta

from app import shop_webhooks
from app.clock import now as clock_now
from workers.queues import DEFAULT, enqueue_jobs
from workers.sweeper import register

JOB_TIMEOUT = 30
GRACE = timedelta(seconds=10)


def enqueue_webhooks(webhook_ids: list[str]) -> bool:
    """Enqueue stored shop webhooks, one job each, in one Redis round trip."""
    return enqueue_jobs(DEFAULT, deliver_webhook, [(one,) for one in webhook_ids], JOB_TIMEOUT)


def deliver_webhook(webhook_id: str) -> str | None:
    """Post one due webhook to its shop; return its status (None: not due)."""
    return shop_webhooks.deliver(webhook_id, clock_now())


@register
def requeue_due_webhooks(now) -> int:
    """Enqueue pending webhooks whose retry is due, or whose job was lost."""
    ids = shop_webhooks.due_webhooks(now, GRACE)
    enqueue_webhooks(ids)
    return len(ids)
