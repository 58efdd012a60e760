"""The smaller holes of issue 14: retention of unfinished parcels, idempotency replays, webhook addresses."""

from __future__ import annotations

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from app.models import Shipment
from app.retention import purge_personal_data
from app.shops.webhook_url import UnsafeWebhookUrl, check_webhook_url, post_pinned
from bijna_testing import shipment_body, test_now


def test_a_parcel_that_never_finished_loses_its_recipient_after_the_period(db, make_shipment):
    shipment = make_shipment()
    row = db.session.get(Shipment, shipment["id"])
    assert row.status == "registered"
    row.updated_at = test_now() - timedelta(days=400)
    db.session.commit()
    purge_personal_data(test_now())
    db.session.expire_all()
    row = db.session.get(Shipment, shipment["id"])
    assert (row.recipient_name, row.recipient_city) == (None, None) and "*" in row.recipient_phone
    assert row.notify is False


@pytest.mark.parametrize("change", [
    {"recipient": {"phone": "0687654321", "name": "Anna de Vries"}},
    {"carrier": "othercarrier"},
    {"notify": False},
])
def test_an_idempotency_key_replayed_with_a_different_request_is_a_409(client, shop_headers, carrier, change):
    from app.cli import create_carrier

    create_carrier("othercarrier", "Other", api_base_url="http://127.0.0.1:1", signing_secret="s")
    headers = {**shop_headers, "Idempotency-Key": "order-1001"}
    assert client.post("/api/v1/shipments", json=shipment_body(), headers=headers).status_code == 201
    same = client.post("/api/v1/shipments", json=shipment_body(recipient={"phone": "+31612345678",
                                                                           "name": "Anna de Vries"}), headers=headers)
    assert same.status_code == 200  # the same number written differently is the same request
    replay = client.post("/api/v1/shipments", json=shipment_body(**change), headers=headers)
    assert replay.status_code == 409 and replay.get_json()["error"]["code"] == "idempotency_key_reused"


@pytest.mark.parametrize("url", ["https://100.64.0.1/hook", "https://192.0.2.10/hook", "https://198.18.0.1/hook",
                                 "https://[::ffff:10.0.0.1]/hook", "https://[fd00::1]/hook", "https://0.0.0.0/hook",
                                 "https://localhost/hook", "http://93.184.216.34/hook"])
def test_only_public_internet_addresses_are_allowed_in_production(url):
    with pytest.raises(UnsafeWebhookUrl):
        check_webhook_url(url, production=True, resolve_host=True)


def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch):
    monkeypatch.setattr("app.shops.webhook_url.resolve", lambda host, port: ["93.184.216.34", "10.1.2.3"])
    with pytest.raises(UnsafeWebhookUrl):
        check_webhook_url("https://shop.example/hook", production=True, resolve_host=True)
    monkeypatch.setattr("app.shops.webhook_url.resolve", lambda host, port: ["93.184.216.34"])
    assert check_webhook_url("https://shop.example/hook", production=True, resolve_host=True) == "93.184.216.34"


def test_a_delivery_connects_to_the_checked_address_and_keeps_the_host():
    seen = {}

    class Sink(BaseHTTPRequestHandler):
        def do_POST(self):
            seen["host"], seen["body"] = self.headers["Host"], self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Sink)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    port = server.server_address[1]
    # "rebind.invalid" never resolves: the request can only arrive because it went to the pinned address.
    response = post_pinned(f"http://rebind.invalid:{port}/hook", "127.0.0.1", data=b"{}", headers={}, timeout=5)
    thread.join(5)
    server.server_close()
    assert response.status_code == 204 and seen == {"host": f"rebind.invalid:{port}", "body": b"{}"}
