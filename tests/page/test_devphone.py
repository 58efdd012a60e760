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
from app.models import Message, OptOut
from app.sms.keywords import CONFIRMATIONS
from app.sms.signature import SIGNATURE_HEADER, is_valid_twilio_request
from app.sms.simulator_provider import simulated_threads
from app.webhooks.twilio_signature import twilio_signed
from bijna_testing import app_config

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday, 13:00 in Amsterdam
NUMBER = "+31612345678"
SHOP_NUMBER = "+3197010203040"  # the `shop` fixture's sender: replies go to it


@pytest.fixture
def texted(client, db, clock, make_shipment, carrier_headers, run_jobs):
    """A parcel out for delivery whose recipient got the window text in the simulator.

    The clock is pinned to a Monday lunchtime: the worker and the simulator read the app's clock,
    so the test neither depends on the day it runs nor meets the shop's quiet hours at night."""
    clock.now = now = NOW
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


def test_times_are_the_shops_local_time_not_utc(client, db, shop, texted, clock):
    html = client.get("/dev/phone").get_data(as_text=True)
    assert '<time datetime="2026-11-23T12:00:00+00:00">13:00 CET</time>' in html and "UTC" not in html

    shop.timezone = "America/New_York"  # the thread follows the shop of the number's parcel
    db.session.commit()
    clock.now = NOW + timedelta(days=1)  # not today any more: the day is shown too
    assert ">23 Nov 07:00 EST</time>" in client.get("/dev/phone").get_data(as_text=True)


def test_a_number_without_a_parcel_is_shown_in_the_default_shop_zone(client, db, clock):
    clock.now = datetime(2026, 7, 1, 10, 30, tzinfo=UTC)
    assert client.post("/dev/phone/reply", data={"number": "+31687654321", "body": "hallo?"}).status_code == 303
    assert ">12:30 CEST</time>" in client.get("/dev/phone").get_data(as_text=True)


def test_stop_on_the_phone_is_confirmed_by_the_provider_and_bijna_stays_quiet(client, db, texted, clock, run_jobs):
    clock.now = NOW + timedelta(minutes=5)
    response = client.post("/dev/phone/reply", data={"number": NUMBER, "body": "Stop"})
    assert parse_qs(urlsplit(response.headers["Location"]).query)["webhook"] == ["200"]
    run_jobs()

    thread = simulated_threads(redis_connection())[NUMBER]
    assert [(t["direction"], t["from"], t["body"]) for t in thread[-2:]] == [
        ("inbound", NUMBER, "Stop"), ("outbound", SHOP_NUMBER, CONFIRMATIONS["STOP"])]
    inbound = db.session.execute(select(Message).where(Message.direction == "in")).scalar_one()
    assert (inbound.kind, inbound.status) == ("reply_stop", "processed")
    assert db.session.get(OptOut, NUMBER).source == "provider"
    outbound = db.session.execute(select(Message.kind, Message.status).where(Message.direction == "out")).all()
    assert [tuple(row) for row in outbound] == [("out_for_delivery", "delivered")]  # no "stopped" of ours, no 21610
    html = client.get("/dev/phone").get_data(as_text=True)
    assert "automatic answer from the SMS provider" in html and "keyword STOP" in html

    clock.now = NOW + timedelta(minutes=6)
    client.post("/dev/phone/reply", data={"number": NUMBER, "body": "START"})
    run_jobs()
    assert db.session.get(OptOut, NUMBER) is None
    assert simulated_threads(redis_connection())[NUMBER][-1]["body"] == CONFIRMATIONS["START"]
    assert db.session.execute(select(Message.kind).where(Message.direction == "out")).scalars().all() == [
        "out_for_delivery"]


def test_stop_in_words_twilio_does_not_know_is_confirmed_by_bijna(client, db, texted, clock, run_jobs):
    clock.now = NOW + timedelta(minutes=5)
    client.post("/dev/phone/reply", data={"number": NUMBER, "body": "stoppen, geen sms meer"})
    run_jobs()

    thread = simulated_threads(redis_connection())[NUMBER]
    stopped = db.session.execute(select(Message).where(Message.kind == "stopped")).scalar_one()
    assert stopped.status == "delivered" and db.session.get(OptOut, NUMBER).source == "reply"
    assert [(t["direction"], t["body"], t["origin"]) for t in thread[-2:]] == [
        ("inbound", "stoppen, geen sms meer", "bijna"), ("outbound", stopped.body, "bijna")]


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
    assert [(t["direction"], t["body"]) for t in thread[-2:]] == [("inbound", "HELP"),
                                                                  ("outbound", CONFIRMATIONS["HELP"])]
    inbound = db.session.execute(select(Message).where(Message.direction == "in")).scalar_one()
    assert (inbound.body, inbound.kind) == ("HELP", "reply_help") and inbound.provider_sid == thread[-2]["sid"]
    latest = client.get("/dev/phone/latest.json").get_json()["latest"]
    assert latest == thread[-1]["sid"]  # Twilio's answer shares its reply's moment: the later one is newest


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
