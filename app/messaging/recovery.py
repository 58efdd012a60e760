"""What was committed but never processed gets processed: lost send jobs, unclear sends, dead workers.

Redis is transport, not storage: if it lost a job, the row is still in the database and these sweeps
(run by the sweeper process, see workers/sweeper.py) find it.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from app.extensions import db
from app.messaging.sending import record_result
from app.models import Message
from app.sms.factory import current_provider
from app.sms.provider import ACCEPTED

log = logging.getLogger(__name__)

STALE_PENDING = timedelta(seconds=15)  # a pending message this old was probably never enqueued
STALE_DISPATCH = timedelta(minutes=2)  # a worker holding a message this long has died
LOOKUP_SETTLE = timedelta(seconds=60)  # only resend after the provider has had time to list it
RECONCILE_BUDGET_SECONDS = 10  # a slow provider must not stall the other sweeps


def unsent_messages(now: datetime) -> list[str]:
    """Return due messages nobody picked up (lost jobs, messages held through quiet hours), touching them."""
    stale = select(Message.id).where(
        Message.direction == "out", Message.status == "pending", Message.updated_at < now - STALE_PENDING,
        or_(Message.send_after.is_(None), Message.send_after <= now)).limit(5000)
    # Touched as they are returned, so a backlog is not enqueued again at every sweep.
    ids = list(db.session.execute(update(Message).where(Message.id.in_(stale)).values(updated_at=now)
                                  .returning(Message.id)).scalars())
    db.session.commit()
    return ids


def reconcile_unclear_sends(now: datetime) -> int:
    """Look up sends whose outcome is unknown; make pending again only what the provider never got."""
    db.session.execute(update(Message).where(
        Message.status == "dispatching", Message.updated_at < now - STALE_DISPATCH).values(
        status="unknown", updated_at=now))
    db.session.commit()
    unclear = list(db.session.execute(select(Message).where(Message.status == "unknown").limit(200)).scalars())
    provider = current_provider()
    deadline = time.monotonic() + RECONCILE_BUDGET_SECONDS
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
