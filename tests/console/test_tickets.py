"""Tickets: one open ticket per (parcel, kind), whoever asks and however often."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from app.console.tickets import close_open_tickets, close_ticket, open_shop_tickets, open_ticket, open_ticket_once
from app.models import Shipment, Ticket
from bijna_testing import test_now


def _shipment(db, make_shipment) -> Shipment:
    return db.session.get(Shipment, make_shipment()["id"])


def test_a_silence_opens_one_ticket_however_often_it_is_asked(db, make_shipment):
    parcel, now = _shipment(db, make_shipment), test_now()
    first, opened = open_ticket_once(parcel.shop_id, parcel.id, "silence", "48 h quiet", now)
    again, opened_again = open_ticket_once(parcel.shop_id, parcel.id, "silence", "48 h quiet", now)
    db.session.commit()
    assert opened and not opened_again and again.id == first.id
    assert db.session.query(Ticket).count() == 1


def test_a_closed_ticket_lets_the_next_silence_open_a_new_one(db, make_shipment):
    parcel, now = _shipment(db, make_shipment), test_now()
    first = open_ticket(parcel.shop_id, parcel.id, "silence", "quiet", now)
    assert close_open_tickets(parcel.id, "silence", now + timedelta(hours=1)) == 1
    second = open_ticket(parcel.shop_id, parcel.id, "silence", "quiet again", now + timedelta(days=3))
    db.session.commit()
    assert second.id != first.id and first.status == "closed" and first.closed_by == "system"


def test_the_database_refuses_a_second_open_ticket_of_one_kind(db, make_shipment):
    """Two processes that both saw no ticket: the loser gets the winner's ticket, its other work intact."""
    parcel, now = _shipment(db, make_shipment), test_now()
    winner = Ticket(shop_id=parcel.shop_id, shipment_id=parcel.id, kind="silence", summary="", status="open",
                    opened_by="system", created_at=now, updated_at=now)
    db.session.add(winner)
    db.session.flush()
    parcel.vip = True  # the caller's own change must survive the lost race
    duplicate = Ticket(shop_id=parcel.shop_id, shipment_id=parcel.id, kind="silence", summary="", status="open",
                       opened_by="system", created_at=now, updated_at=now)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(duplicate)
    db.session.commit()
    assert open_ticket(parcel.shop_id, parcel.id, "silence", "x", now).id == winner.id
    assert db.session.get(Shipment, parcel.id).vip


def test_urgent_and_due_tickets_come_first(db, make_shipment):
    now = test_now()
    calm = _shipment(db, make_shipment)
    vip = db.session.get(Shipment, make_shipment(order_ref="2", tracking_number="3SBIJ2")["id"])
    open_ticket(calm.shop_id, calm.id, "manual", "calm", now)
    open_ticket(vip.shop_id, vip.id, "silence", "call", now, urgent=True, due_at=now + timedelta(hours=24))
    db.session.commit()
    assert [t.summary for t, _ in open_shop_tickets(calm.shop_id)] == ["call", "calm"]
    ticket = open_shop_tickets(calm.shop_id)[0][0]
    close_ticket(ticket, now, closed_by="staff1")
    assert [t.summary for t, _ in open_shop_tickets(calm.shop_id)] == ["calm"]
