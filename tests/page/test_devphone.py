"""The phone simulator /dev/phone: threads as bubbles, replies through the signed inbound webhook.

It never exists in production or with the Twilio provider.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import request
from sqlalchemy import select

from app import create_app
from app.devphone.reply import reply_as_recipient
from app.extensions import redis_connection
from app.models import Message
from app.sms.signature import SIGNATURE_HEADER, is_valid_twilio_request
from app.sms.simulator_provider import simulated_threads
from app.webhooks.twilio_signature import twilio_signed
from bijna_testing import app_config

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
NUMBER = "+31612345678"


@pytest.fixture
def texted(client, db, clock, make_shipment, carrier_headers, run_jobs):
    """A parcel out for delivery whose recipient got the window text in the simulator (real time: the
    worker sends with the real clock)."""
    clock.now = now = datetime.now(UTC)
    parcel = make_shipment(recipient={"phone": "06 12345678", "name": "Anna de Vries", "language": "en"})
    body = {"observed_at": now.isoformat(), "stops": [{"tracking_number": "3SBIJ0001", "stop_sequence": 1,
                                                       "eta": (now + timedelta(hours=2)).isoformat()}]}
    assert client.post("/api/v1/carrier/routes/R1/etas", json=body, headers=carrier_headers).status_code == 200
    run_jobs()
    return parcel


def test_phone_shows_the_texts_bijna_sent_as_bubbles(client, texted):
    response = client.get("/dev/phone")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert NUMBER in html and 'class="bubble bubble-in"' in html
    assert "your parcel is coming today" in html
    assert '<a href="https://bijna.test/t/' in html  # the tracking link is clickable
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "<script src=" in html and " style=" not in html and "<style" not in html
    latest = client.get("/dev/phone/latest.json").get_json()["latest"]
    assert latest == simulated_threads(redis_connection())[NUMBER][-1]["sid"]


@pytest.fixture
def capturing_app():
    """A fresh app with a stand-in inbound webhook behind the real signature decorator."""
    application = create_app(app_config())
    captured = []

    @application.post("/test/inbound")
    @twilio_signed
    def inbound():
        captured.append((request.form.to_dict(), request.headers.get(SIGNATURE_HEADER)))
        return "<Response><Message>Got it, thanks!</Message></Response>", 200, {"Content-Type": "text/xml"}

    application.captured = captured
    return application


def test_a_reply_is_signed_over_the_public_url_and_passes_the_real_check(capturing_app, redis_client):
    with capturing_app.app_context():
        redis = redis_connection()
        outcome = reply_as_recipient(capturing_app, redis, NUMBER, "2", NOW, path="/test/inbound")
        assert outcome.status == 200 and outcome.answered == ["Got it, thanks!"]
        (form, signature), = capturing_app.captured
        assert form["From"] == NUMBER and form["Body"] == "2" and form["To"] == "Bijna"
        assert form["MessageSid"].startswith("SM") and form["AccountSid"].startswith("AC") and form["NumMedia"] == "0"
        token = capturing_app.config["SIMULATOR_AUTH_TOKEN"]
        assert is_valid_twilio_request(token, "https://bijna.test/test/inbound", form, signature)
        assert not is_valid_twilio_request(token, "https://bijna.test/test/inbound", {**form, "Body": "3"}, signature)
        thread = simulated_threads(redis)[NUMBER]
        assert [(t["direction"], t["body"]) for t in thread] == [("inbound", "2"), ("outbound", "Got it, thanks!")]
        assert thread[0]["sid"] == form["MessageSid"]


def test_a_reply_signed_with_another_token_is_refused(capturing_app, redis_client, monkeypatch):
    import app.devphone.reply as reply_module

    real_sign = reply_module.sign_twilio_request
    monkeypatch.setattr(reply_module, "sign_twilio_request",
                        lambda token, url, form: real_sign("not-" + token, url, form))
    with capturing_app.app_context():
        outcome = reply_as_recipient(capturing_app, redis_connection(), NUMBER, "1", NOW, path="/test/inbound")
    assert outcome.status == 403 and outcome.answered == [] and capturing_app.captured == []


def test_replying_on_the_phone_page_goes_through_the_real_inbound_webhook(client, db, texted):
    response = client.post("/dev/phone/reply", data={"number": NUMBER, "body": "HELP"})
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path == "/dev/phone" and location.fragment == "n31612345678"
    assert parse_qs(location.query)["webhook"] == ["200"], "the inbound webhook must accept the signed reply"
    thread = simulated_threads(redis_connection())[NUMBER]
    assert (thread[-1]["direction"], thread[-1]["body"]) == ("inbound", "HELP")
    inbound = db.session.execute(select(Message).where(Message.direction == "in")).scalar_one()
    assert inbound.body == "HELP" and inbound.provider_sid == thread[-1]["sid"]


@pytest.mark.parametrize("data", [{"number": "0612345678", "body": "1"}, {"number": NUMBER, "body": "  "}])
def test_a_reply_needs_a_number_and_a_text(client, db, data):
    assert client.post("/dev/phone/reply", data=data).status_code == 400


@pytest.mark.parametrize("overrides", [{"ENV": "production"}, {"SMS_PROVIDER": "twilio"}])
def test_the_phone_does_not_exist_in_production_or_with_twilio(db, overrides):
    application = create_app(app_config(**overrides))
    assert not any(rule.rule.startswith("/dev") for rule in application.url_map.iter_rules())
    client = application.test_client()
    assert client.get("/dev/phone").status_code == 404
    assert client.post("/dev/phone/reply", data={"number": NUMBER, "body": "1"}).status_code == 404


def test_the_phone_also_checks_at_request_time(app, client, db):
    assert client.get("/dev/phone").status_code == 200
    app.config["ENV"] = "production"
    try:
        assert client.get("/dev/phone").status_code == 404
        assert client.post("/dev/phone/reply", data={"number": NUMBER, "body": "1"}).status_code == 404
    finally:
        app.config["ENV"] = "test"
    app.config["SMS_PROVIDER"] = "twilio"
    try:
        assert client.get("/dev/phone/latest.json").status_code == 404
    finally:
        app.config["SMS_PROVIDER"] = "simulator"
