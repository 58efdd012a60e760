"""Rebooking commands: the job that carries one to the carrier and its enqueue helper."""

from __future__ import annotations

from flask import current_app

from app.clock import now as clock_now
from app.rebooking import execution
from workers.queues import CARRIER, enqueue_jobs

JOB_TIMEOUT = 60  # a pickup-point read and one command, each bounded by the carrier timeout


def enqueue_rebookings(command_ids: list[str]) -> bool:
    """Enqueue committed rebooking commands, one job each, in one Redis round trip."""
    return enqueue_jobs(CARRIER, carry_rebooking, [(one,) for one in command_ids], JOB_TIMEOUT)


def carry_rebooking(command_id: str) -> str | None:
    """Send one due rebooking command to its carrier; return its status (None: not due)."""
    return execution.execute(command_id, clock_now(), current_app.config["CARRIER_TIMEOUT_SECONDS"])
