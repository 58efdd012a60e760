"""Delivery status callbacks: a text's status only ever moves forward."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Message
from app.models.message import STATUS_RANK
from app.sms.provider import UNSUBSCRIBED_RECIPIENT
from workers.sending import opt_out

# Twilio error codes after which the number should get nothing more.
STOP_TEXTING_CODES = {UNSUBSCRIBED_RECIPIENT: "provider_error", 21614: "unusable_number", 30006: "unusable_number"}


def record_status(sid: str, status: str, error_code: int | None, now: datetime) -> bool:
    """Apply a status callback; ignore repeats, unknown sids and moves backwards. Return whether it changed."""
    message = db.session.execute(select(Message).where(Message.provider_sid == sid)).scalar()
    if message is None or status not in STATUS_RANK:
        return False
    if STATUS_RANK[status] <= STATUS_RANK.get(message.status, 0):
        return False
    message.status, message.updated_at = status, now
    if error_code:
        message.error_code = error_code
        if error_code in STOP_TEXTING_CODES:
            opt_out(message.to_number, STOP_TEXTING_CODES[error_code], now)
    db.session.commit()
    return True
