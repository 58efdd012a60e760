"""Check and make X-Twilio-Signature values with the SDK's RequestValidator."""

from __future__ import annotations

from collections.abc import Mapping

from twilio.request_validator import RequestValidator

SIGNATURE_HEADER = "X-Twilio-Signature"


def is_valid_twilio_request(
    auth_token: str, public_url: str, form: Mapping[str, str], signature: str
) -> bool:
    """Tell whether `signature` is Twilio's signature of this URL and form, in constant time.

    `public_url` must be the URL Twilio called, exactly: PUBLIC_BASE_URL + request path
    (+ "?" + query string when there is one). Never use Flask's request.url: behind a TLS
    proxy it says http:// and the check fails. Pass every received form field
    (request.form, a MultiDict, works as is): Twilio adds fields without notice and
    signs them all.
    """
    if not signature or not auth_token:
        return False
    return RequestValidator(auth_token).validate(public_url, form, signature)


def sign_twilio_request(auth_token: str, url: str, form: Mapping[str, str]) -> str:
    """Return the X-Twilio-Signature Twilio would send for a POST of `form` to `url`."""
    return RequestValidator(auth_token).compute_signature(url, form)
