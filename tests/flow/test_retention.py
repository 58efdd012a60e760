"""Personal data does not outlive the retention period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.models import Message, Shipment
from app.outbox import Text, queue_texts
from workers.retention import REMOVED
from workers.sweeper import sweep


def test_old_bodies_numbers_and_recipients_are_removed(db, shop, make_shipment):
    shipment = make_shipment()
    row = db.session.get(Shipment, shipment["id"])
    row.status = "delivered"
    db.session.commit()
    old = datetime.now(UTC) - timedelta(days=61)
    [old_id] = queue_texts([Text(to="+31612345678", kind="delivered", body="Bezorgd!", shop_id=shop.id)], old)
    [new_id] = queue_texts([Text(to="+31612345678", kind="delivered", body="Bezorgd!", shop_id=shop.id)],
                           datetime.now(UTC))
    sweep(datetime.now(UTC))
    old = db.session.get(Message, old_id)
    assert (old.body, old.to_number) == (REMOVED, "+316******78")
    assert db.session.get(Message, new_id).body == "Bezorgd!"
    assert db.session.get(Shipment, shipment["id"]).recipient_name == "Anna de Vries"  # not 90 days yet
    sweep(datetime.now(UTC) + timedelta(days=91))
    db.session.expire_all()
    purged = db.session.get(Shipment, shipment["id"])
    assert (purged.recipient_name, purged.recipient_city, purged.recipient_phone) == (None, None, "+316******78")
