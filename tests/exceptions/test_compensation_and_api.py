"""Compensation codes (the shop's pool, each code once, a warning when it runs low) and the ladder's shop API."""

from __future__ import annotations

import threading

from ladder_testing import HOUR, T0, event
from sqlalchemy import select

from app.exceptions.pool import issue_code, upload_codes
from app.exceptions.service import climb_exception_ladder
from app.models import CompensationCode, LadderStep, Message, Shipment, ShopWebhook, StatusEvent


def _codes_texted(db) -> list[str]:
    bodies = db.session.execute(select(Message.body).where(Message.kind == "compensation")).scalars()
    return sorted(word for body in bodies for word in body.split() if word.startswith("SORRY"))


def _pool_low(db) -> list[dict]:
    return [w.payload for w in db.session.execute(select(ShopWebhook).where(
        ShopWebhook.event == "compensation.pool_low")).scalars()]


def test_the_pool_running_out_warns_once_then_texts_nothing_until_it_is_refilled(
        db, client, clock, silent_parcel, shop_headers):
    assert client.patch("/api/v1/shop/exception-ladder", json={"pool_low_level": 1, "apology_on": False},
                        headers=shop_headers).status_code == 200
    answer = client.post("/api/v1/shop/compensation-codes", json={"codes": ["SORRY-A", "SORRY-B", "SORRY-A"]},
                         headers=shop_headers)
    assert answer.status_code == 201
    assert answer.get_json() == {"received": 3, "added": 2, "duplicates": 1, "remaining": 2, "issued": 0,
                                 "pool_low_level": 1}
    parcels = [silent_parcel() for _ in range(3)]
    clock.now = T0 + 121 * HOUR
    climb_exception_ladder(clock.now)
    assert _codes_texted(db) == ["SORRY-A", "SORRY-B"]
    assert _pool_low(db) == [{"remaining": 1, "pool_low_level": 1}]  # one warning at the crossing, not two
    stuck = [p for p in parcels if not db.session.execute(select(CompensationCode).where(
        CompensationCode.shipment_id == p)).scalar()]
    assert len(stuck) == 1  # no code, no text, no step: it waits for codes
    assert climb_exception_ladder(clock.now) == 0

    client.post("/api/v1/shop/compensation-codes", json={"codes": ["SORRY-C", "SORRY-D", "SORRY-E"]},
                headers=shop_headers)
    assert climb_exception_ladder(clock.now) == 1
    assert _codes_texted(db) == ["SORRY-A", "SORRY-B", "SORRY-C"]
    assert client.get("/api/v1/shop/compensation-codes", headers=shop_headers).get_json() == {
        "remaining": 2, "issued": 3, "pool_low_level": 1}
    assert len(_pool_low(db)) == 1  # 2 left is above the level: no new warning


def test_a_parcel_is_compensated_once_across_silences(db, client, clock, carrier_headers, silent_parcel,
                                                      shop_headers):
    client.post("/api/v1/shop/compensation-codes", json={"codes": ["SORRY-1", "SORRY-2"]}, headers=shop_headers)
    parcel = silent_parcel()
    clock.now = T0 + 121 * HOUR
    climb_exception_ladder(clock.now)
    event(client, carrier_headers, db.session.get(Shipment, parcel).tracking_number, "SORTED", T0 + 122 * HOUR)
    clock.now = T0 + 246 * HOUR
    climb_exception_ladder(clock.now)
    assert _codes_texted(db) == ["SORRY-1"]
    steps = db.session.execute(select(LadderStep.step).where(LadderStep.shipment_id == parcel)).scalars().all()
    assert sorted(steps) == ["apology", "apology", "compensation", "ticket", "ticket"]


def test_a_delay_beyond_the_shops_limit_compensates_early(db, client, clock, silent_parcel, shop_headers):
    client.patch("/api/v1/shop/exception-ladder", json={"compensation_delay_hours": 24}, headers=shop_headers)
    client.post("/api/v1/shop/compensation-codes", json={"codes": ["SORRY-1"]}, headers=shop_headers)
    window = {"start": (T0 + 2 * HOUR).isoformat(), "end": (T0 + 6 * HOUR).isoformat()}
    silent_parcel(window=window)
    clock.now = T0 + 29 * HOUR
    assert climb_exception_ladder(clock.now) == 0
    clock.now = T0 + 30 * HOUR
    assert climb_exception_ladder(clock.now) == 1
    assert _codes_texted(db) == ["SORRY-1"]


def test_concurrent_issues_never_hand_out_one_code_twice(app, db, silent_parcel):
    parcels = [silent_parcel() for _ in range(6)]
    shop_id = db.session.get(Shipment, parcels[0]).shop_id
    upload_codes(shop_id, [f"SORRY-{n}" for n in range(4)], T0)
    barrier, got = threading.Barrier(len(parcels)), []

    def issue(parcel):
        with app.app_context():
            from app.extensions import db as database

            barrier.wait(timeout=10)
            got.append(issue_code(shop_id, parcel, T0))
            database.session.commit()

    threads = [threading.Thread(target=issue, args=(parcel,)) for parcel in parcels]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    issued = [code for code in got if code]
    # SKIP LOCKED may pass over a code another transaction holds: never a code twice, never more than the pool.
    assert len(issued) == len(set(issued)) and 1 <= len(issued) <= 4


def test_the_apology_gives_the_carriers_typical_remaining_time(db, clock, silent_parcel):
    parcel = silent_parcel()
    carrier_id = db.session.get(Shipment, parcel).carrier_id
    for n, hours in enumerate([80, 90, 96, 100, 110, 120]):  # delivered parcels that were quiet as long
        start = T0 - 20 * 24 * HOUR
        old = Shipment(shop_id=db.session.get(Shipment, parcel).shop_id, carrier_id=carrier_id, order_ref=f"h{n}",
                       tracking_number=f"H{n}", recipient_phone="+31612345678", status="delivered",
                       status_at=start + hours * HOUR)
        db.session.add(old)
        db.session.flush()
        db.session.add_all([
            StatusEvent(shipment_id=old.id, raw_code="IN_TRANSIT", status="in_transit", occurred_at=start),
            StatusEvent(shipment_id=old.id, raw_code="DELIVERED", status="delivered",
                        occurred_at=start + hours * HOUR)])
    db.session.commit()
    clock.now = T0 + 72 * HOUR
    climb_exception_ladder(clock.now)
    body = db.session.execute(select(Message.body).where(Message.kind == "silence_apology")).scalar()
    assert "over 1 tot 2 dagen" in body


def test_ladder_settings_are_read_and_checked(client, shop_headers):
    shown = client.get("/api/v1/shop/exception-ladder", headers=shop_headers).get_json()
    assert shown["ticket_after_hours"] == 48 and shown["apology_on"] is True
    refused = client.patch("/api/v1/shop/exception-ladder", json={"apology_after_hours": 200}, headers=shop_headers)
    assert refused.status_code == 422 and "apology_after_hours" in refused.get_json()["error"]["fields"]
    assert client.patch("/api/v1/shop/exception-ladder", json={"ticket_after_hours": 0},
                        headers=shop_headers).status_code == 422
    assert client.get("/api/v1/shop/exception-ladder").status_code == 401


def test_codes_must_be_printable_and_bounded(client, shop_headers):
    for bad in ({"codes": []}, {"codes": [""]}, {"codes": ["x" * 65]}, {"codes": ["a\nb"]}, {"codes": "ABC"}):
        assert client.post("/api/v1/shop/compensation-codes", json=bad, headers=shop_headers).status_code == 422


def test_the_shop_lists_its_tickets_and_filters_the_open_ones(db, client, clock, silent_parcel, shop_headers):
    from app.console.tickets import close_ticket, shop_ticket

    first, second = silent_parcel(), silent_parcel()
    clock.now = T0 + 50 * HOUR
    climb_exception_ladder(clock.now)
    tickets = client.get("/api/v1/shop/tickets", headers=shop_headers).get_json()["tickets"]
    assert {t["shipment_id"] for t in tickets} == {first, second}
    assert all(t["kind"] == "silence" and t["status"] == "open" and t["order_ref"] for t in tickets)
    close_ticket(shop_ticket(db.session.get(Shipment, first).shop_id, tickets[0]["id"]), clock.now)
    db.session.commit()
    open_ones = client.get("/api/v1/shop/tickets?status=open", headers=shop_headers).get_json()["tickets"]
    assert [t["id"] for t in open_ones] == [tickets[1]["id"]]
    assert client.get("/api/v1/shop/tickets?status=maybe", headers=shop_headers).status_code == 422


def test_the_ladders_endpoints_are_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/shop/exception-ladder", "/api/v1/shop/compensation-codes", "/api/v1/shop/tickets"):
        assert path in spec["paths"]
    assert "TicketOut" in spec["components"]["schemas"]
