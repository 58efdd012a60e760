"""Build the configured SMS provider once per process, lazily (never at import)."""

from __future__ import annotations

from flask import Flask, current_app

from app.extensions import redis_connection
from app.sms.provider import SmsProvider


def build_provider(app: Flask) -> SmsProvider:
    """Return the provider SMS_PROVIDER names, configured from the app's settings."""
    config = app.config
    if config["SMS_PROVIDER"] == "twilio":
        from app.sms.twilio_provider import TwilioProvider

        return TwilioProvider(
            config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"],
            messaging_service_sid=config["TWILIO_MESSAGING_SERVICE_SID"] or None,
            from_number=config["TWILIO_FROM"] or None, base_url=config["TWILIO_API_BASE_URL"] or None)
    from app.sms.simulator_provider import SimulatorProvider

    return SimulatorProvider(redis_connection())


def current_provider() -> SmsProvider:
    """Return this process' provider, building it on first use."""
    app = current_app._get_current_object()
    if "sms_provider" not in app.extensions:
        app.extensions["sms_provider"] = build_provider(app)
    return app.extensions["sms_provider"]
