"""Delivery status callbacks: a text's status only ever moves forward."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select

from app.extensions import db, redis_connection
from app.messaging.opt_outs import opt_out
from app.models import Message
from app.models.message import STATUS_RANK
from app.sms.provider import STOP_TEXTING_CODES

EARLY = "bijna:early-status:{}"
EARLY_TTL = 600  # a send is recorded within seconds of Twilio answering; keep a stray callback this long


def record_status(sid: str, status: str, error_code: int | None, now: datetime) -> bool:
    """Apply a status callback; ignore repeats, moves backwards and unknown statuses. Return whether it changed.

    A callback can overtake the recording of its own send (Twilio answers, calls back, and only then
    do we commit the sid): such a callback is kept briefly and applied when the send is recorded.
    """
    if not sid or status not in STATUS_RANK:
        return False
    message = db.session.execute(select(Message).where(Message.provider_sid == sid)).scalar()
    if message is None:
        redis_connection().set(EARLY.format(sid), json.dumps([status, error_code]), ex=EARLY_TTL)
        return False
    return _apply(message, status, error_code, now)


def apply_early_status(message: Message, now: datetime) -> None:
    """Apply a callback that arrived before this text's send was recorded, if there was one."""
    raw = redis_connection().getdel(EARLY.format(message.provider_sid))
    if raw:
        status, error_code = json.loads(raw)
        _apply(message, status, error_code, now)


def _apply(message: Message, status: str, error_code: int | None, now: datetime) -> bool:
    if STATUS_RANK[status] <= STATUS_RANK.get(message.status, 0):
        return False
    message.status, message.updated_at = status, now
    if error_code:
        message.error_code = error_code
        if error_code in STOP_TEXTING_CODES:
            opt_out(message.to_number, STOP_TEXTING_CODES[error_code], now)
    db.session.commit()
    return True
