"""Twilio webhooks: delivery status callbacks (inbound texts live in app.replies)."""

from __future__ import annotations

from flask import Blueprint, request

from app.clock import now
from app.messaging.delivery_status import record_status
from app.webhooks.twilio_signature import twilio_signed

bp = Blueprint("twilio_webhooks", __name__, url_prefix="/webhooks/twilio")


@bp.post("/status")
@twilio_signed
def status():
    """Record a text's delivery status; always 204, also for repeats."""
    code = request.form.get("ErrorCode", "")
    record_status(request.form.get("MessageSid", ""), request.form.get("MessageStatus", "").lower(),
                  int(code) if code.isdigit() else None, now())
    return "", 204
