"""Twilio's inbound message webhook: signed, deduplicated, answered with empty TwiML at once."""

from __future__ import annotations

from flask import Blueprint, Response, request
from twilio.twiml.messaging_response import MessagingResponse

from app.clock import now
from app.replies.inbound import receive_inbound
from app.webhooks.twilio_signature import twilio_signed

bp = Blueprint("twilio_replies", __name__, url_prefix="/webhooks/twilio")


@bp.post("/sms")
@twilio_signed
def inbound_sms():
    """Keep an inbound text once per MessageSid and answer nothing; a worker reads and answers it."""
    receive_inbound(request.form, now())
    return Response(str(MessagingResponse()), content_type="text/xml; charset=utf-8")
