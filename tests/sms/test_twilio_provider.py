"""TwilioProvider through the real twilio SDK against the local Messages API stand-in."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from app.sms.keywords import CONFIRMATIONS
from app.sms.provider import ACCEPTED, FAILED, RETRY, STOP_TEXTING_CODES, UNKNOWN, SendRequest
from app.sms.twilio_provider import TwilioProvider
from devtools.twilio_standin import TwilioStandin

ACCOUNT_SID = "AC" + "a1" * 16
AUTH_TOKEN = "test-auth-token"
SERVICE_SID = "MG" + "b2" * 16
OUR_NUMBER = "+3197010520000"
RECIPIENT = "+31612345678"
CALLBACK = "https://bijna.example/twilio/status"


@pytest.fixture
def standin() -> Iterator[TwilioStandin]:
    with TwilioStandin() as running:
        yield running


@pytest.fixture
def provider(standin: TwilioStandin) -> TwilioProvider:
    return TwilioProvider(ACCOUNT_SID, AUTH_TOKEN, from_number=OUR_NUMBER,
                          base_url=standin.base_url, timeout=2)


def arriving_soon(to: str = RECIPIENT, body: str = "Je pakket is er over 15 minuten!",
                  sender: str | None = None, validity: int | None = 900) -> SendRequest:
    return SendRequest(to=to, body=body, sender=sender, status_callback=CALLBACK,
                       validity_seconds=validity, reference="msg-1")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_accepted_send_returns_the_sid_the_standin_recorded(provider, standin):
    result = provider.send(arriving_soon())

    assert result.outcome == ACCEPTED
    assert result.status == "queued"
    [message] = standin.messages
    assert result.provider_sid == message["sid"]
    assert message["params"] == {
        "To": RECIPIENT,
        "From": OUR_NUMBER,
        "Body": "Je pakket is er over 15 minuten!",
        "StatusCallback": CALLBACK,
        "ValidityPeriod": "900",
    }


def test_messaging_service_is_preferred_over_a_from_number(standin):
    provider = TwilioProvider(ACCOUNT_SID, AUTH_TOKEN, messaging_service_sid=SERVICE_SID,
                              from_number=OUR_NUMBER, base_url=standin.base_url)

    result = provider.send(arriving_soon(sender="MyShop"))

    assert result.outcome == ACCEPTED
    assert result.status == "accepted"
    params = standin.messages[0]["params"]
    assert params["MessagingServiceSid"] == SERVICE_SID
    assert "From" not in params


@pytest.mark.parametrize(
    ("shop_sender", "expected_from"),
    [
        ("MyShop", "MyShop"),
        ("+31201234567", "+31201234567"),
        ("A shop name too long", OUR_NUMBER),  # alphanumeric IDs stop at 11 characters
        ("Shop & Co", OUR_NUMBER),
        ("12345", OUR_NUMBER),  # an ID needs a letter
        (None, OUR_NUMBER),
    ],
)
def test_shop_sender_is_used_as_from_only_when_twilio_accepts_it(
    provider, standin, shop_sender, expected_from
):
    provider.send(arriving_soon(sender=shop_sender))

    assert standin.messages[0]["params"]["From"] == expected_from


def test_validity_is_capped_at_twilio_maximum_and_left_out_when_unset(provider, standin):
    provider.send(arriving_soon(validity=86_400))
    provider.send(arriving_soon(validity=None))

    first, second = (message["params"] for message in standin.messages)
    assert first["ValidityPeriod"] == "36000"
    assert "ValidityPeriod" not in second


def test_too_many_requests_is_retry_and_nothing_was_sent(provider, standin):
    standin.fail_next(429, code=20429)

    result = provider.send(arriving_soon())

    assert result.outcome == RETRY
    assert result.error_code == 20429
    assert standin.messages == []
    assert standin.create_attempts == 1


def test_ambiguous_500_is_unknown_and_lookup_finds_the_text_so_it_is_not_sent_twice(
    provider, standin
):
    started = datetime.now(UTC)
    standin.fail_next(500)  # accepted, then answered 500

    result = provider.send(arriving_soon())
    found = provider.lookup("msg-1", RECIPIENT, started, body=arriving_soon().body)

    assert result.outcome == UNKNOWN
    assert result.error_code is None  # the SDK's stand-in for a missing code is the status
    assert found is not None and found.outcome == ACCEPTED
    assert found.provider_sid == standin.messages[0]["sid"]
    assert len(standin.messages) == 1


def test_lookup_finds_a_text_already_sent_through_the_date_filter(provider, standin):
    started = datetime.now(UTC)
    sid = provider.send(arriving_soon()).provider_sid
    standin.set_status(sid, "delivered")

    found = provider.lookup("msg-1", RECIPIENT, started, body=arriving_soon().body)

    assert found is not None
    assert (found.provider_sid, found.status) == (sid, "delivered")


def test_lookup_ignores_other_texts_and_returns_none_when_nothing_was_created(
    provider, standin
):
    started = datetime.now(UTC)
    provider.send(arriving_soon(body="Een ander bericht"))
    provider.send(arriving_soon(to="+31687654321"))
    standin.fail_next(500, accept=False)  # failed before creating anything

    assert provider.send(arriving_soon()).outcome == UNKNOWN
    assert provider.lookup("msg-1", RECIPIENT, started, body=arriving_soon().body) is None


def test_lookup_ignores_identical_texts_from_long_before(provider, standin):
    provider.send(arriving_soon())

    later = datetime.now(UTC) + timedelta(minutes=5)

    assert provider.lookup("msg-1", RECIPIENT, later, body=arriving_soon().body) is None


def test_lookup_needs_the_body_because_twilio_keeps_no_reference(provider):
    with pytest.raises(ValueError):
        provider.lookup("msg-1", RECIPIENT, datetime.now(UTC))


def test_connection_refused_is_retry():
    provider = TwilioProvider(ACCOUNT_SID, AUTH_TOKEN, from_number=OUR_NUMBER,
                              base_url=f"http://127.0.0.1:{free_port()}")

    result = provider.send(arriving_soon())

    assert result.outcome == RETRY
    assert "ConnectionError" in result.error_message


def test_unresolvable_host_is_retry():
    provider = TwilioProvider(ACCOUNT_SID, AUTH_TOKEN, from_number=OUR_NUMBER,
                              base_url="http://twilio-standin.invalid")

    assert provider.send(arriving_soon()).outcome == RETRY


def test_read_timeout_is_unknown_and_the_text_can_be_found(standin):
    provider = TwilioProvider(ACCOUNT_SID, AUTH_TOKEN, from_number=OUR_NUMBER,
                              base_url=standin.base_url, timeout=0.3)
    started = datetime.now(UTC)
    standin.delay_next(1.0)

    result = provider.send(arriving_soon())
    found = provider.lookup("msg-1", RECIPIENT, started, body=arriving_soon().body)

    assert result.outcome == UNKNOWN
    assert "ReadTimeout" in result.error_message
    assert found is not None and found.provider_sid == standin.messages[0]["sid"]


@pytest.mark.parametrize(
    ("register", "to", "code"),
    [
        ("mark_invalid", "+31600000001", 21211),
        ("mark_landline", "+31201234567", 21614),
        (None, "0612345678", 21211),  # not E.164
    ],
)
def test_unusable_numbers_fail_for_good(provider, standin, register, to, code):
    if register:
        getattr(standin, register)(to)

    result = provider.send(arriving_soon(to=to))

    assert (result.outcome, result.error_code) == (FAILED, code)
    assert STOP_TEXTING_CODES[result.error_code] == "unusable_number"
    assert standin.messages == []


def test_number_that_sent_stop_at_twilio_is_opted_out(provider, standin):
    standin.opt_out(RECIPIENT)

    result = provider.send(arriving_soon())

    assert (result.outcome, result.error_code) == (FAILED, 21610)
    assert STOP_TEXTING_CODES[result.error_code] == "provider_error"
    assert "unsubscribed" in result.error_message


def test_stop_texted_to_twilio_is_answered_by_twilio_and_blocks_sends_until_start(provider, standin):
    form = standin.receive(RECIPIENT, " Stop ", to=OUR_NUMBER, account_sid=ACCOUNT_SID)

    assert (form["OptOutType"], form["From"], form["To"], form["Body"]) == ("STOP", RECIPIENT, OUR_NUMBER, " Stop ")
    [answer] = standin.messages
    assert (answer["to"], answer["from"], answer["body"]) == (RECIPIENT, OUR_NUMBER, CONFIRMATIONS["STOP"])
    assert answer["direction"] == "outbound-reply"
    assert provider.send(arriving_soon()).error_code == 21610

    assert standin.receive(RECIPIENT, "unstop", to=OUR_NUMBER, account_sid=ACCOUNT_SID)["OptOutType"] == "START"
    assert standin.messages[-1]["body"] == CONFIRMATIONS["START"]
    assert provider.send(arriving_soon()).outcome == ACCEPTED


def test_words_twilio_does_not_know_pass_through_without_an_answer(provider, standin):
    form = standin.receive(RECIPIENT, "stoppen graag", to=OUR_NUMBER, account_sid=ACCOUNT_SID)

    assert "OptOutType" not in form and standin.messages == []
    assert provider.send(arriving_soon()).outcome == ACCEPTED


def test_start_does_not_make_a_landline_textable(provider, standin):
    standin.mark_landline(RECIPIENT)
    standin.receive(RECIPIENT, "START", to=OUR_NUMBER, account_sid=ACCOUNT_SID)

    assert provider.send(arriving_soon()).error_code == 21614


def test_other_client_errors_fail_with_their_code(provider, standin):
    standin.fail_next(400, code=21606)

    result = provider.send(arriving_soon())

    assert (result.outcome, result.error_code) == (FAILED, 21606)
    assert result.error_code not in STOP_TEXTING_CODES


def test_client_is_built_on_first_send_not_before(standin):
    provider = TwilioProvider(ACCOUNT_SID, AUTH_TOKEN, from_number=OUR_NUMBER,
                              base_url=standin.base_url)
    assert provider._client is None

    provider.send(arriving_soon())

    assert provider._client is not None
    assert provider.client.api.base_url == standin.base_url


def test_provider_refuses_to_start_without_a_sender():
    with pytest.raises(ValueError):
        TwilioProvider(ACCOUNT_SID, AUTH_TOKEN)


def test_standin_pages_lists_the_way_the_sdk_follows(provider, standin):
    for number in range(25):
        provider.send(arriving_soon(body=f"bericht {number}"))

    listed = provider.client.messages.list(to=RECIPIENT, page_size=10)

    assert len(listed) == 25
    assert {message.body for message in listed} == {f"bericht {n}" for n in range(25)}
    assert provider.client.messages(listed[0].sid).fetch().sid == listed[0].sid


def test_standin_keeps_only_the_newest_messages_when_capped():
    with TwilioStandin(max_messages=2) as capped:
        provider = TwilioProvider(ACCOUNT_SID, AUTH_TOKEN, from_number=OUR_NUMBER,
                                  base_url=capped.base_url)
        for number in range(3):
            provider.send(arriving_soon(body=f"bericht {number}"))

        assert [message["body"] for message in capped.messages] == ["bericht 1", "bericht 2"]
