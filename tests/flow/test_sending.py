"""Sending through the real twilio SDK to a local stand-in: outcomes, retries, reconciling, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select, update

from app.messaging.outbox import MessageDraft, queue_texts
from app.messaging.ratelimit import SenderRateLimit
from app.messaging.recovery import LOOKUP_SETTLE, STALE_DISPATCH
from app.models import Message, OptOut
from app.sms.signature import sign_twilio_request
from bijna_testing import test_now
from workers.queues import TEXTS, queue
from workers.sending import send_texts
from workers.sweeper import sweep

PHONE = "+31612345678"


def _queue(shop, kind="arriving_soon", to=PHONE, valid_for=timedelta(minutes=20), now=None):
    now = now or test_now()
    draft = MessageDraft(to=to, kind=kind, body=f"Hoi! {kind}", shop_id=shop.id, valid_for=valid_for)
    return queue_texts([draft], now)[0]


def test_a_text_is_sent_once_with_callback_and_validity(db, shop, twilio, run_jobs):
    message_id = _queue(shop)
    run_jobs()
    assert len(twilio.messages) == 1
    params = twilio.messages[0]["params"]
    assert params["StatusCallback"] == "https://bijna.test/webhooks/twilio/status"
    assert 1 <= int(params["ValidityPeriod"]) <= 1200 and params["From"] == "+3197010203040"
    message = db.session.get(Message, message_id)
    assert message.status == "queued" and message.provider_sid == twilio.messages[0]["sid"]
    send_texts([message_id])  # a duplicate job finds nothing left to do
    assert len(twilio.messages) == 1


def test_429_is_retried_later_and_sent_once(db, shop, twilio, run_jobs):
    twilio.fail_next(429, 20429)
    message_id = _queue(shop)
    run_jobs()
    message = db.session.get(Message, message_id)
    assert (message.status, message.attempts, twilio.messages) == ("pending", 1, [])
    assert len(ScheduledJobRegistry(queue=queue(TEXTS))) == 1  # RQ's scheduler holds the retry
    send_texts([message_id])  # too early: the backoff holds, whoever runs the job
    assert twilio.create_attempts == 1
    send_texts([message_id], now=test_now() + timedelta(seconds=3))
    db.session.expire_all()
    assert db.session.get(Message, message_id).status == "queued" and len(twilio.messages) == 1


def test_an_unclear_500_is_reconciled_not_resent(db, shop, twilio, run_jobs):
    twilio.fail_next(500)  # the stand-in accepts the text, then answers 500
    message_id = _queue(shop)
    run_jobs()
    assert db.session.get(Message, message_id).status == "unknown"
    sweep(test_now() + LOOKUP_SETTLE + timedelta(seconds=1))
    run_jobs()
    message = db.session.get(Message, message_id)
    assert message.status == "queued" and message.provider_sid == twilio.messages[0]["sid"]
    assert len(twilio.messages) == 1 and twilio.create_attempts == 1


def test_a_text_lost_with_its_worker_is_sent_exactly_once(db, shop, twilio, run_jobs):
    message_id = _queue(shop)
    message = db.session.get(Message, message_id)
    message.status = "dispatching"  # a worker claimed it and died before calling Twilio
    db.session.commit()
    later = test_now() + STALE_DISPATCH + timedelta(seconds=5)
    sweep(later)  # dispatching → unknown; Twilio has nothing yet, but its list may lag
    run_jobs()
    assert twilio.messages == [] and db.session.get(Message, message_id).status == "unknown"
    sweep(later + LOOKUP_SETTLE + timedelta(seconds=1))  # still nothing after settling → pending
    sweep(later + LOOKUP_SETTLE + timedelta(seconds=30))  # pending and stale → enqueued
    run_jobs()
    assert len(twilio.messages) == 1
    assert db.session.get(Message, message_id).status == "queued"


def test_a_sent_text_whose_record_was_lost_is_found_at_twilio_not_resent(db, shop, twilio, run_jobs):
    # The provider's answer is committed without waiting for the disk (sending._finish): a PostgreSQL crash
    # right after the send leaves the row as its claim left it, dispatching, with no sid.
    message_id = _queue(shop)
    run_jobs()
    sid = db.session.get(Message, message_id).provider_sid
    db.session.execute(update(Message).where(Message.id == message_id)
                       .values(status="dispatching", provider_sid=None, sent_at=None))
    db.session.commit()
    later = test_now() + STALE_DISPATCH + timedelta(seconds=5)
    sweep(later)
    run_jobs()
    sweep(later + LOOKUP_SETTLE + timedelta(seconds=1))
    run_jobs()
    db.session.expire_all()
    message = db.session.get(Message, message_id)
    assert message.status == "queued" and message.provider_sid == sid
    assert len(twilio.messages) == 1 and twilio.create_attempts == 1


@pytest.mark.parametrize("mark, code, source", [("opt_out", 21610, "provider_error"),
                                                ("mark_landline", 21614, "unusable_number"),
                                                ("mark_invalid", 21211, "unusable_number")])
def test_permanent_failures_stop_texts_to_the_number(db, shop, twilio, run_jobs, mark, code, source):
    getattr(twilio, mark)(PHONE)
    first = _queue(shop)
    run_jobs()
    message = db.session.get(Message, first)
    assert (message.status, message.error_code) == ("failed", code)
    assert db.session.get(OptOut, PHONE).source == source
    second = _queue(shop, kind="delay")
    run_jobs()
    assert db.session.get(Message, second).status == "skipped"
    assert twilio.create_attempts == 1


def test_a_text_past_its_validity_expires_unsent(db, shop, twilio):
    now = test_now()
    message_id = _queue(shop, valid_for=timedelta(minutes=20), now=now)
    send_texts([message_id], now=now + timedelta(minutes=21))
    assert db.session.get(Message, message_id).status == "expired"
    assert twilio.create_attempts == 0


def _callback(client, form, token="simulator-auth-token"):
    url = "https://bijna.test/webhooks/twilio/status"
    return client.post("/webhooks/twilio/status", data=form,
                       headers={"X-Twilio-Signature": sign_twilio_request(token, url, form)})


def test_status_callbacks_only_move_forward(client, db, shop, run_jobs):
    message_id = _queue(shop)
    run_jobs()
    sid = db.session.get(Message, message_id).provider_sid
    for status in ("sent", "delivered", "sent", "queued"):
        assert _callback(client, {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC1"}).status_code == 204
    db.session.expire_all()
    assert db.session.get(Message, message_id).status == "delivered"


def test_unsigned_or_tampered_status_callbacks_are_refused(client, db, shop, run_jobs):
    message_id = _queue(shop)
    run_jobs()
    sid = db.session.get(Message, message_id).provider_sid
    form = {"MessageSid": sid, "MessageStatus": "failed"}
    assert client.post("/webhooks/twilio/status", data=form).status_code == 403
    signed = sign_twilio_request("simulator-auth-token", "https://bijna.test/webhooks/twilio/status", form)
    tampered = {**form, "MessageStatus": "undelivered"}
    assert client.post("/webhooks/twilio/status", data=tampered,
                       headers={"X-Twilio-Signature": signed}).status_code == 403
    wrong_url = sign_twilio_request("simulator-auth-token", "http://bijna.test/webhooks/twilio/status", form)
    assert client.post("/webhooks/twilio/status", data=form,
                       headers={"X-Twilio-Signature": wrong_url}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Message, message_id).status == "delivered"  # the simulator delivered it


def test_an_undelivered_callback_with_21610_opts_the_number_out(client, db, shop, twilio, run_jobs):
    message_id = _queue(shop)
    run_jobs()
    sid = db.session.get(Message, message_id).provider_sid
    form = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "21610"}
    assert _callback(client, form, token="test-token").status_code == 204
    assert db.session.get(OptOut, PHONE) is not None


def test_the_sender_rate_limit_spaces_sends(redis_client):
    limit = SenderRateLimit(redis_client, per_second=50)
    waited = sum(limit.acquire("+3197010203040") for _ in range(11))
    assert waited >= 0.15  # 11 sends at 50/s take at least 10 intervals of 20 ms
    other = SenderRateLimit(redis_client, per_second=50).acquire("OtherShop")
    assert other == 0  # each sender has its own budget


def test_a_two_segment_text_costs_two_slots_and_still_goes(redis_client):
    limit = SenderRateLimit(redis_client, per_second=20)
    assert limit.acquire("Shop", segments=2) == 0
    assert 0.05 <= limit.acquire("Shop", segments=1) <= 0.2  # waited for the two slots of 50 ms


def test_one_job_also_takes_other_due_texts(db, shop, twilio):
    now = test_now()
    ids = queue_texts([MessageDraft(to=f"+3161234567{i}", kind="delivered", body="Bezorgd!", shop_id=shop.id)
                       for i in range(3)], now)
    assert send_texts(ids[:1]) == {"queued": 3}  # the jobs for the other two will find nothing left
    assert send_texts(ids[1:]) == {}


def _arriving_soon_queued(client, carrier_headers, make_shipment):
    shipment = make_shipment()
    now = test_now()
    client.post("/api/v1/carrier/routes/R1/etas", headers=carrier_headers, json={
        "observed_at": now.isoformat(),
        "stops": [{"tracking_number": "3SBIJ0001", "eta": (now + timedelta(minutes=10)).isoformat()}]})
    return shipment


@pytest.mark.parametrize("change", [{"cancel": True}, {"notify": False}, {"recipient": {"phone": "0687654321"}}])
def test_a_queued_text_is_not_sent_after_cancel_mute_or_a_new_number(client, db, shop_headers, carrier_headers,
                                                                      make_shipment, twilio, run_jobs, change):
    shipment = _arriving_soon_queued(client, carrier_headers, make_shipment)
    url = f"/api/v1/shipments/{shipment['id']}"
    if change.pop("cancel", False):
        assert client.post(f"{url}/cancel", headers=shop_headers).status_code == 200
    else:
        assert client.patch(url, json=change, headers=shop_headers).status_code == 200
    run_jobs()
    message = db.session.execute(select(Message).where(Message.shipment_id == shipment["id"])).scalar_one()
    assert message.status == "skipped" and twilio.create_attempts == 0


def test_a_stop_that_arrives_while_a_text_waits_still_counts(client, db, carrier_headers, make_shipment, twilio,
                                                             run_jobs):
    from app.messaging.opt_outs import opt_out

    _arriving_soon_queued(client, carrier_headers, make_shipment)
    opt_out("+31612345678", "reply", test_now())
    db.session.commit()
    run_jobs()
    assert twilio.create_attempts == 0


def test_a_callback_that_overtakes_its_send_is_applied_when_the_send_is_recorded(client, db, shop, twilio):
    from app.messaging.sending import record_result
    from app.sms.provider import ACCEPTED, SendResult

    message_id = _queue(shop)
    form = {"MessageSid": "SMearly", "MessageStatus": "undelivered", "ErrorCode": "30003"}
    assert _callback(client, form, token="test-token").status_code == 204  # nothing to match yet
    message = db.session.get(Message, message_id)
    record_result(message, SendResult(ACCEPTED, provider_sid="SMearly", status="queued"), test_now())
    db.session.expire_all()
    assert (db.session.get(Message, message_id).status, db.session.get(Message, message_id).error_code) == (
        "undelivered", 30003)
