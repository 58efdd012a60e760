"""What the shop's desk can do to a parcel: pause texts, mark VIP, write a note, text the recipient.

Texts from the console go through the same outbox as every other text: not urgent, so quiet hours
hold them until morning, and never to a number that opted out. Every action is logged on the parcel's
story with who did it and when (a note row with its `action` set): a colleague picking up the parcel
sees why its texts stopped, and the shop can tell who answered a customer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app.extensions import db
from app.messaging.compose import compose
from app.messaging.outbox import queue_texts
from app.models import Note, OptOut, Shipment, Shop, StaffUser
from app.notify.segments import count_segments

MAX_ANSWER_SEGMENTS = 3
STAFF_TEXT_VALID_FOR = timedelta(hours=12)  # held overnight, still useful in the morning; not days later


# The story says "<who> <what>": one phrase per action, the action's name is what the database keeps.
DESK_ACTIONS = {
    "texts_paused": "paused the automatic texts",
    "texts_resumed": "resumed the automatic texts",
    "vip_marked": "marked the recipient as VIP",
    "vip_unmarked": "took the VIP mark off",
    "tracking_link_sent": "texted the tracking link again",
    "answered": "answered the recipient by text",
}


class ActionRefused(ValueError):
    """The action cannot be done; the message says why, in words for the agent."""


def _log(shipment: Shipment, staff: StaffUser, action: str, now: datetime) -> None:
    db.session.add(Note(shop_id=shipment.shop_id, shipment_id=shipment.id, staff_id=staff.id, author=staff.email,
                        body="", action=action, created_at=now))


def set_texts_paused(shipment: Shipment, paused: bool, staff: StaffUser, now: datetime) -> None:
    """Pause or resume the parcel's automatic texts (texts already queued are checked again when sent)."""
    if bool(shipment.texts_paused) != paused:
        shipment.texts_paused, shipment.updated_at = paused, now
        _log(shipment, staff, "texts_paused" if paused else "texts_resumed", now)
    db.session.commit()


def set_vip(shipment: Shipment, vip: bool, staff: StaffUser, now: datetime) -> None:
    """Mark or unmark the recipient as VIP (the exception ladder then asks for a personal call)."""
    if bool(shipment.vip) != vip:
        shipment.vip, shipment.updated_at = vip, now
        _log(shipment, staff, "vip_marked" if vip else "vip_unmarked", now)
    db.session.commit()


def add_note(shipment: Shipment, staff_id: str, author: str, body: str, now: datetime) -> Note:
    """Write a note on the parcel's story."""
    body = (body or "").strip()
    if not body:
        raise ActionRefused("The note is empty.")
    note = Note(shop_id=shipment.shop_id, shipment_id=shipment.id, staff_id=staff_id, author=author,
                body=body[:4000], created_at=now)
    db.session.add(note)
    db.session.commit()
    return note


def _refuse_unreachable(shipment: Shipment) -> None:
    if db.session.get(OptOut, shipment.recipient_phone) is not None:
        raise ActionRefused("The recipient opted out of texts (STOP): Bijna will not text this number. "
                            "Call or email them instead; they can text START to opt in again.")


def send_tracking_link(shipment: Shipment, staff: StaffUser, now: datetime) -> str:
    """Text the recipient the link to their tracking page again; return the new message's id."""
    _refuse_unreachable(shipment)
    draft = compose(shipment, shipment.shop, "tracking_link", {}, now=now, urgent=False,
                    valid_for=STAFF_TEXT_VALID_FOR)
    _log(shipment, staff, "tracking_link_sent", now)
    return queue_texts([draft], now)[0]


def answer_recipient(shipment: Shipment, shop: Shop, answer: str, staff: StaffUser, now: datetime) -> str:
    """Text the recipient a person's answer, signed with the shop's name; return the new message's id."""
    answer = " ".join((answer or "").split())
    if not answer:
        raise ActionRefused("The answer is empty.")
    _refuse_unreachable(shipment)
    draft = compose(shipment, shop, "agent_reply", {"answer": answer}, now=now, urgent=False,
                    valid_for=STAFF_TEXT_VALID_FOR)
    if count_segments(draft.body)[1] > MAX_ANSWER_SEGMENTS:
        raise ActionRefused(f"The answer is too long for {MAX_ANSWER_SEGMENTS} text messages; shorten it.")
    _log(shipment, staff, "answered", now)
    return queue_texts([draft], now)[0]
