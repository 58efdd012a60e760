"""Route ETAs and carrier events through the carrier API become the right texts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.eta import window_for
from app.models import Message, Shipment
from bijna_testing import YEAR, test_now


def _route(client, headers, route_id, observed_at, stops):
    body = {"observed_at": observed_at.isoformat(),
            "stops": [{"tracking_number": number, "stop_sequence": i + 1, "eta": eta.isoformat()}
                      for i, (number, eta) in enumerate(stops)]}
    response = client.post(f"/api/v1/carrier/routes/{route_id}/etas", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _kinds(db, shipment_id):
    return [m.kind for m in db.session.execute(
        select(Message).where(Message.shipment_id == shipment_id).order_by(Message.created_at)).scalars()]


def test_route_push_sends_window_then_one_arriving_soon(client, db, make_shipment, carrier_headers):
    shipment = make_shipment()
    now = test_now()
    first = _route(client, carrier_headers, "R1", now, [("3SBIJ0001", now + timedelta(hours=2))])
    assert first["accepted"] == 1 and first["texts_queued"] == 1
    assert _kinds(db, shipment["id"]) == ["out_for_delivery"]
    for minutes, offset in [(14, 1), (16, 2), (13, 3), (15, 4)]:
        _route(client, carrier_headers, "R1", now + timedelta(seconds=offset),
               [("3SBIJ0001", now + timedelta(minutes=minutes))])
    assert _kinds(db, shipment["id"]) == ["out_for_delivery", "arriving_soon"]
    row = db.session.get(Shipment, shipment["id"])
    assert row.status == "out_for_delivery" and row.route_id == "R1"


def test_an_older_push_never_overwrites_a_newer_eta(client, db, make_shipment, carrier_headers):
    shipment = make_shipment()
    now = test_now()
    _route(client, carrier_headers, "R1", now, [("3SBIJ0001", now + timedelta(hours=2))])
    late = _route(client, carrier_headers, "R1", now - timedelta(minutes=1),
                  [("3SBIJ0001", now + timedelta(minutes=5))])
    assert late["ignored_stale"] == 1
    assert db.session.get(Shipment, shipment["id"]).eta == now + timedelta(hours=2)
    assert _kinds(db, shipment["id"]) == ["out_for_delivery"]


def test_unknown_parcels_and_bad_stops_are_reported(client, db, make_shipment, carrier_headers):
    make_shipment()
    now = test_now()
    result = _route(client, carrier_headers, "R1", now, [("NOPE", now + timedelta(hours=1))])
    assert result["unknown_parcels"] == ["NOPE"]
    bad = client.post("/api/v1/carrier/routes/R1/etas", json={"observed_at": now.isoformat(), "stops": [
        {"tracking_number": "3SBIJ0001", "eta": "tomorrow"}]}, headers=carrier_headers)
    assert bad.status_code == 422 and "stops.0.eta" in bad.get_json()["error"]["fields"]


def test_events_move_status_forward_only_and_delivered_asks_for_a_rating(client, db, make_shipment, carrier_headers):
    shipment = make_shipment()
    t0 = datetime(YEAR, 11, 23, 9, 0, tzinfo=UTC)
    events = [{"tracking_number": "3SBIJ0001", "code": "DELIVERED",
               "occurred_at": (t0 + timedelta(hours=3)).isoformat()},
              {"tracking_number": "3SBIJ0001", "code": "HUB_SCAN", "occurred_at": t0.isoformat()},
              {"tracking_number": "3SBIJ0001", "code": "ZZ99", "occurred_at": t0.isoformat()}]
    result = client.post("/api/v1/carrier/events", json={"events": events}, headers=carrier_headers).get_json()
    assert result["unmapped_codes"] == ["ZZ99"]
    again = client.post("/api/v1/carrier/events", json={"events": events[:1]}, headers=carrier_headers).get_json()
    assert again["applied"] == 0
    row = db.session.get(Shipment, shipment["id"])
    assert row.status == "delivered" and row.raw_status == "DELIVERED"
    assert _kinds(db, shipment["id"]) == ["delivered"]


def test_missing_the_announced_window_is_a_delay_even_inside_the_shops_slot(client, db, make_shipment,
                                                                            carrier_headers, clock):
    window = {"start": "2026-11-24T08:00:00+00:00", "end": "2026-11-24T13:00:00+00:00"}
    shipment = make_shipment(window=window)
    clock.now = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    eta = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    _route(client, carrier_headers, "R1", clock.now, [("3SBIJ0001", eta)])
    row = db.session.get(Shipment, shipment["id"])
    told = (row.announced_start, row.announced_end)
    assert told == window_for(eta, eta - clock.now) and told[1] - told[0] < timedelta(hours=5)
    clock.now += timedelta(minutes=5)
    _route(client, carrier_headers, "R1", clock.now, [("3SBIJ0001", told[1] + timedelta(minutes=35))])
    assert _kinds(db, shipment["id"]) == ["out_for_delivery"]  # hours ahead: one ETA is no apology yet
    clock.now = told[1] - timedelta(minutes=30)
    _route(client, carrier_headers, "R1", clock.now, [("3SBIJ0001", told[1] + timedelta(minutes=35))])
    assert _kinds(db, shipment["id"]) == ["out_for_delivery", "delay"]
    clock.now += timedelta(minutes=5)
    _route(client, carrier_headers, "R1", clock.now, [("3SBIJ0001", told[1] + timedelta(minutes=45))])
    assert _kinds(db, shipment["id"]) == ["out_for_delivery", "delay"]  # inside the new window: no news


def test_a_failed_attempt_makes_the_next_day_news_again(client, db, make_shipment, carrier_headers, clock):
    shipment = make_shipment()
    day1 = datetime(YEAR, 11, 24, 9, 0, tzinfo=UTC)
    clock.now = day1
    _route(client, carrier_headers, "R1", day1, [("3SBIJ0001", day1 + timedelta(minutes=10))])
    failed = {"tracking_number": "3SBIJ0001", "code": "NOT_HOME",
              "occurred_at": (day1 + timedelta(minutes=12)).isoformat()}
    clock.now = day1 + timedelta(minutes=13)
    client.post("/api/v1/carrier/events", json={"events": [failed]}, headers=carrier_headers)
    day2 = day1 + timedelta(days=1)
    clock.now = day2
    _route(client, carrier_headers, "R2", day2, [("3SBIJ0001", day2 + timedelta(hours=1))])
    clock.now = day2 + timedelta(minutes=50)
    _route(client, carrier_headers, "R2", clock.now, [("3SBIJ0001", day2 + timedelta(hours=1))])
    assert _kinds(db, shipment["id"]) == ["arriving_soon", "failed_attempt", "out_for_delivery", "arriving_soon"]


def test_non_urgent_news_waits_for_quiet_hours_to_end(client, db, make_shipment, carrier_headers, clock, shop):
    shop.status_texts = ["in_transit", "delivered"]
    db.session.commit()
    shipment = make_shipment()
    clock.now = datetime(YEAR, 11, 24, 22, 30, tzinfo=UTC)  # 23:30 in Amsterdam
    event = {"tracking_number": "3SBIJ0001", "code": "DEPOT_ARRIVAL", "occurred_at": clock.now.isoformat()}
    client.post("/api/v1/carrier/events", json={"events": [event]}, headers=carrier_headers)
    message = db.session.execute(select(Message).where(Message.shipment_id == shipment["id"])).scalar_one()
    assert message.kind == "in_transit" and message.status == "pending"
    assert message.send_after == datetime(YEAR, 11, 25, 7, 0, tzinfo=UTC)  # 08:00 Amsterdam


def test_news_held_overnight_is_dropped_when_no_longer_true(client, db, make_shipment, carrier_headers, clock, shop,
                                                           run_jobs):
    from workers.sending import send_texts

    shop.status_texts = ["in_transit"]
    db.session.commit()
    make_shipment()
    night = datetime(YEAR, 11, 24, 22, 30, tzinfo=UTC)
    clock.now = night
    events = [{"tracking_number": "3SBIJ0001", "code": "DEPOT_ARRIVAL", "occurred_at": night.isoformat()}]
    client.post("/api/v1/carrier/events", json={"events": events}, headers=carrier_headers)
    clock.now = night + timedelta(hours=7)
    events = [{"tracking_number": "3SBIJ0001", "code": "DELIVERED", "occurred_at": clock.now.isoformat()}]
    client.post("/api/v1/carrier/events", json={"events": events}, headers=carrier_headers)
    held = db.session.execute(select(Message).where(Message.kind == "in_transit")).scalar_one()
    send_texts([held.id], now=night + timedelta(hours=9))
    db.session.expire_all()
    assert db.session.get(Message, held.id).status == "skipped"


def test_a_push_while_redis_is_away_loses_no_text(db, make_shipment, carrier, carrier_and_token, run_jobs):
    from app import create_app
    from app.messaging.recovery import STALE_PENDING
    from bijna_testing import app_config
    from workers.sweeper import sweep

    make_shipment()
    cut_off = create_app(app_config(REDIS_URL="redis://127.0.0.1:1/0"))  # Redis is gone for this web process
    now = test_now()
    body = {"observed_at": now.isoformat(), "stops": [
        {"tracking_number": "3SBIJ0001", "eta": (now + timedelta(minutes=10)).isoformat()}]}
    answer = cut_off.test_client().post("/api/v1/carrier/routes/R1/etas", json=body,
                                        headers={"Authorization": f"Bearer {carrier_and_token[1]}"})
    assert answer.status_code == 200 and answer.get_json()["texts_queued"] == 1
    message = db.session.execute(select(Message)).scalar_one()
    assert message.status == "pending"
    sweep(now + STALE_PENDING + timedelta(seconds=1))  # Redis is back: the sweeper finds the text
    run_jobs()
    assert db.session.get(Message, message.id).status == "delivered"  # the simulator delivers at once


def test_a_route_planned_the_evening_before_is_news_for_the_morning(client, db, make_shipment, carrier_headers,
                                                                    clock):
    shipment = make_shipment()
    clock.now = datetime(YEAR, 11, 24, 21, 30, tzinfo=UTC)  # 22:30 in Amsterdam
    tomorrow_morning = datetime(YEAR, 11, 25, 9, 0, tzinfo=UTC)
    _route(client, carrier_headers, "R9", clock.now, [("3SBIJ0001", tomorrow_morning)])
    text = db.session.execute(select(Message).where(Message.shipment_id == shipment["id"])).scalar_one()
    assert text.kind == "out_for_delivery"
    assert text.send_after == datetime(YEAR, 11, 25, 7, 0, tzinfo=UTC)  # held until 08:00, not sent at night
    assert "komt vandaag" in text.body  # worded for the morning it is read in


def test_a_route_announced_days_ahead_names_the_day(client, db, make_shipment, carrier_headers, clock, shop):
    shop.quiet_start = shop.quiet_end = "00:00"  # no quiet hours: the text goes now
    db.session.commit()
    shipment = make_shipment()
    clock.now = datetime(YEAR, 11, 23, 10, 0, tzinfo=UTC)  # a Monday
    _route(client, carrier_headers, "R9", clock.now, [("3SBIJ0001", datetime(YEAR, 11, 25, 9, 0, tzinfo=UTC))])
    text = db.session.execute(select(Message).where(Message.shipment_id == shipment["id"])).scalar_one()
    assert "komt op woensdag" in text.body and text.send_after is None


def test_a_stray_scan_after_delivery_does_not_reopen_the_parcel(client, db, make_shipment, carrier_headers):
    shipment = make_shipment()
    t0 = datetime(YEAR, 11, 24, 10, 0, tzinfo=UTC)
    events = [{"tracking_number": "3SBIJ0001", "code": "DELIVERED", "occurred_at": t0.isoformat()},
              {"tracking_number": "3SBIJ0001", "code": "OUT_FOR_DELIVERY",
               "occurred_at": (t0 + timedelta(minutes=5)).isoformat()}]
    result = client.post("/api/v1/carrier/events", json={"events": events}, headers=carrier_headers).get_json()
    assert (result["applied"], result["ignored_stale"]) == (1, 1)
    assert db.session.get(Shipment, shipment["id"]).status == "delivered"
    back = {"tracking_number": "3SBIJ0001", "code": "RETURN_TO_SENDER",
            "occurred_at": (t0 + timedelta(days=2)).isoformat()}
    client.post("/api/v1/carrier/events", json={"events": [back]}, headers=carrier_headers)
    db.session.expire_all()
    assert db.session.get(Shipment, shipment["id"]).status == "returned"


def test_a_push_keeps_the_smoothed_eta_and_touches_the_record_only_when_the_status_moves(
        client, db, make_shipment, carrier_headers, shop_headers):
    shipment = make_shipment()
    created = db.session.get(Shipment, shipment["id"]).updated_at
    now = test_now()
    _route(client, carrier_headers, "R1", now, [("3SBIJ0001", now + timedelta(minutes=90))])
    db.session.expire_all()
    row = db.session.get(Shipment, shipment["id"])
    touched = row.updated_at
    assert touched > created  # the push put it on the route: out for delivery, a change to the record
    assert row.status == "out_for_delivery" and row.eta_smoothed == now + timedelta(minutes=90)
    # The next pushes only move the ETA: updated_at stays (PostgreSQL updates the row in place), the API says when
    # the ETA last moved, and the smoothed ETA sits between the two pushes.
    _route(client, carrier_headers, "R1", now + timedelta(minutes=1), [("3SBIJ0001", now + timedelta(minutes=97))])
    db.session.expire_all()
    row = db.session.get(Shipment, shipment["id"])
    assert row.updated_at == touched and row.eta == now + timedelta(minutes=97)
    assert now + timedelta(minutes=90) < row.eta_smoothed < now + timedelta(minutes=97)
    assert 0 < row.eta_variance < (0.12 * 90 + 1) ** 2
    out = client.get(f"/api/v1/shipments/{shipment['id']}", headers=shop_headers).get_json()
    assert datetime.fromisoformat(out["eta_observed_at"]) == now + timedelta(minutes=1)
