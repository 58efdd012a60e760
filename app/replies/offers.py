"""Lettered questions about the number: which parcel, and slots that fit a wish (slot offers themselves
live in app/rebooking/offers.py).

Texts about the number rather than one parcel (help, stop, "which parcel?") are built here
too: they carry the shop's name only when a single shop is concerned, else "Bijna".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from string import ascii_uppercase

from app.carriers.adapter import Slot
from app.messaging.compose import compose, shop_override
from app.messaging.outbox import MessageDraft
from app.models import Conversation, Shipment, Shop
from app.notify.templates import render
from app.rebooking.offers import OPTION_TTL, clear_options, language_of, offer_slots
from app.replies.slot_wishes import describe, slots_for_wish
from app.replies.wishes import Wish

NEUTRAL_NAME = "Bijna"
DUTCH_PREFIXES = ("+31", "+32")


def offer_slots_for_wish(conversation: Conversation, shipment: Shipment, slots: Sequence[Slot], now: datetime,
                         dedupe_key: str, wish: dict | None = None) -> MessageDraft:
    """Offer the slots that fit the recipient's wish ("liever woensdag", stored as `Wish.as_dict`).

    When none fit, the text says so and offers the others (slot_offer_instead). Pass every slot
    the carrier has, so a Saturday wish finds Saturday beyond the first five.
    """
    if not wish:
        return offer_slots(conversation, shipment, slots, now, dedupe_key)
    wanted = Wish.from_dict(wish)
    fitting, met = slots_for_wish(wanted, slots, now, shipment.shop.timezone)
    if not fitting:  # the reply itself ruled out every slot there is
        clear_options(conversation, now)
        return compose(shipment, shipment.shop, "rebook_refused", {}, now=now, dedupe_key=dedupe_key)
    instead_of = None if met else describe(wanted, language_of(shipment))
    return offer_slots(conversation, shipment, fitting, now, dedupe_key, instead_of=instead_of)


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
