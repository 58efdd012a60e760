"""Bad input gets a clear 4xx (or empty TwiML for Twilio) and changes nothing — never a 500."""

from __future__ import annotations

import base64
import json

import pytest
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import func, select

from app.models import Feedback, Message
from app.sms.signature import sign_twilio_request

NUL_ID = "%00abc"
SHIPMENT_ROUTES = [("get", "/api/v1/shipments/{}"), ("patch", "/api/v1/shipments/{}"),
                   ("post", "/api/v1/shipments/{}/cancel"), ("get", "/api/v1/shipments/{}/messages"),
                   ("get", "/api/v1/shipments/{}/feedback"), ("get", "/api/v1/shipments/{}/rebookings"),
                   ("get", "/api/v1/rebookings/{}")]


def _error_shape(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"} and {"code", "message", "fields"} <= set(body["error"]), body
    return body["error"]


@pytest.mark.parametrize("method, path", SHIPMENT_ROUTES)
def test_a_nul_in_a_path_id_is_a_404(client, shop_headers, method, path):
    response = getattr(client, method)(path.format(NUL_ID), headers=shop_headers, json={"notify": False})
    assert response.status_code == 404
    _error_shape(response)


@pytest.mark.parametrize("path", ["/api/v1/shipments", "/api/v1/messages", "/api/v1/feedback", "/api/v1/rebookings"])
@pytest.mark.parametrize("name", ["cursor", "status", "since"])
def test_a_nul_in_a_query_is_a_422(client, shop_headers, path, name):
    response = client.get(path, query_string={name: "ab\x00cd"}, headers=shop_headers)
    assert response.status_code == 422, response.data
    assert name in _error_shape(response)["fields"]


def _cursor(moment: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([moment, "x"]).encode()).decode()


@pytest.mark.parametrize("query", [
    {"cursor": _cursor("0001-01-01T00:00:00+01:00")}, {"cursor": _cursor("9999-12-31T23:59:59-01:00")},
    {"created_after": "0001-01-01T00:00:00+01:00"},
])
def test_a_cursor_or_date_at_the_ends_of_time_is_a_422(client, shop_headers, query):
    assert client.get("/api/v1/shipments", query_string=query, headers=shop_headers).status_code == 422


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_feedback_since_at_the_ends_of_time_is_a_422(client, shop_headers, since):
    response = client.get("/api/v1/feedback", query_string={"since": since}, headers=shop_headers)
    assert response.status_code == 422 and "since" in _error_shape(response)["fields"]


def test_deeply_nested_json_is_a_400(client, shop_headers):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/shipments", data=body, headers={**shop_headers,
                                                                     "Content-Type": "application/json"})
    assert response.status_code == 400
    _error_shape(response)


def test_a_country_that_grows_when_upper_cased_is_a_422(client, shop_headers):
    response = client.patch("/api/v1/shop", json={"country": "ßx"}, headers=shop_headers)
    assert response.status_code == 422 and "country" in _error_shape(response)["fields"]
    assert client.get("/api/v1/shop", headers=shop_headers).get_json()["country"] == "NL"


def _signed(app, client, path: str, form: dict):
    url = f"https://bijna.test{path}"
    signature = sign_twilio_request(app.config["SETTINGS"].twilio_auth_token, url, form)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature})


def test_nul_in_inbound_twilio_fields_is_answered_with_empty_twiml_and_stored_clean(app, client, db):
    form = {"MessageSid": "SM" + "2" * 32, "From": "+3161234\x005678", "To": "+3197010203040",
            "Body": "1\x00 ja", "NumMedia": "0"}
    response = _signed(app, client, "/webhooks/twilio/sms", form)
    assert response.status_code == 200 and b"<Response" in response.data
    stored = db.session.execute(select(Message).where(Message.direction == "in")).scalars().all()
    assert all("\x00" not in (m.body + (m.from_number or "")) for m in stored)


@pytest.mark.parametrize("code", ["abc", "²", "99999999999999999999", "-5", "1e5"])
def test_a_status_callback_with_a_strange_error_code_is_a_204(app, client, db, code):
    form = {"MessageSid": "SMnothing", "MessageStatus": "undelivered", "ErrorCode": code}
    assert _signed(app, client, "/webhooks/twilio/status", form).status_code == 204


def test_a_status_callback_for_an_unknown_sid_while_redis_is_down_is_a_204(app, client, db, monkeypatch):
    away = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    monkeypatch.setattr("app.messaging.delivery_status.redis_connection", lambda: away)
    form = {"MessageSid": "SMunknown", "MessageStatus": "delivered"}
    assert _signed(app, client, "/webhooks/twilio/status", form).status_code == 204


def test_a_nul_in_a_feedback_comment_is_dropped_not_a_500(client, db, make_shipment, carrier_headers):
    from app.models import Shipment

    shipment = make_shipment()
    row = db.session.get(Shipment, shipment["id"])
    row.status = "delivered"
    db.session.commit()
    token = row.tracking_token
    response = client.post(f"/t/{token}/feedback", data={"rating": "4", "comment": "top\x00 bezorger"})
    assert response.status_code in (303, 422)
    comments = db.session.execute(select(Feedback.comment)).scalars().all()
    assert all("\x00" not in (comment or "") for comment in comments)
    assert db.session.execute(select(func.count()).select_from(Feedback)).scalar() <= 1
