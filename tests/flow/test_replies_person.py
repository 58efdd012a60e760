"""A person when in doubt, and French end to end: through the signed webhook, the worker and /dev/phone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.models import Conversation, Message, RebookingCommand
from bijna_testing import test_now
from replies_testing import PHONE, kinds_to, last_text, reply, route_push

pytest_plugins = ("replies_fixtures",)  # the carrier simulator and clock fixtures


def _inbound(db) -> list[Message]:
    return list(db.session.execute(select(Message).where(Message.direction == "in")
                                   .order_by(Message.created_at, Message.id)).scalars())


def test_two_choices_side_by_side_go_to_a_person_and_the_recipient_is_told(app, client, db, make_shipment,
                                                                           carrier_headers, sim, t0, clock, run_jobs):
    make_shipment()
    route_push(client, carrier_headers, t0, [("3SBIJ0001", 10)])
    clock.now = t0 + timedelta(minutes=1)
    reply(client, app, "buren of afhaalpunt, maakt niet uit")
    run_jobs()

    assert kinds_to(db) == ["arriving_soon", "handed_to_person"]
    assert "doorgegeven aan Bloemenshop" in last_text(db).body
    (row,) = _inbound(db)
    assert row.understood_as == "needs_person" and row.confidence < 0.6
    assert row.shipment_id is not None  # the console shows it with the parcel's story
    assert db.session.execute(select(RebookingCommand)).first() is None  # nothing guessed


def test_a_question_that_mentions_an_option_is_not_a_choice(app, client, db, make_shipment, carrier_headers, sim,
                                                            t0, clock, run_jobs):
    make_shipment()
    route_push(client, carrier_headers, t0, [("3SBIJ0001", 10)])
    clock.now = t0 + timedelta(minutes=1)
    reply(client, app, "kan het bij de buren, of moet er getekend worden?")
    run_jobs()
    assert kinds_to(db)[-1] == "handed_to_person"
    assert _inbound(db)[-1].understood_as == "needs_person"
    assert db.session.execute(select(RebookingCommand)).first() is None


def test_every_reply_records_how_it_was_read_and_how_sure(app, client, db, make_shipment, carrier_headers, sim, t0,
                                                          clock, run_jobs):
    make_shipment()
    route_push(client, carrier_headers, t0, [("3SBIJ0001", 10)])
    clock.now = t0 + timedelta(minutes=1)
    reply(client, app, "buren… nee, toch maar het afhaalpunt")  # a change of mind: the last choice counts
    run_jobs()
    row = _inbound(db)[-1]
    assert row.understood_as == "pickup_point" and 0.6 <= row.confidence < 1.0
    assert db.session.execute(select(RebookingCommand.action)).scalar() == "pickup_point"


def test_an_unclear_reply_with_no_option_in_it_is_still_clarified_not_handed_over(app, client, db, make_shipment,
                                                                                  carrier_headers, sim, t0, clock,
                                                                                  run_jobs):
    make_shipment()
    route_push(client, carrier_headers, t0, [("3SBIJ0001", 10)])
    clock.now = t0 + timedelta(minutes=1)
    reply(client, app, "weet ik niet")
    run_jobs()
    assert kinds_to(db) == ["arriving_soon", "clarify"]
    assert _inbound(db)[-1].understood_as == "unknown"


def test_a_french_recipient_is_texted_in_french_and_understood(app, client, db, make_shipment, carrier_headers, sim,
                                                               t0, clock, run_jobs):
    make_shipment(recipient={"phone": "+32470123456", "name": "Chloé Dubois", "language": "fr"})
    route_push(client, carrier_headers, t0, [("3SBIJ0001", 10)])
    assert "Répondez 1 = voisin, 2 = autre moment, 3 = point relais" in last_text(db, "+32470123456").body
    clock.now = t0 + timedelta(minutes=1)
    reply(client, app, "je suis pas là, chez le voisn svp", phone="+32470123456")
    run_jobs()
    row = _inbound(db)[-1]
    assert row.understood_as == "neighbour" and row.confidence < 1.0  # "voisn": a typo, read and marked
    assert db.session.execute(select(RebookingCommand.action)).scalar() == "neighbour"


def test_the_hand_off_shows_on_the_phone_simulator(app, client, db, clock, shop, make_shipment, carrier_headers,
                                                   run_jobs):
    shop.quiet_start = shop.quiet_end = "00:00"  # no quiet hours: the texts go out at once, at any hour
    db.session.commit()
    clock.now = now = test_now().replace(microsecond=0)
    make_shipment(recipient={"phone": "06 12345678", "name": "Anna de Vries", "language": "en"})
    route_push(client, carrier_headers, now, [("3SBIJ0001", 10)])
    run_jobs()
    answer = client.post("/dev/phone/reply", data={"number": PHONE, "body": "neighbours or pickup point, whichever"})
    assert "webhook=200" in answer.headers["Location"]
    run_jobs()
    page = client.get("/dev/phone").get_data(as_text=True)
    assert "passed it on to Bloemenshop" in page
    assert _inbound(db)[-1].understood_as == "needs_person"


AMSTERDAM = ZoneInfo("Europe/Amsterdam")  # the shop's time zone, and the simulator's
DUTCH_DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def _offer(app, client, db, carrier_headers, sim, t0, clock, run_jobs) -> list[dict]:
    sim.add_parcel("3SBIJ0001", "R1", stop_sequence=1)
    route_push(client, carrier_headers, t0, [("3SBIJ0001", 10)])
    clock.now = t0 + timedelta(minutes=1)
    reply(client, app, "2")
    run_jobs()
    assert last_text(db).kind == "slot_offer"
    return db.session.get(Conversation, PHONE).options


def test_after_a_slot_offer_a_slots_hours_name_its_letter(app, client, db, make_shipment, carrier_headers, sim, t0,
                                                          clock, run_jobs):
    make_shipment()
    options = _offer(app, client, db, carrier_headers, sim, t0, clock, run_jobs)
    start, end = (datetime.fromisoformat(options[2][key]).astimezone(AMSTERDAM) for key in ("starts_at", "ends_at"))
    clock.now = t0 + timedelta(minutes=2)
    reply(client, app, f"{start.hour}-{end.hour} graag")
    run_jobs()
    command = db.session.execute(select(RebookingCommand)).scalar_one()
    assert command.params["starts_at"] == options[2]["starts_at"]
    assert _inbound(db)[-1].understood_as == "slot_choice:C"


def test_after_a_slot_offer_a_day_with_two_offered_slots_goes_to_a_person(app, client, db, make_shipment,
                                                                          carrier_headers, sim, t0, clock, run_jobs):
    make_shipment()
    options = _offer(app, client, db, carrier_headers, sim, t0, clock, run_jobs)
    days = [datetime.fromisoformat(option["starts_at"]).astimezone(AMSTERDAM).date() for option in options]
    twice = next(day for day in days if days.count(day) == 2 and (day - t0.astimezone(AMSTERDAM).date()).days > 1)
    clock.now = t0 + timedelta(minutes=2)
    reply(client, app, DUTCH_DAYS[twice.weekday()])
    run_jobs()
    assert kinds_to(db)[-1] == "handed_to_person"
    assert db.session.execute(select(RebookingCommand)).first() is None


def test_a_reply_handed_to_a_person_is_answered_from_the_console_and_reaches_the_phone(
        app, client, db, clock, shop, make_shipment, carrier_headers, run_jobs):
    import re

    from app.console.accounts import create_staff_user
    from bijna_testing import test_now

    shop.quiet_start = shop.quiet_end = "00:00"
    db.session.commit()
    clock.now = now = test_now().replace(microsecond=0)
    shipment = make_shipment(recipient={"phone": "06 12345678", "name": "Anna de Vries", "language": "en"})
    route_push(client, carrier_headers, now, [("3SBIJ0001", 10)])
    run_jobs()
    client.post("/dev/phone/reply", data={"number": PHONE, "body": "neighbours or pickup point, whichever"})
    run_jobs()
    assert _inbound(db)[-1].understood_as == "needs_person"

    agent = create_staff_user(shop.id, "desk@bloemenshop.test", "correct horse battery", "agent", now)

    def csrf(path: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)

    login = client.post("/console/login", data={"email": agent.email, "password": "correct horse battery",
                                                "csrf_token": csrf("/console/login")})
    assert login.status_code == 302
    assert "neighbours or pickup point, whichever" in client.get("/console").get_data(as_text=True)
    parcel = f"/console/parcels/{shipment['id']}"
    answer = "Hi Anna, we'll leave it with your neighbours at number 14."
    client.post(f"{parcel}/answer", data={"answer": answer, "csrf_token": csrf(parcel)})
    run_jobs()
    assert answer.replace("'", "&#39;") in client.get("/dev/phone").get_data(as_text=True)
    assert "neighbours or pickup point, whichever" not in client.get("/console").get_data(as_text=True)
