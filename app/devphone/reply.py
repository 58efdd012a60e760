"""Reply as a recipient: the text goes through the real inbound webhook, signature and all.

The reply is dispatched *inside this process* through the app's full WSGI stack (routing,
the `twilio_signed` decorator, the inbound view), built exactly like Twilio's request:
POSTed to PUBLIC_BASE_URL + WEBHOOK_PATH with every field Twilio sends, signed with
SIMULATOR_AUTH_TOKEN over that public URL. An HTTP round trip to PUBLIC_BASE_URL would add
nothing to the signature check and would need PUBLIC_BASE_URL to be reachable from the
web process itself (it isn't behind many proxies, and two sync gunicorn workers calling
each other can deadlock); the WSGI call exercises the same check on the same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.test import EnvironBuilder, run_wsgi_app

from app.models.base import new_id
from app.sms.provider import SendRequest
from app.sms.signature import SIGNATURE_HEADER, sign_twilio_request
from app.sms.simulator_provider import DEFAULT_SENDER, SimulatorProvider, record_inbound, simulated_threads

WEBHOOK_PATH = "/webhooks/twilio/sms"
SIMULATED_ACCOUNT_SID = "AC" + "51" * 16  # "AC" + 32 hex digits, like a real account


@dataclass(frozen=True)
class ReplyOutcome:
    """What the webhook answered to a simulated reply."""

    status: int
    answered: list[str]  # texts the webhook answered with in TwiML (Twilio would deliver them)


def enabled(config) -> bool:
    """Tell whether the phone simulator may exist: the simulator provider, never in production."""
    settings = config.get("SETTINGS")
    production = config.get("ENV") == "production" or bool(settings and settings.production)
    return config.get("SMS_PROVIDER") == "simulator" and not production


def bijna_number(redis, number: str) -> str:
    """Return the number Bijna texted this recipient from: a reply goes back to it."""
    for text in reversed(simulated_threads(redis, limit=200).get(number, [])):
        if text.get("direction") == "outbound":
            return text["from"]
    return DEFAULT_SENDER


def inbound_form(number: str, to: str, body: str, sid: str, opt_out_type: str | None = None) -> dict[str, str]:
    """Return the form fields Twilio posts for an inbound SMS (OptOutType as with Advanced Opt-Out)."""
    form = {"MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid, "AccountSid": SIMULATED_ACCOUNT_SID,
            "From": number, "To": to, "Body": body, "NumMedia": "0", "NumSegments": "1",
            "SmsStatus": "received", "ApiVersion": "2010-04-01"}
    return {**form, "OptOutType": opt_out_type} if opt_out_type else form


def reply_as_recipient(app: Flask, redis, number: str, body: str, now: datetime,
                       path: str = WEBHOOK_PATH) -> ReplyOutcome:
    """Show the reply in the thread, then deliver it to the inbound webhook at `path` as Twilio would."""
    to = bijna_number(redis, number)
    text = record_inbound(redis, number, body, to=to, now=now)
    form = inbound_form(number, to, body, text["sid"], text["opt_out_type"])
    public_base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    url = public_base + path
    signature = sign_twilio_request(app.config["SIMULATOR_AUTH_TOKEN"], url, form)
    parts = urlsplit(public_base)
    environ = EnvironBuilder(path=path, base_url=f"{parts.scheme}://{parts.netloc}{parts.path}",
                             method="POST", data=form, headers={SIGNATURE_HEADER: signature,
                                                                "User-Agent": "TwilioProxy/1.1"}).get_environ()
    app_iter, status, headers = run_wsgi_app(app, environ, buffered=True)
    try:
        answer = b"".join(app_iter)
    finally:
        getattr(app_iter, "close", lambda: None)()
    answered = twiml_messages(answer) if headers.get("Content-Type", "").startswith(("text/xml",
                                                                                       "application/xml")) else []
    provider = SimulatorProvider(redis, default_sender=to, clock=lambda: now)
    for message in answered:  # Twilio sends a TwiML <Message> as a text from the number replied to
        provider.send(SendRequest(to=number, body=message, sender=to, status_callback=None, validity_seconds=None,
                                  reference=f"twiml-{new_id()}"))
    return ReplyOutcome(int(status.split(" ", 1)[0]), answered)


def twiml_messages(answer: bytes) -> list[str]:
    """Return the texts of the <Message> elements of a TwiML answer."""
    try:
        root = ElementTree.fromstring(answer)
    except ElementTree.ParseError:
        return []
    return ["".join(element.itertext()).strip() for element in root.iter("Message") if "".join(element.itertext())]
