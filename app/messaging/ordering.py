"""Messages to one number arrive in the order they were decided; a superseded one is dropped.

Two workers must not let a newer message to a number overtake an older one, so a message is only
claimable while no older message to the same number is still waiting or in flight. "Older" is
(created_at, id): the order decisions were stored in. A message held for quiet hours does not block
(it waits for the morning; a message about a van at the door must not wait behind it), but one in
backoff after a failed attempt does.

A waiting message that a newer one about the same shipment makes stale is dropped, not sent: an
older window or delay once a newer window, delay or arriving-soon exists.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased

from app.models import Message

IN_FLIGHT = ("dispatching", "unknown")  # handed (or maybe handed) to the provider, outcome not recorded
TIMING_KINDS = ("out_for_delivery", "delay", "held_up", "arriving_soon")  # each tells when the van comes
SUPERSEDABLE = ("out_for_delivery", "delay", "held_up")  # stale once a newer timing message exists
SUPERSEDED = "Superseded by a newer message about the same delivery; not sent."


def due(now: datetime):
    """The conditions for an outbound message that may be sent now."""
    return (Message.status == "pending", Message.direction == "out",
            or_(Message.send_after.is_(None), Message.send_after <= now))


def first_in_line(now: datetime):
    """The condition that no older message to the same number waits or is in flight."""
    older = aliased(Message)
    waiting = or_(older.status.in_(IN_FLIGHT),
                  and_(older.status == "pending",
                       or_(older.attempts > 0, older.send_after.is_(None), older.send_after <= now)))
    return ~exists().where(
        older.to_number == Message.to_number, older.direction == "out", waiting,
        or_(older.created_at < Message.created_at,
            and_(older.created_at == Message.created_at, older.id < Message.id)))


def newer_timing_message(shipment_id, created_at):
    """A SELECT of the newer messages about the shipment that make a message created at `created_at` stale
    (values or bound parameters)."""
    newer = aliased(Message)
    return (select(newer.id).where(newer.shipment_id == shipment_id, newer.direction == "out",
                                   newer.kind.in_(TIMING_KINDS), newer.created_at > created_at))
