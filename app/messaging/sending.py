"""Sending: claim messages from the outbox in order, check each once more, send at the sender's rate, record.

A message is claimed (pending -> dispatching) in one UPDATE before the provider is called, so two
workers never send the same row, and only while it is first in line for its number (claiming.py).
Once a message is recorded, the job claims what waited behind it for the same number. A row left in
`dispatching` by a dead worker, or a send whose outcome is unclear (`unknown`), is reconciled by
looking it up at the provider before any resend (recovery.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, exists, select, text

from app.extensions import db, redis_connection
from app.messaging import ordering
from app.messaging.claiming import claim, claim_successors
from app.messaging.opt_outs import blocks, opt_out
from app.messaging.ratelimit import SenderRateLimit
from app.models import Message, OptOut, Shipment, Shop
from app.notify.policy import still_wanted
from app.observability import metrics
from app.sms.factory import current_provider
from app.sms.provider import ACCEPTED, FAILED, RETRY, STOP_TEXTING_CODES, UNKNOWN, SendRequest, SendResult
from app.urls import public_url

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
MAX_ROUNDS = 20  # successors claimed by one job before it leaves the rest to other jobs
# Sent by a person at the shop from the console: they go even while the parcel's automatic texts are paused.
STAFF_KINDS = frozenset({"agent_reply", "tracking_link"})


def send_messages(message_ids: list[str], clock: Callable[[], datetime]) -> dict[str, int]:
    """Send the given messages that are still pending, due and first in line; return a count per outcome.

    Each message is judged at the moment `clock` says it is sent.
    """
    counts: dict[str, int] = {}
    claimed = claim(message_ids, clock())
    session = db.session()
    # Each outcome is committed on its own; keeping the claimed rows loaded across those commits
    # saves one SELECT per message (they are ours alone while `dispatching`).
    session.expire_on_commit, expire_on_commit = False, session.expire_on_commit
    try:
        for _ in range(MAX_ROUNDS):
            if not claimed:
                break
            _send_claimed(claimed, clock, counts)
            claimed = claim_successors({m.to_number for m in claimed}, clock())
    finally:
        session.expire_on_commit = expire_on_commit
    return counts


def _send_claimed(claimed: list[Message], clock, counts: dict[str, int]) -> None:
    provider = current_provider()
    limit = SenderRateLimit(redis_connection(), current_app.config["SENDER_RATE_PER_SECOND"])
    callback = public_url("/webhooks/twilio/status")
    senders = _senders({m.shop_id for m in claimed if m.shop_id})
    for message in claimed:
        outcome = _send_one(message, provider, limit, callback, senders.get(message.shop_id), clock())
        counts[outcome] = counts.get(outcome, 0) + 1


def _senders(shop_ids: set[str]) -> dict[str, str | None]:
    if not shop_ids:
        return {}
    return dict(db.session.execute(select(Shop.id, Shop.sender).where(Shop.id.in_(shop_ids))).all())


def _send_one(message, provider, limit, callback, sender, now) -> str:
    if message.expires_at and now >= message.expires_at:
        return _finish(message, "expired", now, error_message="Too late to be useful; not sent.")
    limit.acquire(sender or "default", message.segments)
    # Judged after waiting for the sender's turn, right before the provider call: a STOP, a cancel,
    # a corrected number or a newer message that arrived meanwhile still counts.
    reason = no_longer_wanted(message)
    if reason:
        return _finish(message, "skipped", now, error_message=reason)
    validity = int((message.expires_at - now).total_seconds()) if message.expires_at else None
    result = provider.send(SendRequest(
        to=message.to_number, body=message.body, sender=sender, status_callback=callback,
        validity_seconds=max(1, min(validity, 36_000)) if validity else None, reference=message.id))
    return record_result(message, result, now)


@dataclass(frozen=True)
class _Checks:
    opt_out: Any  # a message about no parcel: only the opt-out counts
    parcel: Any
    parcel_or_newer: Any  # and whether a newer timing message made it stale (SUPERSEDABLE kinds)


@cache
def _checks() -> _Checks:
    """The last checks' SELECTs, built once with the message's values as parameters (see `_claims`)."""
    phone, shipment = bindparam("phone"), bindparam("shipment")
    opt_out_source = select(OptOut.source).where(OptOut.phone == phone).scalar_subquery().label("opt_out_source")
    columns = (opt_out_source, Shipment.status, Shipment.notify, Shipment.recipient_phone, Shipment.sent_kinds,
               Shipment.texts_paused)
    newer = ordering.newer_timing_message(shipment, bindparam("created", type_=Message.__table__.c.created_at.type))
    return _Checks(opt_out=select(opt_out_source), parcel=select(*columns).where(Shipment.id == shipment),
                   parcel_or_newer=select(*columns, exists(newer).label("superseded")).where(Shipment.id == shipment))


def no_longer_wanted(message: Message) -> str | None:
    """Say why a queued message must not go any more, or None when it still should (one small query)."""
    checks, values = _checks(), {"phone": message.to_number, "shipment": message.shipment_id}
    if message.shipment_id is None:
        return blocks(db.session.execute(checks.opt_out, values).scalar(), message.kind)
    newer = message.kind in ordering.SUPERSEDABLE
    statement = checks.parcel_or_newer if newer else checks.parcel
    row = db.session.execute(statement, {**values, "created": message.created_at} if newer else values).one_or_none()
    if row is None:
        return None
    reason = blocks(row.opt_out_source, message.kind)
    if reason:
        return reason
    if message.to_number != row.recipient_phone:
        return "The shop changed the recipient's number since this message was queued."
    if row.texts_paused and message.kind not in STAFF_KINDS:
        return "Texts for this parcel are paused by the shop's service desk."
    if newer and row.superseded:
        return ordering.SUPERSEDED
    if not still_wanted(message.kind, row.status, row.notify, frozenset(row.sent_kinds or ())):
        return f"No longer true or wanted (the shipment is {row.status}, notify={row.notify})."
    return None


def record_result(message: Message, result: SendResult, now: datetime) -> str:
    """Store what the provider said about one send and act on it; return the outcome."""
    if result.outcome == ACCEPTED:
        from app.messaging.delivery_status import apply_early_status

        outcome = _finish(message, result.status or "accepted", now, sid=result.provider_sid, sent=True)
        apply_early_status(message, now)
        return outcome
    if result.outcome == FAILED:
        if result.error_code in STOP_TEXTING_CODES:
            opt_out(message.to_number, STOP_TEXTING_CODES[result.error_code], now)
        return _finish(message, "failed", now, error_code=result.error_code, error_message=result.error_message)
    if result.outcome == UNKNOWN:
        log.warning("send of message %s unclear (error %s): reconcile before resending",
                    message.id, result.error_code)
        return _finish(message, "unknown", now, error_code=result.error_code, error_message=result.error_message)
    if message.attempts >= MAX_ATTEMPTS:
        return _finish(message, "failed", now, error_code=result.error_code,
                       error_message=f"Gave up after {message.attempts} attempts: {result.error_message}")
    # RETRY: never processed by the provider, so sending again cannot double it.
    delay = timedelta(seconds=min(2 ** message.attempts, 60))
    message.send_after = now + delay  # no claim, by this job or another, may take it before then
    _finish(message, "pending", now, error_code=result.error_code, error_message=result.error_message)
    from workers.sending import retry_later

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
    if db.engine.dialect.name == "postgresql":
        # The provider's answer need not wait for the disk: should PostgreSQL crash before writing it, the row
        # is back in `dispatching` (its claim was written), and recovery looks it up at the provider before any
        # resend. The next claim's commit writes it anyway.
        db.session.execute(text("SET LOCAL synchronous_commit = off"))
    db.session.commit()
    metrics.message_outcome(status, error_code)
    return status
