"""The sweeper: what was committed but never processed gets processed; nothing waits forever.

Redis is transport, not storage: if it lost a job, the row is still in the database and a sweep
finds it. Other features register their own sweeps with `register`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from app.extensions import db
from app.models import Message
from app.sms.factory import current_provider
from app.sms.provider import ACCEPTED
from workers.sending import enqueue_sends, record_result

log = logging.getLogger(__name__)

STALE_PENDING = timedelta(seconds=15)  # a pending text this old was probably never enqueued
STALE_DISPATCH = timedelta(minutes=2)  # a worker holding a text this long has died
LOOKUP_SETTLE = timedelta(seconds=60)
RECONCILE_BUDGET_SECONDS = 10  # only resend after the provider has had time to list it
SWEEPS: list[Callable[[datetime], int]] = []


def register(sweep: Callable[[datetime], int]) -> Callable[[datetime], int]:
    """Add a sweep (a function of `now` returning how much it did) to every run."""
    SWEEPS.append(sweep)
    return sweep


@register
def requeue_pending_texts(now: datetime) -> int:
    """Enqueue due texts nobody picked up: lost jobs, and texts held through quiet hours."""
    stale = select(Message.id).where(
        Message.direction == "out", Message.status == "pending", Message.updated_at < now - STALE_PENDING,
        or_(Message.send_after.is_(None), Message.send_after <= now)).limit(5000)
    # Touched as they are enqueued, so a backlog is not enqueued again at every sweep.
    ids = list(db.session.execute(update(Message).where(Message.id.in_(stale)).values(updated_at=now)
                                  .returning(Message.id)).scalars())
    db.session.commit()
    enqueue_sends(ids)
    return len(ids)


@register
def reconcile_unclear_sends(now: datetime) -> int:
    """Look up sends whose outcome is unknown; resend only what the provider never got."""
    db.session.execute(update(Message).where(
        Message.status == "dispatching", Message.updated_at < now - STALE_DISPATCH).values(
        status="unknown", updated_at=now))
    db.session.commit()
    unclear = list(db.session.execute(select(Message).where(Message.status == "unknown").limit(200)).scalars())
    provider = current_provider()
    deadline = time.monotonic() + RECONCILE_BUDGET_SECONDS  # a slow provider must not stall the other sweeps
    for message in unclear:
        if time.monotonic() > deadline:
            break
        try:
            found = provider.lookup(message.id, message.to_number, message.created_at, message.body)
        except Exception:  # the provider cannot be asked now; the next sweep asks again
            log.warning("cannot reconcile message %s yet", message.id, exc_info=True)
            continue
        if found is not None and found.outcome == ACCEPTED:
            record_result(message, found, now)
        elif message.updated_at > now - LOOKUP_SETTLE:
            continue  # provider lists can lag: look again next sweep before concluding "never sent"
        else:
            message.status, message.updated_at = "pending", now - STALE_PENDING
            db.session.commit()
    return len(unclear)


def sweep(now: datetime) -> dict[str, int]:
    """Run every registered sweep once; one failing does not stop the others."""
    import workers.retention  # noqa: F401  (registers its sweep)

    done = {}
    for step in SWEEPS:
        try:
            done[step.__name__] = step(now)
        except Exception:
            db.session.rollback()
            log.exception("sweep %s failed", step.__name__)
    return done


# Each feature keeps its sweep beside its job; importing the modules registers them.
from workers import rebooking, replies, shop_webhooks  # noqa: E402, F401
