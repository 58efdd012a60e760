"""Retention for what recipients wrote in problem reports: their words go when message bodies go.

The ticket.opened webhook never carried them (see tickets.announce_ticket), so the ticket is the only copy.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Ticket
from app.retention import BATCH, MESSAGE_RETENTION, REMOVED


def forget_problem_reports(now: datetime) -> int:
    """Blank the recipient's words in problem_report tickets older than the message retention period."""
    tickets = db.session.execute(select(Ticket).where(
        Ticket.kind == "problem_report", Ticket.created_at < now - MESSAGE_RETENTION, Ticket.summary != REMOVED)
        .limit(BATCH)).scalars().all()
    for ticket in tickets:
        ticket.summary = REMOVED
    db.session.commit()
    return len(tickets)
