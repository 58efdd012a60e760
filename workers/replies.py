"""Inbound messages: the job that reads and answers one reply and its enqueue helper."""

from __future__ import annotations

from flask import current_app

from app.carriers.adapter import CarrierError
from app.clock import now as clock_now
from app.extensions import db
from app.replies import inbound
from workers.queues import REPLIES, enqueue_jobs

JOB_TIMEOUT = 60  # one database transaction and at most one carrier look-up (5 s)


def enqueue_replies(message_ids: list[str]) -> bool:
    """Enqueue stored inbound texts, one job each, in one Redis round trip."""
    return enqueue_jobs(REPLIES, read_reply, [(one,) for one in message_ids], JOB_TIMEOUT)


def read_reply(message_id: str) -> str | None:
    """Understand and answer one inbound text; return what was done (None: already done)."""
    now = clock_now()
    try:
        plan = inbound.process_inbound(message_id, now, carrier_timeout=current_app.config["CARRIER_TIMEOUT_SECONDS"])
    except CarrierError as error:
        # Slots could not be fetched: try again later, and after the last try answer without them.
        db.session.rollback()
        if inbound.postpone(message_id, now, error):
            return "postponed"
        plan = inbound.process_inbound(message_id, now, carrier_timeout=None)
    except Exception as error:
        db.session.rollback()
        if not inbound.postpone(message_id, now, error):
            inbound.fail(message_id, now)
        raise  # visible in RQ's failed registry; the row itself is retried by the sweeper
    return plan.action if plan else None
