"""The sweeps, all of them, in one list: what was committed but never processed gets processed,
nothing waits forever, old personal data goes, the ETA model learns.

The sweeper process (workers/periodic.py) calls `sweep(now)` every few seconds; each sweep is a
function of `now` returning how much it did. Redis is transport, not storage: a lost job's row is
still in the database and its sweep finds it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from app.exceptions.retention import forget_problem_reports
from app.exceptions.service import climb_exception_ladder
from app.extensions import db
from app.ingestion.eta_learning import learn_eta_errors
from app.ingestion.first_eta_wait import send_texts_held_for_first_eta
from app.kpis.store import refresh_carrier_kpis
from app.messaging import recovery
from app.rebooking import execution
from app.replies import inbound
from app.retention import purge_personal_data
from app.shops import webhooks
from workers.rebooking import enqueue_rebookings
from workers.replies import enqueue_replies
from workers.sending import enqueue_sends
from workers.shop_webhooks import enqueue_webhooks

log = logging.getLogger(__name__)

GRACE = timedelta(seconds=10)  # leave a just-due command or webhook to the job already enqueued for it


def requeue_unsent_messages(now: datetime) -> int:
    """Enqueue due messages nobody picked up: lost jobs, and messages held through quiet hours."""
    ids = recovery.unsent_messages(now)
    enqueue_sends(ids)
    return len(ids)


def requeue_unread_replies(now: datetime) -> int:
    """Enqueue inbound messages that were stored but never processed (or are due for another try)."""
    ids = inbound.unread(now)
    enqueue_replies(ids)
    return len(ids)


def requeue_due_rebookings(now: datetime) -> int:
    """Enqueue pending commands whose retry is due, or whose job or worker was lost."""
    ids = execution.due_commands(now, GRACE)
    enqueue_rebookings(ids)
    return len(ids)


def requeue_due_webhooks(now: datetime) -> int:
    """Enqueue pending webhooks whose retry is due, or whose job was lost."""
    ids = webhooks.due_webhooks(now, GRACE)
    enqueue_webhooks(ids)
    return len(ids)


SWEEPS: tuple[Callable[[datetime], int], ...] = (
    requeue_unsent_messages,
    recovery.reconcile_unclear_sends,
    requeue_unread_replies,
    requeue_due_rebookings,
    requeue_due_webhooks,
    send_texts_held_for_first_eta,
    learn_eta_errors,
    climb_exception_ladder,
    refresh_carrier_kpis,
    purge_personal_data,
    forget_problem_reports,
)


def sweep(now: datetime) -> dict[str, int]:
    """Run every sweep once; one failing does not stop the others."""
    done = {}
    for step in SWEEPS:
        try:
            done[step.__name__] = step(now)
        except Exception:
            db.session.rollback()
            log.exception("sweep %s failed", step.__name__)
    return done
