"""Retention: message bodies and numbers are not kept forever (parcelLab keeps texts 60 days, customers 90)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update

from app.extensions import db
from app.models import Conversation, Feedback, Message, RebookingCommand, Shipment, StatusEvent
from app.phones import mask

MESSAGE_RETENTION = timedelta(days=60)
RECIPIENT_RETENTION = timedelta(days=90)
REMOVED = "[removed after the retention period]"
BATCH = 1000


def purge_personal_data(now: datetime) -> int:
    """Blank old message bodies and numbers, and the recipients of shipments untouched for the period."""
    messages = db.session.execute(select(Message).where(
        Message.created_at < now - MESSAGE_RETENTION, Message.body != REMOVED).limit(BATCH)).scalars().all()
    for message in messages:
        message.body, message.to_number = REMOVED, mask(message.to_number)
        message.from_number = mask(message.from_number) if message.from_number else None
    # Finished or not: a parcel nobody touched for the whole period is over for the recipient too
    # (a 400-day-old 'registered' parcel must not keep a name and a number).
    shipments = db.session.execute(select(Shipment).where(
        Shipment.updated_at < now - RECIPIENT_RETENTION,
        or_(Shipment.recipient_name.is_not(None), Shipment.recipient_city.is_not(None),
            ~Shipment.recipient_phone.contains("*"))).limit(BATCH)).scalars().all()
    for shipment in shipments:
        shipment.recipient_name = shipment.recipient_city = None
        shipment.recipient_phone = mask(shipment.recipient_phone)
        shipment.notify = False  # a masked number can no longer be texted
    db.session.commit()
    return len(messages) + len(shipments) + _purge_around_shipments(now - RECIPIENT_RETENTION)


def _purge_around_shipments(before: datetime) -> int:
    """What else names a person or a house: conversations, comments, neighbour notes, scan locations."""
    done = db.session.execute(delete(Conversation).where(Conversation.updated_at < before)).rowcount
    done += db.session.execute(update(Feedback).where(Feedback.updated_at < before, Feedback.comment.is_not(None))
                               .values(comment=None)).rowcount
    done += db.session.execute(update(StatusEvent).where(StatusEvent.received_at < before,
                                                         StatusEvent.location.is_not(None))
                               .values(location=None)).rowcount
    commands = db.session.execute(select(RebookingCommand).where(RebookingCommand.updated_at < before)
                                  .limit(BATCH)).scalars().all()
    for command in commands:
        if (command.params or {}).get("note"):
            command.params = {**command.params, "note": None}
            done += 1
    db.session.commit()
    return done
