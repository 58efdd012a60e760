"""Retention: message bodies and numbers are not kept forever (parcelLab keeps texts 60 days, customers 90)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Message, Shipment
from app.phones import mask
from workers.sweeper import register

MESSAGE_RETENTION = timedelta(days=60)
RECIPIENT_RETENTION = timedelta(days=90)
REMOVED = "[removed after the retention period]"
BATCH = 1000


@register
def purge_personal_data(now: datetime) -> int:
    """Blank old message bodies and numbers, and old recipients of finished shipments."""
    messages = db.session.execute(select(Message).where(
        Message.created_at < now - MESSAGE_RETENTION, Message.body != REMOVED).limit(BATCH)).scalars().all()
    for message in messages:
        message.body, message.to_number = REMOVED, mask(message.to_number)
        message.from_number = mask(message.from_number) if message.from_number else None
    shipments = db.session.execute(select(Shipment).where(
        Shipment.updated_at < now - RECIPIENT_RETENTION, Shipment.recipient_name.is_not(None),
        Shipment.status.in_(("delivered", "returned", "cancelled"))).limit(BATCH)).scalars().all()
    for shipment in shipments:
        shipment.recipient_name = shipment.recipient_city = None
        shipment.recipient_phone = mask(shipment.recipient_phone)
    db.session.commit()
    return len(messages) + len(shipments)
