"""Twilio's inbound webhook: signed, answered at once with empty TwiML, kept once, never lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import select

from app.models import Message, OptOut
from app.sms.keywords import CONFIRMATIONS
from app.sms.signature import sign_twilio_request
from replies_testing import (
    INBOUND_URL,
    PHONE,
    SENDER,
    delivered_event,
    kinds_to,
    reply,
    route_push,
)
from workers.sweeper import sweep

FORM = {"MessageSid": "SM" + "1" * 32, "From": PHONE, "To": SENDER, "Body": "1", "NumMedia": "0"}

pytest_plugins = ("replies_fixtures",)  # the carrier simulator and clock fixtures


def _inbound(db) -> list[Message]:
    return list(db.session.execute(select(Message).where(Message.direction == "in")).scalars())


@pytest.mark.parametrize("signature, url", [
    (None, INBOUND_URL),
    ("bm90IGEgc2lnbmF0dXJl", INBOUND_URL),
    ("sign", "http://bijna.test/webhooks/twilio/sms"),  # what request.url says behind a TLS proxy
    ("sign", "https://bijna.test/webhooks/twilio/sms/"),
])
def test_a_missing_or_wrong_signature_is_refused_and_changes_nothing(app, client, db, signature, url):
    if signature == "sign":
        signature = sign_twilio_request(app.config["SETTINGS"].twilio_auth_token, url, FORM)
    headers = {"X-Twilio-Signature": signature} if signature else {}
    response = client.post("/webhooks/twilio/sms", data=FORM, headers=headers)
    assert response.status_code == 403
    assert _inbound(db) == []


def test_a_field_left_out_of_the_signature_is_refused(app, client, db):
    signature = sign_twilio_request(app.config["SETTINGS"].twilio_auth_token, INBOUND_URL, FORM)
    response = client.post("/webhooks/twilio/sms", data={**FORM, "OptOutType": "STOP"},
                           headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403
    assert db.session.get(OptOut, PHONE) is None


def test_a_reply_is_kept_and_answered_with_empty_twiml(app, client, db):
    response = reply(client, app, " 1 graag ", sid="SM" + "a" * 32)
    assert response.status_code == 200
    assert response.content_type.startswith("text/xml")
    assert response.data.decode().endswith("<Response />")
    [message] = _inbound(db)
    assert (message.from_number, message.to_number, message.body) == (PHONE, SENDER, " 1 graag ")
    assert (message.status, message.kind, message.provider_sid) == ("received", "reply", "SM" + "a" * 32)


def test_a_retried_webhook_is_processed_once(app, client, db, make_shipment, carrier_headers, sim, t0, clock,
                                             run_jobs):
    make_shipment()
    route_push(client, carrier_headers, t0, [("3SBIJ0001", 10)])
    clock.now = t0 + timedelta(minutes=1)
    for _ in range(3):  # Twilio retries when our answer is slow or lost
        assert reply(client, app, "1", sid="SM" + "b" * 32).status_code == 200
    run_jobs()

    assert len(_inbound(db)) == 1
    assert kinds_to(db) == ["arriving_soon", "rebook_confirmed_neighbour"]
    assert len(sim.commands(tracking_number="3SBIJ0001")) == 1


def test_junk_without_a_message_sid_is_answered_and_ignored(app, client, db):
    response = reply(client, app, "1", sid=" ")
    assert response.status_code == 200 and response.data.decode().endswith("<Response />")
    assert _inbound(db) == []


def test_a_reply_stored_while_redis_is_away_is_picked_up_by_the_sweeper(app, client, db, make_shipment,
                                                                        carrier_headers, sim, t0, clock, run_jobs,
                                                                        monkeypatch):
    make_shipment()
    route_push(client, carrier_headers, t0, [("3SBIJ0001", 10)])
    run_jobs()
    clock.now = t0 + timedelta(minutes=1)

    def redis_down(name):
        raise RedisConnectionError("Redis is away")

    monkeypatch.setattr("workers.queues.queue", redis_down)
    assert reply(client, app, "1").status_code == 200
    monkeypatch.undo()
    run_jobs()
    assert _inbound(db)[0].status == "received"  # nobody heard of it yet

    assert sweep(clock.now + timedelta(seconds=5))["requeue_unread_replies"] == 0  # not stale yet
    assert sweep(clock.now + timedelta(seconds=20))["requeue_unread_replies"] == 1
    run_jobs()
    assert _inbound(db)[0].status == "processed"
    assert kinds_to(db)[-1] == "rebook_confirmed_neighbour"


def test_twilio_opt_out_type_stop_opts_out_at_once_without_a_second_confirmation(app, client, db, run_jobs):
    reply(client, app, "STOP", OptOutType="STOP")
    assert db.session.get(OptOut, PHONE).source == "provider"  # before any worker ran
    run_jobs()
    assert kinds_to(db) == []  # Twilio already confirmed it
    assert _inbound(db)[0].kind == "reply_stop"

    reply(client, app, "START", OptOutType="START")
    assert db.session.get(OptOut, PHONE) is None
    run_jobs()
    assert kinds_to(db) == []


def test_twilio_opt_out_type_help_is_not_answered_twice(app, client, db, make_shipment, run_jobs):
    make_shipment()
    reply(client, app, "INFO", OptOutType="HELP")
    run_jobs()
    assert kinds_to(db) == []
    assert _inbound(db)[0].kind == "reply_help"


def test_twilio_stop_after_our_own_opt_out_marks_the_number_blocked_at_twilio(app, client, db, make_shipment,
                                                                           run_jobs):
    make_shipment()
    reply(client, app, "stoppen")  # Dutch: Twilio lets it through, Bijna opts out and confirms itself
    run_jobs()
    assert db.session.get(OptOut, PHONE).source == "reply" and kinds_to(db) == ["stopped"]

    reply(client, app, "STOP", OptOutType="STOP")
    db.session.expire_all()
    assert db.session.get(OptOut, PHONE).source == "provider"  # the send path now knows Twilio refuses
    run_jobs()
    assert kinds_to(db) == ["stopped"]


@pytest.mark.parametrize("source", ["provider", "provider_error"])
def test_a_number_twilio_blocks_gets_nothing_queued_and_only_twilios_start_unblocks_it(
        app, client, db, make_shipment, run_jobs, source, clock, t0):
    make_shipment()
    db.session.add(OptOut(phone=PHONE, source=source, created_at=t0))  # it texted Twilio STOP, or got 21610
    db.session.commit()
    for body in ("wat is dit?", "stoppen", "aanmelden"):  # help, stop and start in words Twilio ignores
        clock.now += timedelta(minutes=1)
        reply(client, app, body)
        run_jobs()
    assert kinds_to(db) == []  # Twilio would refuse each of them with 21610
    assert db.session.get(OptOut, PHONE).source == source  # "aanmelden" cannot lift Twilio's block
    assert [m.kind for m in _inbound(db)] == ["reply_help", "reply_stop", "reply_start"]

    clock.now += timedelta(minutes=1)
    reply(client, app, "Start", OptOutType="START")
    assert db.session.get(OptOut, PHONE) is None
    run_jobs()
    assert kinds_to(db) == []  # Twilio confirmed it

    clock.now += timedelta(minutes=1)
    reply(client, app, "wat is dit?")
    run_jobs()
    assert kinds_to(db) == ["help"]  # answered by Bijna again now that Twilio lets texts through


def test_with_twilio_a_stop_is_confirmed_by_twilio_alone_and_no_send_is_tried_after_it(
        app, client, db, twilio, make_shipment, carrier_headers, sim, t0, clock, run_jobs):
    make_shipment()
    route_push(client, carrier_headers, t0, [("3SBIJ0001", 10)])
    run_jobs()
    clock.now = t0 + timedelta(minutes=1)
    form = twilio.receive(PHONE, "STOP", to=SENDER, account_sid=app.config["TWILIO_ACCOUNT_SID"])
    signature = sign_twilio_request(app.config["TWILIO_AUTH_TOKEN"], INBOUND_URL, form)
    assert client.post("/webhooks/twilio/sms", data=form, headers={"X-Twilio-Signature": signature}).status_code == 200
    run_jobs()
    tried = twilio.create_attempts

    clock.now = t0 + timedelta(minutes=12)
    delivered_event(client, carrier_headers, "3SBIJ0001", clock.now)
    run_jobs()

    assert twilio.create_attempts == tried == 1  # the arriving-soon text; nothing after the STOP
    assert [m["body"] for m in twilio.messages][-1] == CONFIRMATIONS["STOP"]  # what the recipient read
    assert kinds_to(db) == ["arriving_soon"]
    assert db.session.get(OptOut, PHONE).source == "provider"
