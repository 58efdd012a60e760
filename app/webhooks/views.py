"""Twilio's webhooks, together: inbound messages and delivery status callbacks, both signed."""

from __future__ import annotations

from flask import Blueprint, Response, request
from twilio.twiml.messaging_response import MessagingResponse

from app.clock import now
from app.messaging.delivery_status import record_status
from app.replies.inbound import receive_inbound
from app.webhooks.twilio_signature import twilio_signed

bp = Blueprint("twilio_webhooks", __name__, url_prefix="/webhooks/twilio")


@bp.post("/sms")
@twilio_signed
def inbound_sms():
    """Keep an inbound message once per MessageSid and answer nothing; a worker reads and answers it."""
    receive_inbound(request.form, now())
    return Response(str(MessagingResponse()), content_type="text/xml; charset=utf-8")


@bp.post("/status")
@twilio_signed
def status():
    """Record a message's delivery status; always 204, also for repeats."""
    code = request.form.get("ErrorCode", "")
    record_status(request.form.get("MessageSid", ""), request.form.get("MessageStatus", "").lower(),
                  int(code) if code.isdigit() else None, now())
    return "", 204
