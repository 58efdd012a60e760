"""Slot offers: the carrier's slots as lettered options on the recipient's Conversation, with an expiry.

Used when a reply asks for a new slot and when the carrier refused the one chosen; what "B" means
is remembered on the Conversation until OPTION_TTL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from string import ascii_uppercase

from sqlalchemy import select

from app.carriers.adapter import Slot
from app.extensions import db
from app.messaging.compose import compose
from app.messaging.outbox import MessageDraft
from app.models import Conversation, Shipment
from app.models.base import insert_ignoring_duplicates
from app.notify.windows import format_slot
from app.rebooking.service import MAX_SLOTS

OPTION_TTL = timedelta(hours=2)  # a slot is only held for so long by a carrier


def lock_conversation(phone: str, now: datetime) -> Conversation:
    """Return the number's conversation, created if new and locked until commit (one reply at a time)."""
    insert_ignoring_duplicates(Conversation, [{"phone": phone, "question": "none", "options": [],
                                               "updated_at": now}], ["phone"])
    return db.session.execute(select(Conversation).where(Conversation.phone == phone)
                              .with_for_update()).scalar_one()


def clear_options(conversation: Conversation, now: datetime) -> None:
    """Forget the open lettered question: it was answered or overtaken."""
    conversation.question, conversation.options, conversation.pending_intent = "none", [], None
    conversation.expires_at, conversation.updated_at = None, now


def language_of(shipment: Shipment) -> str:
    """Return the language a shipment's recipient reads."""
    return shipment.recipient_language or shipment.shop.language


def slot_lines(options: Sequence[dict]) -> list[str]:
    """Return "A di 18-21" style lines for stored slot or parcel options."""
    return [f"{option['letter']} {option['label']}" for option in options]


def offer_slots(conversation: Conversation, shipment: Shipment, slots: Sequence[Slot], now: datetime,
                dedupe_key: str, *, instead_of: str | None = None) -> MessageDraft:
    """Remember the slots as lettered options and return the text listing them (at most MAX_SLOTS).

    `instead_of` names what the recipient asked for when none of these fit it (slot_offer_instead).
    """
    shop, language = shipment.shop, language_of(shipment)
    kind, extra = ("slot_offer_instead", {"wish": instead_of}) if instead_of else ("slot_offer", {})
    options = [{"letter": letter, "slot_id": slot.id, "starts_at": slot.starts_at.isoformat(),
                "ends_at": slot.ends_at.isoformat(),
                "label": format_slot(slot.starts_at, slot.ends_at, shop.timezone, language)}
               for letter, slot in zip(ascii_uppercase, slots[:MAX_SLOTS])]
    conversation.shipment_id, conversation.question, conversation.options = shipment.id, kind, options
    conversation.pending_intent, conversation.expires_at, conversation.updated_at = None, now + OPTION_TTL, now
    return compose(shipment, shop, kind, {"slot_lines": slot_lines(options), **extra}, now=now,
                   valid_for=OPTION_TTL, dedupe_key=dedupe_key)
