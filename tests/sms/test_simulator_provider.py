"""SimulatorProvider against a real Redis (database 15, flushed around each test)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis

from app.sms import simulator_provider
from app.sms.keywords import CONFIRMATIONS
from app.sms.provider import ACCEPTED, FAILED, SendRequest
from app.sms.simulator_provider import (
    SimulatorProvider,
    recent_texts,
    record_inbound,
    simulated_threads,
)

# The same database tests/conftest.py uses, so parallel runs can move both together.
REDIS_URL = f"redis://127.0.0.1:6379/{int(os.environ.get('BIJNA_TEST_REDIS_DB', '15'))}"
RECIPIENT = "+31612345678"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the simulator takes its clock: any date will do


@pytest.fixture(params=[False, True], ids=["bytes", "decoded"])
def redis(request) -> Iterator[Redis]:
    connection = Redis.from_url(REDIS_URL, decode_responses=request.param)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


@pytest.fixture
def provider(redis: Redis) -> SimulatorProvider:
    return SimulatorProvider(redis, clock=lambda: NOW)


def text(body: str = "Je pakket is er over 15 minuten!", to: str = RECIPIENT,
         reference: str = "msg-1", sender: str | None = "MyShop") -> SendRequest:
    return SendRequest(to=to, body=body, sender=sender, status_callback=None,
                       validity_seconds=None, reference=reference)


def test_sent_text_lands_in_the_recipients_thread(provider, redis):
    result = provider.send(text())

    assert result.outcome == ACCEPTED
    assert re.fullmatch(r"SM[0-9a-f]{32}", result.provider_sid)
    [stored] = simulated_threads(redis)[RECIPIENT]
    assert stored["sid"] == result.provider_sid
    assert (stored["to"], stored["from"], stored["body"]) == (
        RECIPIENT, "MyShop", "Je pakket is er over 15 minuten!"
    )
    assert stored["status"] == result.status == "delivered"
    assert datetime.fromisoformat(stored["created_at"]) == NOW
    assert recent_texts(redis)[0]["sid"] == result.provider_sid


def test_text_without_shop_sender_comes_from_the_default_sender(provider, redis):
    provider.send(text(sender=None))

    assert simulated_threads(redis)[RECIPIENT][0]["from"] == "Bijna"


def test_lookup_finds_the_text_by_our_reference(provider):
    started = NOW
    sid = provider.send(text(reference="msg-42")).provider_sid

    found = provider.lookup("msg-42", RECIPIENT, started)

    assert found is not None and (found.outcome, found.provider_sid) == (ACCEPTED, sid)
    assert provider.lookup("msg-43", RECIPIENT, started) is None
    assert provider.lookup("msg-42", "+31687654321", started) is None
    assert provider.lookup("msg-42", RECIPIENT, started + timedelta(minutes=1)) is None


def test_replies_show_in_the_same_thread_in_order(provider, redis):
    provider.send(text())
    reply = record_inbound(redis, RECIPIENT, "1", now=NOW)

    thread = simulated_threads(redis)[RECIPIENT]

    assert [(t["direction"], t["body"]) for t in thread] == [
        ("outbound", "Je pakket is er over 15 minuten!"),
        ("inbound", "1"),
    ]
    assert thread[1]["sid"] == reply["sid"] and thread[1]["from"] == RECIPIENT
    assert reply["opt_out_type"] is None  # no keyword: Twilio posts no OptOutType and answers nothing


def test_stop_blocks_further_texts_like_twilio_until_start(provider, redis):
    record_inbound(redis, RECIPIENT, " stop ", now=NOW)

    blocked = provider.send(text())
    record_inbound(redis, RECIPIENT, "START", now=NOW)
    allowed = provider.send(text())

    assert (blocked.outcome, blocked.error_code) == (FAILED, 21610)
    assert allowed.outcome == ACCEPTED


def test_stop_is_confirmed_by_the_provider_itself_in_the_thread(provider, redis):
    provider.send(text(sender="+3197010203040"))
    reply = record_inbound(redis, RECIPIENT, "Stop", to="+3197010203040", now=NOW)

    thread = simulated_threads(redis)[RECIPIENT]

    assert reply["opt_out_type"] == "STOP"
    assert [(t["direction"], t["from"], t["body"], t["origin"]) for t in thread[1:]] == [
        ("inbound", RECIPIENT, "Stop", "bijna"),
        ("outbound", "+3197010203040", CONFIRMATIONS["STOP"], "provider"),
    ]
    assert thread[2]["status"] == "delivered"
    assert provider.send(text()).error_code == 21610  # its own confirmation went, ours may not


@pytest.mark.parametrize("body, opt_out_type", [
    ("STOP", "STOP"), ("stopall", "STOP"), ("Unsubscribe", "STOP"), ("CANCEL", "STOP"), ("end", "STOP"),
    ("QUIT", "STOP"), ("revoke", "STOP"), ("OPTOUT", "STOP"),
    ("START", "START"), ("yes", "START"), ("UNSTOP", "START"),
    ("HELP", "HELP"), (" info ", "HELP"),
])
def test_twilio_keywords_get_their_opt_out_type_and_an_answer(redis, body, opt_out_type):
    reply = record_inbound(redis, RECIPIENT, body, now=NOW)

    answer = simulated_threads(redis)[RECIPIENT][-1]
    assert reply["opt_out_type"] == opt_out_type
    assert (answer["direction"], answer["body"]) == ("outbound", CONFIRMATIONS[opt_out_type])


@pytest.mark.parametrize("body", ["please stop by the neighbours", "stoppen", "geen sms meer",
                                  "stop stop", "help me", "ja"])
def test_only_a_bare_twilio_keyword_counts(provider, redis, body):
    reply = record_inbound(redis, RECIPIENT, body, now=NOW)

    assert reply["opt_out_type"] is None
    assert [t["direction"] for t in simulated_threads(redis)[RECIPIENT]] == ["inbound"]
    assert provider.send(text()).outcome == ACCEPTED


def test_help_and_start_do_not_block(provider, redis):
    for body in ("HELP", "START"):
        record_inbound(redis, RECIPIENT, body, now=NOW)

    assert provider.send(text()).outcome == ACCEPTED


def test_number_not_in_e164_is_unusable(provider, redis):
    result = provider.send(text(to="0612345678"))

    assert (result.outcome, result.error_code) == (FAILED, 21211)
    assert simulated_threads(redis) == {}


def test_threads_and_recent_list_are_capped(provider, redis, monkeypatch):
    monkeypatch.setattr(simulator_provider, "THREAD_CAP", 3)
    monkeypatch.setattr(simulator_provider, "RECENT_CAP", 4)

    for number in range(6):
        provider.send(text(body=f"bericht {number}", reference=f"msg-{number}"))

    assert [t["body"] for t in simulated_threads(redis)[RECIPIENT]] == [
        "bericht 3", "bericht 4", "bericht 5"
    ]
    assert [t["body"] for t in recent_texts(redis, limit=10)] == [
        "bericht 5", "bericht 4", "bericht 3", "bericht 2"
    ]


def test_most_recently_active_number_comes_first(redis):
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    moments = iter([start, start + timedelta(minutes=1)])
    provider = SimulatorProvider(redis, clock=lambda: next(moments))
    provider.send(text(to="+31600000001"))
    provider.send(text(to="+31600000002"))
    record_inbound(redis, "+31600000001", "2", now=start + timedelta(minutes=2))

    assert list(simulated_threads(redis)) == ["+31600000001", "+31600000002"]
