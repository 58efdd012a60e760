"""The shop's open problems: open tickets, texts that failed, replies that need a person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from app.console.tickets import open_shop_tickets
from app.extensions import db
from app.models import Message, Shipment, Ticket

RECENT = timedelta(days=14)  # failures older than this are history, not a problem to act on
LIMIT = 100


@dataclass
class Problems:
    tickets: list[tuple[Ticket, Shipment]]
    failed: list[tuple[Message, Shipment]]
    needs_person: list[tuple[Message, Shipment]]

    @property
    def count(self) -> int:
        return len(self.tickets) + len(self.failed) + len(self.needs_person)


def open_problems(shop_id: str, now: datetime) -> Problems:
    """List what the shop's desk should act on, most urgent first."""
    answer = aliased(Message)
    # Answered once a person at the shop texted the recipient about this parcel after the reply came.
    answered = exists().where(answer.shipment_id == Message.shipment_id, answer.kind == "agent_reply",
                              answer.created_at >= Message.created_at)
    needs_person = (select(Message, Shipment).join(Shipment, Shipment.id == Message.shipment_id)
                    .where(Message.shop_id == shop_id, Message.direction == "in",
                           Message.understood_as == "needs_person", ~answered)
                    .order_by(Message.created_at).limit(LIMIT))
    failed = (select(Message, Shipment).join(Shipment, Shipment.id == Message.shipment_id)
              .where(Message.shop_id == shop_id, Message.status.in_(("failed", "undelivered")),
                     Message.created_at >= now - RECENT)
              .order_by(Message.created_at.desc()).limit(LIMIT))
    return Problems(
        tickets=open_shop_tickets(shop_id, LIMIT),
        failed=[tuple(row) for row in db.session.execute(failed).all()],
        needs_person=[tuple(row) for row in db.session.execute(needs_person).all()],
    )
