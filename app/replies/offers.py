"""Lettered questions: what "B" means is remembered on the Conversation, with an expiry.

Texts about the number rather than one parcel (help, stop, "which parcel?") are built here
too: they carry the shop's name only when a single shop is concerned, else "Bijna".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from string import ascii_uppercase

from sqlalchemy import select

from app.carriers.adapter import Slot
from app.extensions import db
from app.messaging.compose import compose, shop_override
from app.messaging.outbox import MessageDraft
from app.models import Conversation, Shipment, Shop
from app.models.base import insert_ignoring_duplicates
from app.notify.templates import render
from app.notify.windows import format_slot
from app.rebooking.service import MAX_SLOTS
from app.replies.conversation import OPTION_TTL
from app.replies.slot_wishes import describe, slots_for_wish
from app.replies.wishes import Wish

NEUTRAL_NAME = "Bijna"
DUTCH_PREFIXES = ("+31", "+32")


def lock_conversation(phone: str, now: datetime) -> Conversation:
    """Return the number's conversation, created if new and locked until commit (one reply at a time)."""
    insert_ignoring_duplicates(Conversation, [{"phone": phone, "question": "none", "options": [],
                                               "auto_replies": 0, "updated_at": now}], ["phone"])
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
                dedupe_key: str, wish: dict | None = None) -> MessageDraft:
    """Remember the slots as lettered options and return the text listing them (at most MAX_SLOTS).

    With a wish ("liever woensdag", stored as `Wish.as_dict`), only the slots that fit it are
    offered; when none do, the text says so and offers the others (slot_offer_instead). Pass
    every slot the carrier has, so a Saturday wish finds Saturday beyond the first five.
    """
    shop, language = shipment.shop, language_of(shipment)
    kind, extra = "slot_offer", {}
    if wish:
        wanted = Wish.from_dict(wish)
        slots, met = slots_for_wish(wanted, slots, now, shop.timezone)
        if not met:
            kind, extra = "slot_offer_instead", {"wish": describe(wanted, language)}
        if not slots:  # the reply itself ruled out every slot there is
            clear_options(conversation, now)
            return compose(shipment, shop, "rebook_refused", {}, now=now, dedupe_key=dedupe_key)
    options = [{"letter": letter, "slot_id": slot.id, "starts_at": slot.starts_at.isoformat(),
                "ends_at": slot.ends_at.isoformat(),
                "label": format_slot(slot.starts_at, slot.ends_at, shop.timezone, language)}
               for letter, slot in zip(ascii_uppercase, slots[:MAX_SLOTS])]
    conversation.shipment_id, conversation.question, conversation.options = shipment.id, kind, options
    conversation.pending_intent, conversation.expires_at, conversation.updated_at = None, now + OPTION_TTL, now
    return compose(shipment, shop, kind, {"slot_lines": slot_lines(options), **extra}, now=now,
                   valid_for=OPTION_TTL, dedupe_key=dedupe_key)


def ask_which_parcel(conversation: Conversation, phone: str, shipments: Sequence[Shipment], pending: dict,
                     now: datetime, dedupe_key: str) -> MessageDraft:
    """Remember which letter means which parcel and return the disambiguation text.

    Only this number's own parcels are listed, by order number and shop: nothing about
    anyone else's parcel can leak.
    """
    options = [{"letter": letter, "shipment_id": shipment.id,
                "label": f"{shipment.order_ref} ({shipment.shop.name})"}
               for letter, shipment in zip(ascii_uppercase, shipments)]
    conversation.shipment_id, conversation.question, conversation.options = None, "disambiguation", options
    conversation.pending_intent, conversation.expires_at, conversation.updated_at = pending, now + OPTION_TTL, now
    choices = [{"letter": o["letter"], "order_ref": s.order_ref, "shop_name": s.shop.name}
               for o, s in zip(options, shipments)]
    return number_text(phone, "disambiguation", _single_shop(shipments), _language(phone, shipments), now,
                       dedupe_key, {"choices": choices}, valid_for=OPTION_TTL)


def number_text(phone: str, kind: str, shop: Shop | None, language: str, now: datetime, dedupe_key: str,
                extra: dict | None = None, valid_for=None) -> MessageDraft:
    """Return a text about the number rather than one parcel, in the shop's voice when one shop applies."""
    context = {"shop_name": shop.name if shop else NEUTRAL_NAME, "first_name": "", "tracking_url": "",
               "two_way": True, **(extra or {})}
    override = shop_override(shop.id, kind, language) if shop else None
    return MessageDraft(to=phone, kind=kind, body=render(kind, language, context, override),
                shop_id=shop.id if shop else None, dedupe_key=dedupe_key, valid_for=valid_for)


def voice_for(phone: str, shipments: Sequence[Shipment]) -> tuple[Shop | None, str]:
    """Return the shop that speaks to this number (when only one does) and the language to use."""
    return _single_shop(shipments), _language(phone, shipments)


def _single_shop(shipments: Sequence[Shipment]) -> Shop | None:
    shops = {shipment.shop_id: shipment.shop for shipment in shipments}
    return next(iter(shops.values())) if len(shops) == 1 else None


def _language(phone: str, shipments: Sequence[Shipment]) -> str:
    if shipments:
        return language_of(shipments[-1])
    return "nl" if phone.startswith(DUTCH_PREFIXES) else "en"
