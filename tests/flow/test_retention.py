"""Personal data does not outlive the retention period."""

from __future__ import annotations

from datetime import timedelta

from app.messaging.outbox import MessageDraft, queue_texts
from app.models import Message, Shipment
from app.retention import REMOVED
from bijna_testing import test_now
from workers.sweeper import sweep


def test_old_bodies_numbers_and_recipients_are_removed(db, shop, make_shipment):
    shipment = make_shipment()
    row = db.session.get(Shipment, shipment["id"])
    row.status = "delivered"
    db.session.commit()
    old = test_now() - timedelta(days=61)
    [old_id] = queue_texts([MessageDraft(to="+31612345678", kind="delivered", body="Bezorgd!", shop_id=shop.id)], old)
    [new_id] = queue_texts([MessageDraft(to="+31612345678", kind="delivered", body="Bezorgd!", shop_id=shop.id)],
                           test_now())
    sweep(test_now())
    old = db.session.get(Message, old_id)
    assert (old.body, old.to_number) == (REMOVED, "+316******78")
    assert db.session.get(Message, new_id).body == "Bezorgd!"
    assert db.session.get(Shipment, shipment["id"]).recipient_name == "Anna de Vries"  # not 90 days yet
    sweep(test_now() + timedelta(days=91))
    db.session.expire_all()
    purged = db.session.get(Shipment, shipment["id"])
    assert (purged.recipient_name, purged.recipient_city, purged.recipient_phone) == (None, None, "+316******78")


def test_notes_comments_locations_and_conversations_go_too(db, shop, make_shipment):
    from app.models import Conversation, Feedback, RebookingCommand, StatusEvent

    shipment = make_shipment()
    long_ago = test_now() - timedelta(days=91)
    db.session.add_all([
        Conversation(phone="+31612345678", shipment_id=shipment["id"], question="slot_offer", updated_at=long_ago),
        Feedback(shipment_id=shipment["id"], rating=4, comment="Bezorger was erg aardig", source="page",
                 created_at=long_ago, updated_at=long_ago),
        StatusEvent(shipment_id=shipment["id"], raw_code="DELIVERED", status="delivered", occurred_at=long_ago,
                    location="Oudegracht 12, Utrecht", received_at=long_ago),
        RebookingCommand(shipment_id=shipment["id"], action="neighbour", params={"note": "nr 12"},
                         created_at=long_ago, updated_at=long_ago)])
    db.session.commit()
    sweep(test_now())
    db.session.expire_all()
    assert db.session.get(Conversation, "+31612345678") is None
    feedback = db.session.get(Feedback, shipment["id"])
    assert (feedback.rating, feedback.comment) == (4, None)  # the score stays, the words go
    assert db.session.execute(db.select(StatusEvent.location)).scalar_one() is None
    assert db.session.execute(db.select(RebookingCommand)).scalar_one().params == {"note": None}
