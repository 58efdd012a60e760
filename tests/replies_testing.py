"""Helpers for the reply and rebooking flows: signed Twilio posts, route pushes, what was texted.

The fixtures (a carrier simulator over real HTTP, a pinned clock) live in `replies_fixtures`;
a test module loads them with `pytest_plugins = ("replies_fixtures",)`.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from app.carriers.signing import SIGNATURE_HEADER, verify
from app.models import Message
from app.sms.signature import sign_twilio_request
from carrier_sim.client import SimClient

CARRIER_SECRET = "test-carrier-secret"  # the `carrier` fixture signs with this
WEBHOOK_SECRET = "whsec_test_shop"
PHONE = "+31612345678"  # shipment_body's "06 12345678"
SENDER = "+3197010203040"  # the `shop` fixture's own number
INBOUND_URL = "https://bijna.test/webhooks/twilio/sms"  # PUBLIC_BASE_URL + path: what Twilio signs


def reply(client, app, body: str, *, phone: str = PHONE, to: str = SENDER, sid: str | None = None, **fields):
    """POST an inbound SMS the way Twilio does, signed; return the response."""
    form = {"MessageSid": sid or f"SM{uuid.uuid4().hex}", "AccountSid": "AC" + "0" * 32, "From": phone, "To": to,
            "Body": body, "NumMedia": "0", **fields}
    signature = sign_twilio_request(app.config["SETTINGS"].twilio_auth_token, INBOUND_URL, form)
    return client.post("/webhooks/twilio/sms", data=form, headers={"X-Twilio-Signature": signature})


def route_push(client, carrier_headers, when: datetime, stops: list[tuple[str, int]], route_id: str = "R1"):
    """Push a driver's route through the carrier API: (tracking number, minutes away) per stop."""
    body = {"observed_at": when.isoformat(),
            "stops": [{"tracking_number": number, "stop_sequence": i + 1,
                       "eta": (when + timedelta(minutes=minutes)).isoformat()}
                      for i, (number, minutes) in enumerate(stops)]}
    response = client.post(f"/api/v1/carrier/routes/{route_id}/etas", json=body, headers=carrier_headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def delivered_event(client, carrier_headers, number: str, when: datetime) -> None:
    """Push a DELIVERED scan through the carrier API."""
    event = {"tracking_number": number, "code": "DELIVERED", "occurred_at": when.isoformat()}
    response = client.post("/api/v1/carrier/events", json={"events": [event]}, headers=carrier_headers)
    assert response.status_code == 200, response.get_json()


def texts_to(db, phone: str = PHONE) -> list[Message]:
    """Return the texts queued for a number, oldest first."""
    return list(db.session.execute(select(Message).where(Message.direction == "out", Message.to_number == phone)
                                   .order_by(Message.created_at, Message.id)).scalars())


def kinds_to(db, phone: str = PHONE) -> list[str]:
    """Return the kinds of the texts queued for a number, oldest first."""
    return [message.kind for message in texts_to(db, phone)]


def last_text(db, phone: str = PHONE) -> Message:
    """Return the newest text queued for a number."""
    return texts_to(db, phone)[-1]


def shop_webhooks(sim: SimClient, secret: str = WEBHOOK_SECRET) -> list[dict]:
    """Return the webhooks the shop received, each checked for a valid signature first."""
    received = sim.shop_webhooks()
    for webhook in received:
        body = json.dumps(webhook["body"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        header = webhook["headers"].get(SIGNATURE_HEADER)
        timestamp = int(header.split(",")[0].removeprefix("t="))
        assert verify(secret, body, header, timestamp), "shop webhook signature does not verify"
        assert webhook["headers"]["Idempotency-Key"] == webhook["body"]["id"]
    return [webhook["body"] for webhook in received]
