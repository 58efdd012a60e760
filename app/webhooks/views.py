"""Twilio's webhooks, together: inbound messages and delivery status callbacks, both signed."""

from __future__ import annotations

import logging
import re

from flask import Blueprint, Response, request
from redis.exceptions import RedisError
from twilio.twiml.messaging_response import MessagingResponse

from app.clock import now
from app.messaging.delivery_status import record_status
from app.replies.inbound import receive_inbound
from app.webhooks.twilio_signature import twilio_signed

bp = Blueprint("twilio_webhooks", __name__, url_prefix="/webhooks/twilio")
log = logging.getLogger(__name__)
_ERROR_CODE = re.compile(r"[0-9]{1,6}")  # Twilio's codes have five digits; anything else is no code


def _form() -> dict[str, str]:
    """The signed form with NUL characters taken out (no phone, body or sid holds one; PostgreSQL can't)."""
    return {name.replace("\x00", ""): value.replace("\x00", "") for name, value in request.form.items()}


@bp.post("/sms")
@twilio_signed
def inbound_sms():
    """Keep an inbound message once per MessageSid and answer nothing; a worker reads and answers it."""
    receive_inbound(_form(), now())
    return Response(str(MessagingResponse()), content_type="text/xml; charset=utf-8")


@bp.post("/status")
@twilio_signed
def status():
    """Record a message's delivery status; always 204, also for repeats."""
    form = _form()
    code = form.get("ErrorCode", "")
    try:
        record_status(form.get("MessageSid", ""), form.get("MessageStatus", "").lower(),
                      int(code) if _ERROR_CODE.fullmatch(code) else None, now())
    except RedisError:
        # Only a callback for a sid we have not recorded yet reaches Redis (it waits there for its
        # send to be recorded). With Redis away that early status is lost, knowingly: the text keeps
        # the status Twilio's answer to the send gave it (queued/sent), and a sid that is not ours
        # (most unknown sids) loses nothing. Answering 500 would gain nothing: Twilio does not retry.
        log.warning("status callback for a send not recorded yet, dropped: Redis is unavailable")
    return "", 204
