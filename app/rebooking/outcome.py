"""What a carrier's answer changes: the command, the shipment, the recipient's texts, the shop's webhook.

Accepted: the shipment carries the instruction (neighbour), or leaves today's route for the
new slot or the pickup point; the recipient gets a confirmation; the shop "rebooking.accepted".
Refused: the recipient is told kindly, and a taken slot is offered again with fresh slots;
the shop gets "rebooking.refused". Dead: the shop gets "rebooking.dead".
Everything is committed together, then the texts and the webhook are enqueued.
"""

from __future__ import annotations

import logging
from datetime import datetime

from app.carriers.adapter import CarrierError, RebookingResult, Slot
from app.extensions import db
from app.ingestion.state import start_new_attempt
from app.messaging.compose import compose
from app.messaging.outbox import MessageDraft, enqueue_due, store_texts
from app.models import Conversation, RebookingCommand, Shipment
from app.notify.windows import format_slot
from app.rebooking.offers import language_of, lock_conversation, offer_slots
from app.rebooking.service import available_slots_for
from app.shops.webhooks import queue_webhook

log = logging.getLogger(__name__)

SLOT_GONE = ("slot_taken", "unknown_slot")  # the choice went stale: offer the current slots
NEAREST_POINT = {"nl": "het dichtstbijzijnde afhaalpunt", "en": "the nearest pickup point"}


def record(command: RebookingCommand, shipment: Shipment, result: RebookingResult, now: datetime,
           timeout: float) -> str:
    """Store the carrier's definite answer and act on it; commit, enqueue, return the status."""
    fresh = None if result.accepted else _fresh_slots(shipment, command, result.reason_code, now, timeout)
    # The conversation first: inbound processing locks it before the shipment, and so do we.
    conversation = lock_conversation(shipment.recipient_phone, now)
    texts: list[MessageDraft] = []
    if result.accepted:
        command.status, command.last_error = "accepted", None
        command.result = {"carrier_reference": result.carrier_reference}
        _apply(shipment, command, now)
        if conversation.shipment_id == shipment.id:
            conversation.question, conversation.options, conversation.expires_at = "none", [], None
        texts.append(_confirmation(shipment, command, now))
    else:
        command.status = "refused"
        command.result = {"reason_code": result.reason_code, "message": result.message}
        texts.append(_refusal(conversation, shipment, command, fresh, now))
    command.updated_at = now
    return _commit(command, shipment, texts, f"rebooking.{command.status}", now)


def give_up(command: RebookingCommand, shipment: Shipment, now: datetime, error: str, *,
            tell_recipient: bool) -> str:
    """Mark a command dead for the operator and the shop; commit, enqueue, return "dead"."""
    command.status, command.last_error, command.updated_at = "dead", error[:500], now
    log.error("rebooking %s (%s, shipment %s) is dead after %d attempts: %s", command.id, command.action,
              shipment.id, command.attempts, error)
    texts = [_text(shipment, command, "rebook_refused", {}, now)] if tell_recipient else []
    return _commit(command, shipment, texts, "rebooking.dead", now)


def payload(command: RebookingCommand, shipment: Shipment) -> dict:
    """Return what a shop webhook tells about a rebooking and its shipment."""
    result = command.result or {}
    window = ({"start": shipment.window_start.isoformat(), "end": shipment.window_end.isoformat()}
              if shipment.window_start and shipment.window_end else None)
    return {
        "rebooking": {"id": command.id, "action": command.action, "params": command.params, "source": command.source,
                      "status": command.status, "attempts": command.attempts,
                      "reason_code": result.get("reason_code"), "carrier_reference": result.get("carrier_reference"),
                      "created_at": command.created_at.isoformat()},
        "shipment": {"id": shipment.id, "order_ref": shipment.order_ref, "tracking_number": shipment.tracking_number,
                     "status": shipment.status, "instruction": shipment.instruction, "window": window},
    }


def _commit(command: RebookingCommand, shipment: Shipment, texts: list[MessageDraft | None], event: str,
            now: datetime) -> str:
    webhook = queue_webhook(shipment.shop, event, payload(command, shipment), now)
    rows = store_texts([text for text in texts if text is not None], now)
    db.session.commit()
    enqueue_due(rows, now)
    if webhook is not None:
        from workers.shop_webhooks import enqueue_webhooks

        enqueue_webhooks([webhook.id])
    return command.status


def _apply(shipment: Shipment, command: RebookingCommand, now: datetime) -> None:
    """Change the shipment the way the carrier changed the courier's route."""
    params = command.params or {}
    if command.action == "neighbour":
        shipment.instruction = {"action": "neighbour", "note": params.get("note"), "rebooking_id": command.id}
    else:
        if command.action == "reschedule":
            # A new delivery day: its out-for-delivery and arriving-soon texts are news again.
            start_new_attempt(shipment)
            shipment.window_start = datetime.fromisoformat(params["starts_at"])
            shipment.window_end = datetime.fromisoformat(params["ends_at"])
        shipment.instruction = {"action": command.action, "rebooking_id": command.id, **params}
        # The stop left today's route; the next route push (or the pickup point) takes it from here.
        shipment.route_id = shipment.stop_sequence = shipment.eta = None
        shipment.eta_smoothed = shipment.eta_variance = shipment.eta_roughness = shipment.texts_roughness = None
        shipment.status, shipment.status_at = "in_transit", now
    shipment.updated_at = now


def _confirmation(shipment: Shipment, command: RebookingCommand, now: datetime) -> MessageDraft | None:
    params, language = command.params or {}, language_of(shipment)
    if command.action == "neighbour":
        return _text(shipment, command, "rebook_confirmed_neighbour", {}, now)
    if command.action == "reschedule":
        slot = format_slot(datetime.fromisoformat(params["starts_at"]), datetime.fromisoformat(params["ends_at"]),
                           shipment.shop.timezone, language)
        return _text(shipment, command, "rebook_confirmed_slot", {"slot": slot}, now)
    where = ", ".join(part for part in (params.get("name"), params.get("address")) if part)
    point = where or NEAREST_POINT.get(language, NEAREST_POINT["en"])
    return _text(shipment, command, "rebook_confirmed_pickup", {"pickup_point": point}, now)


def _fresh_slots(shipment: Shipment, command: RebookingCommand, reason: str | None,
                 now: datetime, timeout: float) -> list[Slot] | None:
    """Return the current slots when an SMS-chosen slot went stale ([] if none can be had), else None."""
    if command.action != "reschedule" or reason not in SLOT_GONE or command.source != "sms":
        return None
    try:
        return available_slots_for(shipment, after=now, timeout=timeout)
    except CarrierError:
        return []


def _refusal(conversation: Conversation, shipment: Shipment, command: RebookingCommand,
             fresh: list[Slot] | None, now: datetime) -> MessageDraft | None:
    """Tell the recipient; a slot taken since it was offered is offered again, with the current slots."""
    if fresh and shipment.notify:
        return offer_slots(conversation, shipment, fresh, now, f"rb:{command.id}:slot_offer")
    if fresh is not None:  # stale, and nothing fresh to offer right now: "reply 2 for the latest times"
        return _text(shipment, command, "slot_expired", {}, now)
    return _text(shipment, command, "rebook_refused", {}, now)


def _text(shipment: Shipment, command: RebookingCommand, kind: str, extra: dict, now: datetime) -> MessageDraft | None:
    """Compose a text about this command (once per command and kind), unless texts are off for it."""
    if not shipment.notify:
        return None
    return compose(shipment, shipment.shop, kind, extra, now=now, dedupe_key=f"rb:{command.id}:{kind}")

