"""X-Twilio-Signature helpers: what Twilio signs must validate, anything else must not."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from app.sms.signature import is_valid_twilio_request, sign_twilio_request

TOKEN = "test-auth-token"
URL = "https://bijna.example/twilio/inbound?shop=42"
FORM = {
    "MessageSid": "SM" + "c3" * 16,
    "AccountSid": "AC" + "a1" * 16,
    "From": "+31612345678",
    "To": "+3197010520000",
    "Body": "1",
    "NumMedia": "0",
}


def test_signed_request_validates():
    signature = sign_twilio_request(TOKEN, URL, FORM)

    assert is_valid_twilio_request(TOKEN, URL, FORM, signature)


def test_flask_form_multidict_validates():
    signature = sign_twilio_request(TOKEN, URL, FORM)

    assert is_valid_twilio_request(TOKEN, URL, MultiDict(FORM), signature)


def test_default_port_written_out_still_validates():
    # Twilio itself is inconsistent about :443, so the SDK accepts both spellings.
    signature = sign_twilio_request(TOKEN, URL, FORM)

    assert is_valid_twilio_request(
        TOKEN, "https://bijna.example:443/twilio/inbound?shop=42", FORM, signature
    )


@pytest.mark.parametrize(
    "validated_url",
    [
        "http://bijna.example/twilio/inbound?shop=42",  # request.url behind a TLS proxy
        "https://bijna.example/twilio/inbound",
        "https://bijna.example/twilio/inbound/?shop=42",
        "https://bijna.example/twilio/inbound?shop=43",
    ],
)
def test_url_that_differs_from_the_signed_one_is_rejected(validated_url):
    signature = sign_twilio_request(TOKEN, URL, FORM)

    assert not is_valid_twilio_request(TOKEN, validated_url, FORM, signature)


def test_url_signed_with_a_port_is_rejected_without_it():
    signed_url = "https://bijna.example:8443/twilio/inbound?shop=42"
    signature = sign_twilio_request(TOKEN, signed_url, FORM)

    assert is_valid_twilio_request(TOKEN, signed_url, FORM, signature)
    assert not is_valid_twilio_request(TOKEN, URL, FORM, signature)


def test_sdk_drops_any_port_from_the_url_it_validates():
    # RequestValidator also tries the URL without its port, whatever the port: a
    # PUBLIC_BASE_URL with a stray port still validates. Pinned so an SDK change shows.
    signature = sign_twilio_request(TOKEN, URL, FORM)

    assert is_valid_twilio_request(
        TOKEN, "https://bijna.example:8443/twilio/inbound?shop=42", FORM, signature
    )


@pytest.mark.parametrize(
    "tampered",
    [
        {**FORM, "Body": "2"},
        {key: value for key, value in FORM.items() if key != "NumMedia"},
        {**FORM, "OptOutType": "STOP"},
    ],
    ids=["changed", "left-out", "added"],
)
def test_form_that_differs_from_the_signed_one_is_rejected(tampered):
    signature = sign_twilio_request(TOKEN, URL, FORM)

    assert not is_valid_twilio_request(TOKEN, URL, tampered, signature)


def test_wrong_token_or_missing_signature_is_rejected():
    signature = sign_twilio_request(TOKEN, URL, FORM)

    assert not is_valid_twilio_request("another-token", URL, FORM, signature)
    assert not is_valid_twilio_request(TOKEN, URL, FORM, "")
    assert not is_valid_twilio_request("", URL, FORM, signature)
