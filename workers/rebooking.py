"""Rebooking commands: the job that carries one to the carrier, its enqueue helper and its sweep."""

from __future__ import annotations

from datetime import timedelta

from app.clock import now as clock_now
from app.rebooking import execution
from workers.queues import CARRIER, enqueue_jobs
from workers.sweeper import register

JOB_TIMEOUT = 60  # a pickup-point read and one command, each bounded by the carrier timeout
GRACE = timedelta(seconds=10)  # leave a just-due command to the job already enqueued for it


def enqueue_rebookings(command_ids: list[str]) -> bool:
    """Enqueue committed rebooking commands, one job each, in one Redis round trip."""
    return enqueue_jobs(CARRIER, carry_rebooking, [(one,) for one in command_ids], JOB_TIMEOUT)


def carry_rebooking(command_id: str) -> str | None:
    """Send one due rebooking command to its carrier; return its status (None: not due)."""
    return execution.execute(command_id, clock_now())


@register
def requeue_due_rebookings(now) -> int:
    """Enqueue pending commands whose retry is due, or whose job or worker was lost."""
    ids = execution.due_commands(now, GRACE)
    enqueue_rebookings(ids)
    return len(ids)
