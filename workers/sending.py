"""Sending texts: claim rows from the outbox, respect the sender's rate, record what the provider said.

A text is claimed (pending → dispatching) in one UPDATE before the provider is called, so two
workers never send the same row. A row left in `dispatching` by a dead worker, or a send whose
outcome is unclear (`unknown`), is reconciled by looking it up at the provider before any resend.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, or_, select, update

from app.clock import now as clock_now
from app.extensions import db, redis_connection
from app.models import Message, OptOut, Shipment, Shop
from app.models.base import insert_ignoring_duplicates
from app.notify.policy import still_wanted
from app.phones import mask
from app.ratelimit import SenderRateLimit
from app.sms.factory import current_provider
from app.sms.provider import ACCEPTED, FAILED, RETRY, UNKNOWN, OutboundSms, SendResult
from app.urls import public_url
from workers.queues import TEXTS, enqueue_jobs, queue

log = logging.getLogger(__name__)

BATCH = 50  # texts per job: RQ costs milliseconds per job, a send well under one
JOB_TIMEOUT = 120
MAX_ATTEMPTS = 6
CONFIRMS_OPT_OUT = {"stopped", "help"}  # what an opted-out number still gets: that it worked, and help
OPT_OUT_SOURCES = {"opted_out": "provider_error", "number_unusable": "unusable_number"}


def batch_size() -> int:
    """Texts per job: BATCH, fewer for a slow sender so a job never waits out its timeout on the rate limit."""
    return max(1, min(BATCH, current_app.config["SENDER_RATE_PER_SECOND"] * JOB_TIMEOUT // 6))


def enqueue_sends(message_ids: list[str]) -> bool:
    """Enqueue send jobs for committed texts, in batches; False if Redis was away."""
    size = batch_size()
    batches = [(message_ids[i:i + size],) for i in range(0, len(message_ids), size)]
    return enqueue_jobs(TEXTS, send_texts, batches, JOB_TIMEOUT)


def retry_later(message_id: str, delay: timedelta) -> None:
    """Enqueue one text again after a delay (RQ's scheduler runs it)."""
    queue(TEXTS).enqueue_in(delay, send_texts, [message_id], result_ttl=0, job_timeout=JOB_TIMEOUT)


def send_texts(message_ids: list[str], now: datetime | None = None) -> dict[str, int]:
    """Send the given texts that are still pending and due; return a count per outcome.

    `now` pins the clock (tests); by default each text is judged at the moment it is sent.
    """
    clock = (lambda: now) if now else clock_now
    claimed = _claim(message_ids, clock())
    counts: dict[str, int] = {}
    if not claimed:
        return counts
    session = db.session()
    # Each outcome is committed on its own; keeping the claimed rows loaded across those commits
    # saves one SELECT per text (they are ours alone while `dispatching`).
    session.expire_on_commit, expire_on_commit = False, session.expire_on_commit
    try:
        return _send_claimed(claimed, clock, counts)
    finally:
        session.expire_on_commit = expire_on_commit


def _send_claimed(claimed: list[Message], clock, counts: dict[str, int]) -> dict[str, int]:
    provider = current_provider()
    limit = SenderRateLimit(redis_connection(), current_app.config["SENDER_RATE_PER_SECOND"])
    callback = public_url("/webhooks/twilio/status")
    senders = _senders({m.shop_id for m in claimed if m.shop_id})
    for message in claimed:
        outcome = _send_one(message, provider, limit, callback, senders.get(message.shop_id), clock())
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _claim(message_ids: list[str], now: datetime) -> list[Message]:
    """Take the given texts, and on PostgreSQL other due ones up to a batch, so one job drains many pushes."""
    due = (Message.status == "pending", Message.direction == "out",
           or_(Message.send_after.is_(None), Message.send_after <= now))
    take = update(Message).values(status="dispatching", attempts=Message.attempts + 1, updated_at=now)
    claimed_ids = list(db.session.execute(
        take.where(Message.id.in_(message_ids), *due).returning(Message.id)).scalars())
    room = batch_size() - len(claimed_ids)
    if room > 0 and db.engine.dialect.name == "postgresql":
        others = (select(Message.id).where(*due).order_by(Message.created_at).limit(room)
                  .with_for_update(skip_locked=True))
        claimed_ids += db.session.execute(take.where(Message.id.in_(others)).returning(Message.id)).scalars()
    db.session.commit()
    if not claimed_ids:
        return []
    rows = db.session.execute(select(Message).where(Message.id.in_(claimed_ids))).scalars()
    order = {message_id: i for i, message_id in enumerate(message_ids)}
    return sorted(rows, key=lambda m: (order.get(m.id, len(order)), m.created_at))


def _senders(shop_ids: set[str]) -> dict[str, str | None]:
    if not shop_ids:
        return {}
    return dict(db.session.execute(select(Shop.id, Shop.sender).where(Shop.id.in_(shop_ids))).all())


def _send_one(message, provider, limit, callback, sender, now) -> str:
    if message.expires_at and now >= message.expires_at:
        return _finish(message, "expired", now, error_message="Too late to be useful; not sent.")
    limit.acquire(sender or "default", message.segments)
    # Judged after waiting for the sender's turn, right before the provider call: a STOP, a cancel
    # or a corrected number that arrived meanwhile still counts.
    reason = _no_longer_wanted(message)
    if reason:
        return _finish(message, "skipped", now, error_message=reason)
    validity = int((message.expires_at - now).total_seconds()) if message.expires_at else None
    result = provider.send(OutboundSms(
        to=message.to_number, body=message.body, sender=sender, status_callback=callback,
        validity_seconds=max(1, min(validity, 36_000)) if validity else None, reference=message.id))
    return record_result(message, result, now)


def _no_longer_wanted(message: Message) -> str | None:
    """Say why a queued text must not go any more, or None when it still should (one small query)."""
    opted_out = exists().where(OptOut.phone == message.to_number).label("opted_out")
    if message.shipment_id is None:
        row = db.session.execute(select(opted_out)).one()
    else:
        row = db.session.execute(select(opted_out, Shipment.status, Shipment.notify, Shipment.recipient_phone,
                                        Shipment.sent_kinds).where(Shipment.id == message.shipment_id)).one_or_none()
        if row is None:
            return None
    if row.opted_out and message.kind not in CONFIRMS_OPT_OUT:
        return "The number opted out."
    if message.shipment_id is None:
        return None
    if message.to_number != row.recipient_phone:
        return "The shop changed the recipient's number since this text was queued."
    if not still_wanted(message.kind, row.status, row.notify, frozenset(row.sent_kinds or ())):
        return f"No longer true or wanted (the shipment is {row.status}, notify={row.notify})."
    return None


def record_result(message: Message, result: SendResult, now: datetime) -> str:
    """Store what the provider said about one send and act on it; return the outcome."""
    if result.outcome == ACCEPTED:
        from app.webhooks.status import apply_early_status  # the webhook module records opt-outs through us

        outcome = _finish(message, result.status or "accepted", now, sid=result.provider_sid, sent=True)
        apply_early_status(message, now)
        return outcome
    if result.outcome == FAILED:
        for flag, source in OPT_OUT_SOURCES.items():
            if getattr(result, flag):
                opt_out(message.to_number, source, now)
        return _finish(message, "failed", now, error_code=result.error_code, error_message=result.error_message)
    if result.outcome == UNKNOWN:
        log.warning("send of %s to %s unclear (%s): reconcile before resending",
                    message.id, mask(message.to_number), result.error_message)
        return _finish(message, "unknown", now, error_code=result.error_code, error_message=result.error_message)
    if message.attempts >= MAX_ATTEMPTS:
        return _finish(message, "failed", now, error_code=result.error_code,
                       error_message=f"Gave up after {message.attempts} attempts: {result.error_message}")
    # RETRY: never processed by the provider, so sending again cannot double it.
    delay = timedelta(seconds=min(2 ** message.attempts, 60))
    message.send_after = now + delay  # no claim, by this job or another, may take it before then
    _finish(message, "pending", now, error_code=result.error_code, error_message=result.error_message)
    retry_later(message.id, delay)
    return RETRY


def _finish(message: Message, status: str, now: datetime, *, sid: str | None = None, sent: bool = False,
            error_code: int | None = None, error_message: str | None = None) -> str:
    message.status, message.updated_at = status, now
    if sid:
        message.provider_sid = sid
    if sent:
        message.sent_at = now
    if error_code is not None or error_message is not None:
        message.error_code, message.error_message = error_code, (error_message or "")[:300]
    db.session.commit()
    return status


def opt_out(phone: str, source: str, now: datetime) -> None:
    """Record that a number must get no more texts (idempotent, race-free). Does not commit."""
    insert_ignoring_duplicates(OptOut, [{"phone": phone, "source": source, "created_at": now}], ["phone"])

