"""One decorator checks every Twilio webhook's signature, in every mode, against PUBLIC_BASE_URL."""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, request

from app.config import webhook_auth_token
from app.sms.signature import SIGNATURE_HEADER, is_valid_twilio_request
from app.urls import public_url


def signed_url() -> str:
    """Return the URL Twilio signed: the public one, not what a TLS proxy handed us."""
    query = request.query_string.decode()
    return public_url(request.path) + (f"?{query}" if query else "")


def twilio_signed(view):
    """Refuse (403) a request without a valid X-Twilio-Signature; never skipped, not even in debug."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        token = webhook_auth_token(current_app.config)
        if not is_valid_twilio_request(token, signed_url(), request.form, request.headers.get(SIGNATURE_HEADER, "")):
            abort(403, "Invalid or missing X-Twilio-Signature.")
        return view(*args, **kwargs)

    return wrapped
