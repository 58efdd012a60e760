"""Tickets: open one per (parcel, kind) while it is open, close it; shared by the console and the exception ladder.

None of these functions commits: the caller decides the transaction (a sweep commits once per batch).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Shipment, Ticket
from app.models.ticket import TICKET_KINDS


def open_ticket(shop_id: str, shipment_id: str, kind: str, summary: str, now: datetime, urgent: bool = False,
                due_at: datetime | None = None, opened_by: str = "system") -> Ticket:
    """Return the open ticket of this kind for the parcel, opening it if there is none."""
    return open_ticket_once(shop_id, shipment_id, kind, summary, now, urgent, due_at, opened_by)[0]


def open_ticket_once(shop_id: str, shipment_id: str, kind: str, summary: str, now: datetime, urgent: bool = False,
                     due_at: datetime | None = None, opened_by: str = "system") -> tuple[Ticket, bool]:
    """Like open_ticket, and say whether this call opened it (so a webhook or a text goes out once)."""
    if kind not in TICKET_KINDS:
        raise ValueError(f"unknown ticket kind {kind!r}")
    existing = open_ticket_of(shipment_id, kind)
    if existing is not None:
        return existing, False
    ticket = Ticket(shop_id=shop_id, shipment_id=shipment_id, kind=kind, summary=summary, urgent=urgent,
                    due_at=due_at, opened_by=opened_by, status="open", created_at=now, updated_at=now)
    try:
        # A savepoint: losing the race to another process must not undo the caller's other work.
        with db.session.begin_nested():
            db.session.add(ticket)
    except IntegrityError:
        existing = open_ticket_of(shipment_id, kind)
        if existing is None:
            raise
        return existing, False
    return ticket, True


def open_ticket_of(shipment_id: str, kind: str) -> Ticket | None:
    """Return the parcel's open ticket of this kind, if any."""
    query = select(Ticket).where(Ticket.shipment_id == shipment_id, Ticket.kind == kind, Ticket.status == "open")
    return db.session.execute(query).scalar_one_or_none()


def close_ticket(ticket: Ticket, now: datetime, closed_by: str = "system") -> Ticket:
    """Close a ticket (closing a closed one changes nothing)."""
    if ticket.status != "closed":
        ticket.status, ticket.closed_at, ticket.closed_by, ticket.updated_at = "closed", now, closed_by, now
        db.session.flush()
    return ticket


def close_open_tickets(shipment_id: str, kind: str, now: datetime, closed_by: str = "system") -> int:
    """Close the parcel's open ticket of this kind (e.g. the silence ended); return how many were closed."""
    ticket = open_ticket_of(shipment_id, kind)
    if ticket is None:
        return 0
    close_ticket(ticket, now, closed_by)
    return 1


def shop_ticket(shop_id: str, ticket_id: str) -> Ticket | None:
    """Return one of the shop's tickets, or None for an unknown id or another shop's."""
    return db.session.execute(select(Ticket).where(Ticket.id == ticket_id, Ticket.shop_id == shop_id)).scalar()


def parcel_tickets(shipment_id: str) -> list[Ticket]:
    """Return a parcel's tickets, open ones first, newest first."""
    query = select(Ticket).where(Ticket.shipment_id == shipment_id)
    rows = db.session.execute(query.order_by(Ticket.created_at.desc())).scalars().all()
    return sorted(rows, key=lambda t: t.status != "open")


def open_shop_tickets(shop_id: str, limit: int = 100) -> list[tuple[Ticket, Shipment]]:
    """Return the shop's open tickets with their parcels: urgent first, then the oldest due or opened first."""
    query = (select(Ticket, Shipment).join(Shipment, Shipment.id == Ticket.shipment_id)
             .where(Ticket.shop_id == shop_id, Ticket.status == "open")
             .order_by(Ticket.urgent.desc(), Ticket.due_at.asc().nulls_last(), Ticket.created_at.asc()).limit(limit))
    return [tuple(row) for row in db.session.execute(query).all()]
