"""Read what Bijna knows about a number when its reply arrives: the facts `conversation.decide` needs.

The last question is derived from the texts themselves (the newest question-asking text to
the number), so nothing has to be kept in sync with ingestion; only what a text cannot say
(which letter meant what, until when) lives on the Conversation row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, exists, func, or_, select

from app.extensions import db
from app.models import Conversation, Message, OptOut, RebookingCommand, Shipment, Shop
from app.notify.statuses import LIVE
from app.replies.conversation import (
    AUTO_REPLY_KINDS,
    AUTO_REPLY_WINDOW,
    LETTERED,
    QUESTION_CONTEXTS,
    Parcel,
    Situation,
    context_of,
)

QUESTION_TTL = timedelta(days=7)  # an older question is not what a reply answers
UNSENT = ("skipped", "expired", "failed", "undelivered", "canceled")  # never reached the phone


@dataclass
class Scene:
    """A situation plus the rows it was read from, for carrying out the plan."""

    situation: Situation
    conversation: Conversation
    question: Message | None
    shipments: dict[str, Shipment]  # every parcel of this number the plan may name, by id
    live: list[Shipment]


def read_scene(phone: str, to: str | None, keyword: str | None, conversation: Conversation,
               now: datetime) -> Scene:
    """Return what is known about `phone`, replying to our number `to`, at `now`."""
    shops = _shops_sending_from(to)
    live = _live_parcels(phone, shops)
    question = _last_question(phone, shops, {s.id for s in live}, now)
    kind = question.kind if question else None
    context = context_of(kind)
    options: tuple[dict, ...] = ()
    if context in LETTERED:
        if conversation.question == kind and conversation.options:
            options = tuple(conversation.options)
        else:
            context = "none"  # a lettered text without its letters on file cannot be answered
    since = question.created_at if question else now - AUTO_REPLY_WINDOW
    wanted = {s.id for s in live} | {question.shipment_id if question else None}
    wanted |= {o.get("shipment_id") for o in options}
    shipments = _own_shipments(phone, {i for i in wanted if i})
    situation = Situation(
        question=context,
        question_shipment_id=question.shipment_id if question and question.shipment_id in shipments else None,
        options=options,
        options_expired=bool(options and conversation.expires_at and conversation.expires_at <= now),
        pending=conversation.pending_intent if context == "disambiguation" else None,
        parcels=_parcels(live),
        opted_out=db.session.execute(select(exists().where(OptOut.phone == phone))).scalar(),
        clarified=_sent(phone, ("clarify",), since, now) > 0,
        auto_replies=_sent(phone, AUTO_REPLY_KINDS, now - AUTO_REPLY_WINDOW, now),
        unknown_number_answered=_sent(phone, ("unknown_number",), now - AUTO_REPLY_WINDOW, now) > 0,
        provider_keyword=keyword,
    )
    return Scene(situation, conversation, question, shipments, live)


def _shops_sending_from(to: str | None) -> set[str] | None:
    """Return the shops whose own sender is `to`; None when it is a shared number (all shops count).

    A reply to a shop's own number answers that shop's texts, which narrows "which parcel?".
    """
    if not to:
        return None
    ids = set(db.session.execute(select(Shop.id).where(Shop.sender == to)).scalars())
    return ids or None


def _live_parcels(phone: str, shops: set[str] | None) -> list[Shipment]:
    statement = select(Shipment).where(Shipment.recipient_phone == phone, Shipment.status.in_(LIVE),
                                       Shipment.notify.is_(True))
    if shops is not None:
        statement = statement.where(Shipment.shop_id.in_(shops))
    # Oldest first; orders created in the same moment by their number, so "A" and "B" never swap.
    order = (Shipment.created_at, Shipment.order_ref, Shipment.id)
    return list(db.session.execute(statement.order_by(*order)).scalars())


def _last_question(phone: str, shops: set[str] | None, live: set[str], now: datetime) -> Message | None:
    """Return the newest text to the number that asked something, and reached it, recently.

    Texts decided together (one route push) share a moment; of those, one about a live parcel
    is the question, so a parcel cancelled since does not make the reply "too late".
    """
    statement = select(Message).where(
        Message.direction == "out", Message.to_number == phone, Message.kind.in_(tuple(QUESTION_CONTEXTS)),
        Message.status.notin_(UNSENT), Message.created_at >= now - QUESTION_TTL, Message.created_at <= now,
        or_(Message.send_after.is_(None), Message.send_after <= now))
    if shops is not None:
        statement = statement.where(or_(Message.shop_id.in_(shops), Message.shop_id.is_(None)))
    order = [Message.created_at.desc()]
    if live:
        order.append(case((Message.shipment_id.in_(live), 0), else_=1))
    return db.session.execute(statement.order_by(*order, Message.id.desc()).limit(1)).scalar()


def _parcels(live: list[Shipment]) -> tuple[Parcel, ...]:
    """Return the live parcels, each marked open unless a change was already made or is pending.

    A parcel the recipient already rebooked (its instruction is set) or whose change is on its
    way to the carrier is no longer a candidate for "which parcel?".
    """
    pending = set(db.session.execute(select(RebookingCommand.shipment_id).where(
        RebookingCommand.shipment_id.in_([s.id for s in live]), RebookingCommand.status == "pending")).scalars()
    ) if live else set()
    return tuple(Parcel(s.id, s.order_ref, s.shop.name, open=not s.instruction and s.id not in pending)
                 for s in live)


def _own_shipments(phone: str, ids: set[str]) -> dict[str, Shipment]:
    """Load parcels by id, only those addressed to this number: a reply can never reach another's."""
    if not ids:
        return {}
    rows = db.session.execute(select(Shipment).where(Shipment.id.in_(ids), Shipment.recipient_phone == phone))
    return {shipment.id: shipment for shipment in rows.scalars()}


def _sent(phone: str, kinds: tuple[str, ...], since: datetime, now: datetime) -> int:
    """Count texts of these kinds queued for the number in [since, now]."""
    return db.session.execute(select(func.count()).select_from(Message).where(
        Message.direction == "out", Message.to_number == phone, Message.kind.in_(kinds),
        Message.created_at >= since, Message.created_at <= now)).scalar_one()
