"""Messages to one number reach the provider in the order they were decided, even with several real
workers racing for them; a waiting message that a newer one makes stale is dropped, not sent."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select

from app.messaging.ordering import SUPERSEDED
from app.messaging.outbox import MessageDraft, store_texts
from app.models import Message, Shipment
from bijna_testing import DATABASE_URL, REDIS_URL, test_now
from workers.sending import enqueue_sends, send_texts

NUMBERS = [f"+3161000000{i}" for i in range(3)]
PER_NUMBER = 15
WORKERS = 3


def _store(db, drafts_at):
    rows = []
    for draft, at in drafts_at:
        rows += store_texts([draft], at)
    db.session.commit()
    return [row["id"] for row in rows]


def test_several_workers_never_let_a_newer_message_overtake_an_older_one(app, db, shop, twilio):
    start = test_now() - timedelta(minutes=1)
    drafts = [(MessageDraft(to=number, kind="reply_answer", body=f"{number[-1]}-{i:02d}", shop_id=shop.id),
               start + timedelta(milliseconds=10 * (i * len(NUMBERS) + n)))
              for i in range(PER_NUMBER) for n, number in enumerate(NUMBERS)]
    ids = _store(db, drafts)
    twilio.delay_next(0.02, times=len(ids))  # each send stays in flight a while, so workers overlap
    shuffled = ids[:]
    random.Random(7).shuffle(shuffled)
    for message_id in shuffled:  # one job per message, in no particular order
        enqueue_sends([message_id])
    env = {**os.environ, "ENV": "test", "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL,
           "SMS_PROVIDER": "twilio", "TWILIO_ACCOUNT_SID": app.config["TWILIO_ACCOUNT_SID"],
           "TWILIO_AUTH_TOKEN": app.config["TWILIO_AUTH_TOKEN"], "TWILIO_FROM": app.config["TWILIO_FROM"],
           "TWILIO_API_BASE_URL": twilio.base_url, "SENDER_RATE_PER_SECOND": "10000"}
    workers = [subprocess.Popen([sys.executable, "-m", "workers.run", "--burst"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(WORKERS)]
    for worker in workers:
        assert worker.wait(timeout=120) == 0, worker.stderr.read().decode()[-2000:]

    received = defaultdict(list)
    for message in twilio.messages:
        received[message["params"]["To"]].append(message["params"]["Body"])
    for n, number in enumerate(NUMBERS):
        assert received[number] == [f"{number[-1]}-{i:02d}" for i in range(PER_NUMBER)], number
    db.session.expire_all()
    assert {m.status for m in db.session.execute(select(Message)).scalars()} == {"queued"}


def test_a_message_waits_while_an_older_one_to_the_same_number_is_in_flight(db, shop, twilio):
    now = test_now()
    later = now + timedelta(milliseconds=1)
    older, newer, other = _store(db, [
        (MessageDraft(to=NUMBERS[0], kind="reply_answer", body="first", shop_id=shop.id), now),
        (MessageDraft(to=NUMBERS[0], kind="reply_answer", body="second", shop_id=shop.id), later),
        (MessageDraft(to=NUMBERS[1], kind="reply_answer", body="elsewhere", shop_id=shop.id), now)])
    db.session.get(Message, older).status = "dispatching"  # another worker holds it
    db.session.commit()
    assert send_texts([newer, other], now=now) == {"queued": 1}
    assert [m["params"]["Body"] for m in twilio.messages] == ["elsewhere"]
    db.session.get(Message, older).status = "queued"  # that worker recorded it
    db.session.commit()
    assert send_texts([newer], now=now) == {"queued": 1}


def test_a_message_held_for_quiet_hours_does_not_hold_up_a_newer_urgent_one(db, shop, twilio):
    now = test_now()
    held = MessageDraft(to=NUMBERS[0], kind="in_transit", body="later", shop_id=shop.id,
                        send_after=now + timedelta(hours=8))
    urgent = MessageDraft(to=NUMBERS[0], kind="reply_answer", body="now", shop_id=shop.id)
    _, urgent_id = _store(db, [(held, now), (urgent, now + timedelta(seconds=1))])
    assert send_texts([urgent_id], now=now + timedelta(seconds=1)) == {"queued": 1}


def test_an_older_window_still_waiting_is_dropped_once_a_delay_is_decided(db, shop, make_shipment, twilio,
                                                                          run_jobs):
    shipment = db.session.get(Shipment, make_shipment()["id"])
    shipment.status = "out_for_delivery"
    db.session.commit()
    now = test_now()
    about = {"to": shipment.recipient_phone, "shop_id": shop.id, "shipment_id": shipment.id}
    window, delay = _store(db, [
        (MessageDraft(kind="out_for_delivery", body="Vandaag tussen 10:00 en 11:00", **about), now),
        (MessageDraft(kind="delay", body="Sorry, het wordt 11:30 tot 12:30", **about), now + timedelta(seconds=2))])
    enqueue_sends([window, delay])
    run_jobs()
    assert [m["params"]["Body"] for m in twilio.messages] == ["Sorry, het wordt 11:30 tot 12:30"]
    dropped = db.session.get(Message, window)
    assert (dropped.status, dropped.error_message) == ("skipped", SUPERSEDED)
