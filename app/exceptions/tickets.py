"""Tickets as the shop sees them: its API list, the ticket.opened webhook, and the recipient's problem reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.console.tickets import open_ticket_once
from app.exceptions.schemas import TicketOut
from app.extensions import db
from app.models import Shipment, Shop, ShopWebhook, Ticket
from app.shops.webhooks import queue_webhook

MAX_REPORT = 1000  # characters of the recipient's words kept per ticket
REPORTED = "The recipient reported a problem on the tracking page (their words: GET /api/v1/shop/tickets)."


def ticket_document(ticket: Ticket, shipment: Shipment, now: datetime) -> dict:
    """Return a ticket as the shop API and the ticket.opened webhook show it (JSON-ready)."""
    overdue = ticket.status == "open" and ticket.due_at is not None and ticket.due_at < now
    return TicketOut().dump({
        "id": ticket.id, "shipment_id": shipment.id, "order_ref": shipment.order_ref,
        "tracking_number": shipment.tracking_number, "kind": ticket.kind, "status": ticket.status,
        "urgent": ticket.urgent, "due_at": ticket.due_at, "overdue": overdue, "summary": ticket.summary,
        "opened_by": ticket.opened_by, "created_at": ticket.created_at, "closed_at": ticket.closed_at})


def announce_ticket(shop: Shop, ticket: Ticket, shipment: Shipment, now: datetime) -> ShopWebhook | None:
    """Store the signed ticket.opened webhook for the shop's helpdesk. Does not commit.

    A recipient's own words stay out of it: webhooks are kept, the words only for the retention
    period (the shop reads them through GET /api/v1/shop/tickets or the console).
    """
    document = ticket_document(ticket, shipment, now)
    if ticket.opened_by == "recipient":
        document["summary"] = REPORTED
    return queue_webhook(shop, "ticket.opened", {"ticket": document}, now)


def shop_tickets(shop_id: str, status: str = "all", kind: str | None = None,
                 limit: int = 50) -> list[tuple[Ticket, Shipment]]:
    """Return the shop's tickets with their parcels: open urgent ones first, then newest first."""
    query = (select(Ticket, Shipment).join(Shipment, Shipment.id == Ticket.shipment_id)
             .where(Ticket.shop_id == shop_id))
    if status != "all":
        query = query.where(Ticket.status == status)
    if kind:
        query = query.where(Ticket.kind == kind)
    query = query.order_by((Ticket.status == "open").desc(), Ticket.urgent.desc(), Ticket.created_at.desc())
    return [tuple(row) for row in db.session.execute(query.limit(limit)).all()]


def report_problem(shipment: Shipment, words: str, now: datetime) -> Ticket:
    """Open (or add to) the parcel's problem_report ticket with the recipient's words; commit; tell the shop."""
    words = " ".join(words.split())[:MAX_REPORT]
    ticket, opened = open_ticket_once(shipment.shop_id, shipment.id, "problem_report", words, now,
                                      urgent=shipment.vip, opened_by="recipient")
    webhook = None
    if opened:
        webhook = announce_ticket(shipment.shop, ticket, shipment, now)
    elif words not in ticket.summary:  # a second report adds to the open ticket instead of a new one
        ticket.summary = f"{ticket.summary}\n---\n{words}"[-4 * MAX_REPORT:]
        ticket.updated_at = now
    db.session.commit()
    if webhook is not None:
        from workers.shop_webhooks import enqueue_webhooks

        enqueue_webhooks([webhook.id])
    return ticket
