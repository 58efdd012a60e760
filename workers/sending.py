"""Sending messages: the job, its enqueue helpers; the work itself is app/messaging/sending.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.clock import now as clock_now
from app.messaging import claiming, sending
from workers.queues import TEXTS, enqueue_jobs, queue


def enqueue_sends(message_ids: list[str]) -> bool:
    """Enqueue send jobs for committed messages, in batches; False if Redis was away."""
    size = claiming.batch_size()
    batches = [(message_ids[i:i + size],) for i in range(0, len(message_ids), size)]
    return enqueue_jobs(TEXTS, send_texts, batches, claiming.JOB_TIMEOUT)


def retry_later(message_id: str, delay: timedelta) -> None:
    """Enqueue one message again after a delay (RQ's scheduler runs it)."""
    queue(TEXTS).enqueue_in(delay, send_texts, [message_id], result_ttl=0, job_timeout=claiming.JOB_TIMEOUT)


def send_texts(message_ids: list[str], now: datetime | None = None) -> dict[str, int]:
    """Send the given messages that are still pending and due; return a count per outcome.

    `now` pins the clock; by default each message is judged at the moment it is sent.
    """
    return sending.send_messages(message_ids, (lambda: now) if now else clock_now)
