"""Route ETAs and carrier events through the carrier API become the right texts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.models import Message, Shipment


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
    now = datetime.now(UTC)
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
    now = datetime.now(UTC)
    _route(client, carrier_headers, "R1", now, [("3SBIJ0001", now + timedelta(hours=2))])
    late = _route(client, carrier_headers, "R1", now - timedelta(minutes=1), [("3SBIJ0001", now + timedelta(minutes=5))])
    assert late["ignored_stale"] == 1
    assert db.session.get(Shipment, shipment["id"]).eta == now + timedelta(hours=2)
    assert _kinds(db, shipment["id"]) == ["out_for_delivery"]


def test_unknown_parcels_and_bad_stops_are_reported(client, db, make_shipment, carrier_headers):
    make_shipment()
    now = datetime.now(UTC)
    result = _route(client, carrier_headers, "R1", now, [("NOPE", now + timedelta(hours=1))])
    assert result["unknown_parcels"] == ["NOPE"]
    bad = client.post("/api/v1/carrier/routes/R1/etas", json={"observed_at": now.isoformat(), "stops": [
        {"tracking_number": "3SBIJ0001", "eta": "tomorrow"}]}, headers=carrier_headers)
    assert bad.status_code == 422 and "stops.0.eta" in bad.get_json()["error"]["fields"]


def test_events_move_status_forward_only_and_delivered_asks_for_a_rating(client, db, make_shipment, carrier_headers):
    shipment = make_shipment()
    t0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    events = [{"tracking_number": "3SBIJ0001", "code": "DELIVERED", "occurred_at": (t0 + timedelta(hours=3)).isoformat()},
              {"tracking_number": "3SBIJ0001", "code": "HUB_SCAN", "occurred_at": t0.isoformat()},
              {"tracking_number": "3SBIJ0001", "code": "ZZ99", "occurred_at": t0.isoformat()}]
    result = client.post("/api/v1/carrier/events", json={"events": events}, headers=carrier_headers).get_json()
    assert result["unmapped_codes"] == ["ZZ99"]
    again = client.post("/api/v1/carrier/events", json={"events": events[:1]}, headers=carrier_headers).get_json()
    assert again["applied"] == 0
    row = db.session.get(Shipment, shipment["id"])
    assert row.status == "delivered" and row.raw_status == "DELIVERED"
    assert _kinds(db, shipment["id"]) == ["delivered"]
