"""Valid JSON that is out of range or unstorable gets a clear 422 and changes nothing — never a 500."""

from __future__ import annotations

import base64
import json

import pytest

from bijna_testing import shipment_body

FAR = "9999-12-31T23:59:59-12:00"
ANCIENT = "0001-01-01T00:00:00+01:00"


@pytest.mark.parametrize("body, field", [
    (shipment_body(window={"start": FAR, "end": FAR}), "window"),
    (shipment_body(order_ref="10\x0001"), "order_ref"),
    (shipment_body(recipient={"phone": "0612345678", "name": "An\x00na"}), "recipient"),
])
def test_shipment_bodies(client, shop_headers, carrier, body, field):
    response = client.post("/api/v1/shipments", json=body, headers=shop_headers)
    assert response.status_code == 422, response.get_json()
    fields = response.get_json()["error"]["fields"]
    assert field.split(".")[0] in fields
    assert client.get("/api/v1/shipments", headers=shop_headers).get_json()["items"] == []


NAIVE_CURSOR = base64.urlsafe_b64encode(json.dumps(["2026-01-01", 5]).encode()).decode()


@pytest.mark.parametrize("query", [{"status": "x\x00"}, {"order_ref": "1\x00"}, {"cursor": NAIVE_CURSOR},
                                   {"cursor": "!!!"}, {"created_after": FAR}])
def test_shipment_queries(client, shop_headers, query):
    assert client.get("/api/v1/shipments", query_string=query, headers=shop_headers).status_code == 422


@pytest.mark.parametrize("stop, field", [
    ({"tracking_number": "3SBIJ0001", "eta": FAR}, "stops.0.eta"),
    ({"tracking_number": "3SBIJ0001", "eta": "2026-11-24T10:00:00+01:00", "stop_sequence": 2 ** 40},
     "stops.0.stop_sequence"),
    ({"tracking_number": "3S\x00", "eta": "2026-11-24T10:00:00+01:00"}, "stops.0.tracking_number"),
])
def test_route_stops(client, carrier_headers, make_shipment, stop, field):
    make_shipment()
    body = {"observed_at": "2026-11-24T09:00:00+01:00", "stops": [stop]}
    response = client.post("/api/v1/carrier/routes/R1/etas", json=body, headers=carrier_headers)
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]


def test_a_route_cannot_name_a_parcel_twice_or_be_absurdly_long(client, carrier_headers, make_shipment):
    make_shipment()
    stop = {"tracking_number": "3SBIJ0001", "eta": "2026-11-24T10:00:00+01:00"}
    twice = client.post("/api/v1/carrier/routes/R1/etas", headers=carrier_headers,
                        json={"observed_at": "2026-11-24T09:00:00+01:00", "stops": [stop, stop]})
    assert twice.status_code == 422 and "stops.1.tracking_number" in twice.get_json()["error"]["fields"]
    long_route = client.post(f"/api/v1/carrier/routes/{'R' * 101}/etas", headers=carrier_headers,
                             json={"observed_at": "2026-11-24T09:00:00+01:00", "stops": [stop]})
    assert long_route.status_code == 422


@pytest.mark.parametrize("event", [{"tracking_number": "3SBIJ0001", "code": "X\x00", "occurred_at": ANCIENT},
                                   {"tracking_number": "3SBIJ0001", "code": "DELIVERED", "occurred_at": ANCIENT}])
def test_events(client, carrier_headers, event):
    response = client.post("/api/v1/carrier/events", json={"events": [event]}, headers=carrier_headers)
    assert response.status_code == 422


def test_a_single_stop_update_without_a_route_keeps_the_route(client, db, carrier_headers, make_shipment):
    from app.models import Shipment

    shipment = make_shipment()
    client.post("/api/v1/carrier/routes/R7/etas", headers=carrier_headers, json={
        "observed_at": "2026-11-24T09:00:00+01:00",
        "stops": [{"tracking_number": "3SBIJ0001", "eta": "2026-11-24T12:00:00+01:00"}]})
    client.post("/api/v1/carrier/etas", headers=carrier_headers, json={
        "tracking_number": "3SBIJ0001", "observed_at": "2026-11-24T09:01:00+01:00", "eta": "2026-11-24T12:05:00+01:00"})
    assert db.session.get(Shipment, shipment["id"]).route_id == "R7"
