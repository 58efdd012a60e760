"""Conversation paths through the real webhook and worker: clarify, caps, STOP/START/HELP, several parcels."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import Conversation, Message, OptOut, RebookingCommand, Shipment
from replies_testing import (
    PHONE,
    delivered_event,
    kinds_to,
    last_text,
    reply,
    route_push,
    shop_webhooks,
    texts_to,
)

STRANGER = "+31687654321"

pytest_plugins = ("replies_fixtures",)  # the carrier simulator and clock fixtures


def _step(clock, minutes: int = 1) -> None:
    clock.now = clock.now + timedelta(minutes=minutes)


def test_an_unclear_reply_gets_one_clarifying_text_repeating_the_options(app, client, db, make_shipment,
                                                                         carrier_headers, sim, t0, clock, run_jobs):
    make_shipment()
    route_push(client, carrier_headers, t0, [("3SBIJ0001", 10)])
    for body in ("kan de bezorger bellen?", "hallo??", "weet ik niet"):
        _step(clock)
        reply(client, app, body)
        run_jobs()

    assert kinds_to(db) == ["arriving_soon", "clarify"]
    assert "1 = buren, 2 = ander tijdstip, 3 = afhaalpunt" in last_text(db).body
    _step(clock)
    reply(client, app, "1")  # understood after all
    run_jobs()
    assert kinds_to(db)[-1] == "rebook_confirmed_neighbour"


def test_an_auto_responder_gets_at_most_three_automatic_answers_a_day(app, client, db, make_shipment, t0, clock,
                                                                      run_jobs):
    make_shipment()
    for _ in range(6):
        _step(clock)
        reply(client, app, "help")
        run_jobs()
    assert kinds_to(db) == ["help"] * 3
    clock.now = t0 + timedelta(hours=25)
    reply(client, app, "help")
    run_jobs()
    assert kinds_to(db) == ["help"] * 4


def test_help_says_who_texts_and_how_to_stop(app, client, db, make_shipment, t0, run_jobs):
    make_shipment()
    reply(client, app, "wat is dit?")
    run_jobs()
    help_text = last_text(db)
    assert help_text.kind == "help" and "Bloemenshop" in help_text.body and "STOP" in help_text.body


def test_stop_in_any_words_opts_out_at_once_and_start_opts_back_in(app, client, db, make_shipment,
                                                                   carrier_headers, sim, t0, clock, run_jobs):
    make_shipment()
    reply(client, app, "STOPPEN graag, geen sms meer")
    run_jobs()
    assert db.session.get(OptOut, PHONE).source == "reply"
    assert kinds_to(db) == ["stopped"]
    assert texts_to(db)[0].status == "delivered"  # the confirmation itself still reaches them

    _step(clock)
    route_push(client, carrier_headers, clock.now, [("3SBIJ0001", 10)])
    run_jobs()
    assert kinds_to(db) == ["stopped"]  # no arriving-soon for an opted-out number

    _step(clock)
    reply(client, app, "1")  # an opted-out number's other replies change nothing
    run_jobs()
    assert db.session.execute(select(RebookingCommand)).first() is None

    _step(clock)
    reply(client, app, "start")
    run_jobs()
    assert db.session.get(OptOut, PHONE) is None
    assert kinds_to(db)[-1] == "started" and last_text(db).status == "delivered"


def test_help_from_an_opted_out_number_is_answered_and_changes_nothing_else(app, client, db, make_shipment,
                                                                          carrier_headers, sim, t0, clock,
                                                                          run_jobs):
    make_shipment()
    route_push(client, carrier_headers, t0, [("3SBIJ0001", 10)])
    _step(clock)
    reply(client, app, "stop")
    run_jobs()
    assert kinds_to(db) == ["arriving_soon", "stopped"]

    _step(clock)
    reply(client, app, "help")
    run_jobs()
    help_text = last_text(db)
    assert kinds_to(db) == ["arriving_soon", "stopped", "help"]
    assert help_text.status == "delivered" and "STOP" in help_text.body  # it reached the phone despite the opt-out
    assert db.session.get(OptOut, PHONE) is not None  # HELP is no START

    _step(clock)
    reply(client, app, "HELP", OptOutType="HELP")  # Twilio answered this one itself
    _step(clock)
    reply(client, app, "1")  # still an opted-out number's other reply: nothing
    run_jobs()
    assert kinds_to(db) == ["arriving_soon", "stopped", "help"]
    assert db.session.execute(select(RebookingCommand)).first() is None

    _step(clock)
    reply(client, app, "start")
    run_jobs()
    assert db.session.get(OptOut, PHONE) is None and kinds_to(db)[-1] == "started"


def test_an_unknown_number_gets_one_neutral_text_a_day_and_nothing_else(app, client, db, make_shipment, t0, clock,
                                                                        run_jobs):
    make_shipment()  # someone else's parcel
    for body in ("1", "B", "waar is mijn pakket"):
        _step(clock)
        reply(client, app, body, phone=STRANGER)
        run_jobs()
    [text] = texts_to(db, STRANGER)
    assert text.kind == "unknown_number" and text.shop_id is None and text.shipment_id is None
    assert "Bloemenshop" not in text.body and "1001" not in text.body
    assert db.session.execute(select(RebookingCommand)).first() is None
    clock.now = t0 + timedelta(hours=25)
    reply(client, app, "hallo?", phone=STRANGER)
    run_jobs()
    assert kinds_to(db, STRANGER) == ["unknown_number", "unknown_number"]


def test_several_live_parcels_ask_which_one_and_act_only_on_that_one(app, client, db, make_shipment,
                                                                     carrier_headers, sim, t0, clock, run_jobs):
    first = make_shipment(order_ref="1234", tracking_number="3SBIJ0001")
    _step(clock)  # the letters follow the order the parcels were created in
    second = make_shipment(order_ref="5678", tracking_number="3SBIJ0002")
    other = make_shipment(order_ref="9999", tracking_number="3SBIJ0003",
                          recipient={"phone": STRANGER, "name": "Piet"})
    for number in ("3SBIJ0001", "3SBIJ0002", "3SBIJ0003"):
        sim.add_parcel(number, "R1")
    route_push(client, carrier_headers, clock.now, [("3SBIJ0001", 10), ("3SBIJ0002", 12), ("3SBIJ0003", 14)])

    _step(clock)
    reply(client, app, "bij de buren aub, nr 12")
    run_jobs()
    question = last_text(db)
    assert question.kind == "disambiguation" and question.shipment_id is None
    assert "A = bestelling 1234" in question.body and "B = bestelling 5678" in question.body
    assert "9999" not in question.body  # another recipient's parcel is never named
    assert db.session.execute(select(RebookingCommand)).first() is None

    _step(clock)
    reply(client, app, "B")
    run_jobs()
    command = db.session.execute(select(RebookingCommand)).scalar_one()
    assert (command.shipment_id, command.params) == (second["id"], {"note": "nr 12"})
    instructions = {stop["tracking_number"]: stop["instruction"] for stop in sim.routes()["R1"]}
    assert instructions == {"3SBIJ0001": None, "3SBIJ0002": "deliver to neighbour: nr 12", "3SBIJ0003": None}
    assert db.session.get(Shipment, first["id"]).instruction is None
    assert db.session.get(Shipment, other["id"]).instruction is None
    assert last_text(db).kind == "rebook_confirmed_neighbour" and last_text(db).shipment_id == second["id"]

    _step(clock)
    reply(client, app, "A", phone=STRANGER)  # the stranger's "A" is not an answer to our question
    run_jobs()
    assert db.session.execute(select(RebookingCommand)).scalars().all() == [command]
    assert kinds_to(db, STRANGER) == ["arriving_soon", "clarify"]


def test_an_unclear_answer_to_which_parcel_repeats_the_letters(app, client, db, make_shipment, carrier_headers, sim,
                                                               t0, clock, run_jobs):
    make_shipment(order_ref="1234", tracking_number="3SBIJ0001")
    _step(clock)  # the letters follow the order the parcels were created in
    make_shipment(order_ref="5678", tracking_number="3SBIJ0002")
    route_push(client, carrier_headers, clock.now, [("3SBIJ0001", 10), ("3SBIJ0002", 12)])
    _step(clock)
    reply(client, app, "3")
    run_jobs()
    _step(clock)
    reply(client, app, "Z")
    run_jobs()
    assert kinds_to(db)[-2:] == ["disambiguation", "clarify"]
    assert "A 1234 (Bloemenshop), B 5678 (Bloemenshop)" in last_text(db).body


def test_an_expired_slot_offer_is_made_again_with_fresh_slots(app, client, db, make_shipment, carrier_headers, sim,
                                                              t0, clock, run_jobs):
    make_shipment()
    route_push(client, carrier_headers, t0, [("3SBIJ0001", 10)])
    _step(clock)
    reply(client, app, "ander tijdstip")
    run_jobs()
    assert kinds_to(db)[-1] == "slot_offer"

    clock.now = clock.now + timedelta(hours=2, minutes=1)
    reply(client, app, "B")
    run_jobs()
    assert kinds_to(db) == ["arriving_soon", "slot_offer", "slot_offer"]
    assert db.session.execute(select(RebookingCommand)).first() is None
    assert db.session.get(Conversation, PHONE).expires_at == clock.now + timedelta(hours=2)


def test_a_slot_taken_since_it_was_offered_is_offered_again(app, client, db, make_shipment, carrier_headers, sim,
                                                            t0, clock, run_jobs):
    make_shipment()
    route_push(client, carrier_headers, t0, [("3SBIJ0001", 10)])
    _step(clock)
    reply(client, app, "2")
    run_jobs()
    taken = db.session.get(Conversation, PHONE).options[1]
    sim.take_slot(taken["slot_id"])  # someone else booked it meanwhile

    _step(clock)
    reply(client, app, "B")
    run_jobs()

    command = db.session.execute(select(RebookingCommand)).scalar_one()
    assert command.status == "refused" and command.result["reason_code"] == "slot_taken"
    offer = last_text(db)
    assert offer.kind == "slot_offer" and f"B {taken['label']}" not in offer.body
    assert taken["slot_id"] not in {o["slot_id"] for o in db.session.get(Conversation, PHONE).options}
    assert [w["event"] for w in shop_webhooks(sim)] == ["rebooking.refused"]

    _step(clock)
    reply(client, app, "A")
    run_jobs()
    assert kinds_to(db)[-1] == "rebook_confirmed_slot"


def test_inbound_texts_are_shown_to_the_shop_with_what_they_meant(app, client, db, make_shipment, carrier_headers,
                                                                  shop_headers, sim, t0, clock, run_jobs):
    shipment = make_shipment()
    route_push(client, carrier_headers, t0, [("3SBIJ0001", 10)])
    _step(clock)
    reply(client, app, "buren graag")
    run_jobs()
    items = client.get(f"/api/v1/shipments/{shipment['id']}/messages", headers=shop_headers).get_json()["items"]
    assert [(m["direction"], m["kind"]) for m in items] == [
        ("out", "arriving_soon"), ("in", "reply_neighbour"), ("out", "rebook_confirmed_neighbour")]
    assert db.session.execute(select(Message).where(Message.direction == "in")).scalar_one().status == "processed"


def test_repeating_a_choice_that_was_already_carried_out_changes_nothing(app, client, db, make_shipment,
                                                                         carrier_headers, sim, t0, clock, run_jobs):
    make_shipment()
    route_push(client, carrier_headers, t0, [("3SBIJ0001", 10)])
    for _ in range(2):
        _step(clock)
        reply(client, app, "1")
        run_jobs()
    assert len(db.session.execute(select(RebookingCommand)).scalars().all()) == 1
    assert len(sim.commands(tracking_number="3SBIJ0001")) == 1
    assert kinds_to(db) == ["arriving_soon", "rebook_confirmed_neighbour"]


def test_a_reply_to_a_shops_own_number_only_concerns_that_shops_parcels(app, client, db, make_shipment, carrier,
                                                                        carrier_headers, sim, t0, clock, run_jobs):
    from app.cli import create_shop
    from app.shipments.service import create_shipment

    mine = make_shipment(order_ref="1234")
    other_shop, _ = create_shop("Boekhandel", sender="+3197010209999")
    create_shipment(other_shop, {"order_ref": "5678", "carrier": carrier.code, "tracking_number": "3SBIJ0002",
                                 "recipient": {"phone": PHONE}, "notify": True})
    route_push(client, carrier_headers, t0, [("3SBIJ0001", 10), ("3SBIJ0002", 40)])
    _step(clock)
    reply(client, app, "1")  # to the Bloemenshop's number: only its parcel can be meant
    run_jobs()
    command = db.session.execute(select(RebookingCommand)).scalar_one()
    assert command.shipment_id == mine["id"]
    assert "disambiguation" not in kinds_to(db)


def test_an_unclear_reply_about_a_parcel_that_has_ended_offers_no_choices(app, client, db, make_shipment,
                                                                          carrier_headers, sim, t0, clock, run_jobs):
    shipment = make_shipment()
    route_push(client, carrier_headers, t0, [("3SBIJ0001", 10)])
    run_jobs()  # the arriving-soon text went out before the parcel was returned
    db.session.get(Shipment, shipment["id"]).status = "returned"
    db.session.commit()
    _step(clock)
    reply(client, app, "hoezo?")
    _step(clock)
    reply(client, app, "1")
    run_jobs()
    assert kinds_to(db) == ["arriving_soon", "rebook_refused"]
    assert db.session.execute(select(RebookingCommand)).first() is None


def _leave_the_choice(how, client, app, db, carrier_headers, shop_headers, clock, run_jobs, other) -> None:
    """Take the other parcel out of the choice the way a real day does: delivered, rebooked or cancelled."""
    if how == "delivered":
        delivered_event(client, carrier_headers, "3SBIJ0002", clock.now)
    elif how == "cancelled":
        response = client.post(f"/api/v1/shipments/{other['id']}/cancel", headers=shop_headers)
        assert response.status_code == 200, response.get_json()
    elif how == "rebooked":
        reply(client, app, "bij de buren")  # both parcels are open still: Bijna asks which one
        run_jobs()
        assert kinds_to(db)[-1] == "disambiguation"
        letter = next(o["letter"] for o in db.session.get(Conversation, PHONE).options
                      if o["shipment_id"] == other["id"])
        _step(clock)
        reply(client, app, letter)
    run_jobs()


@pytest.mark.parametrize("how", ["delivered", "rebooked", "cancelled"])
def test_a_reply_after_arriving_soon_is_about_that_parcel_when_the_other_left_the_choice(
        how, app, client, db, make_shipment, carrier_headers, shop_headers, sim, t0, clock, run_jobs):
    mine = make_shipment(order_ref="1234", tracking_number="3SBIJ0001")
    other = make_shipment(order_ref="5678", tracking_number="3SBIJ0002")
    for number in ("3SBIJ0001", "3SBIJ0002"):
        sim.add_parcel(number, "R1")
    route_push(client, carrier_headers, t0, [("3SBIJ0002", 5), ("3SBIJ0001", 40)])  # the other one comes first
    run_jobs()
    _step(clock)
    _leave_the_choice(how, client, app, db, carrier_headers, shop_headers, clock, run_jobs, other)
    asked_before = kinds_to(db).count("disambiguation")

    _step(clock)
    route_push(client, carrier_headers, clock.now, [("3SBIJ0001", 10)])
    run_jobs()
    assert kinds_to(db)[-1] == "arriving_soon" and last_text(db).shipment_id == mine["id"]
    _step(clock)
    reply(client, app, "2")
    run_jobs()

    offer = last_text(db)
    assert (offer.kind, offer.shipment_id) == ("slot_offer", mine["id"])
    assert kinds_to(db).count("disambiguation") == asked_before  # no "which parcel?" this time


def test_two_open_parcels_texted_together_still_ask_which_one(app, client, db, make_shipment, carrier_headers, sim,
                                                              t0, clock, run_jobs):
    make_shipment(order_ref="1234", tracking_number="3SBIJ0001")
    make_shipment(order_ref="5678", tracking_number="3SBIJ0002")
    route_push(client, carrier_headers, t0, [("3SBIJ0001", 10), ("3SBIJ0002", 12)])
    _step(clock)
    reply(client, app, "2")
    run_jobs()
    assert kinds_to(db) == ["arriving_soon", "arriving_soon", "disambiguation"]


def test_a_parcel_cancelled_after_both_were_texted_leaves_the_other_to_act_on(app, client, db, make_shipment,
                                                                             carrier_headers, shop_headers, sim,
                                                                             t0, clock, run_jobs):
    mine = make_shipment(order_ref="1234", tracking_number="3SBIJ0001")
    other = make_shipment(order_ref="5678", tracking_number="3SBIJ0002")
    for number in ("3SBIJ0001", "3SBIJ0002"):
        sim.add_parcel(number, "R1")
    route_push(client, carrier_headers, t0, [("3SBIJ0002", 10), ("3SBIJ0001", 12)])  # two texts, one moment
    run_jobs()
    _step(clock)
    assert client.post(f"/api/v1/shipments/{other['id']}/cancel", headers=shop_headers).status_code == 200
    reply(client, app, "1")
    run_jobs()
    command = db.session.execute(select(RebookingCommand)).scalar_one()
    assert command.shipment_id == mine["id"] and command.action == "neighbour"
    assert "disambiguation" not in kinds_to(db) and "rebook_refused" not in kinds_to(db)
