"""Inbound texts: kept once per MessageSid the moment Twilio posts them, understood by a worker.

`receive_inbound` (the webhook) stores the row and enqueues it; nothing else happens in the
request, so Twilio gets its answer in milliseconds. `process_inbound` (the REPLIES worker)
reads the number's situation, parses the reply in the context of the last question, asks
`conversation.decide` what to do and does it: texts, a rebooking command, an opt-out, a
rating. All of it commits together with the row's "processed" mark, so a crash anywhere
leaves the row "received" for the sweeper, and a second run finds nothing to do.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update

from app.carriers.adapter import CarrierRefused
from app.extensions import db
from app.messaging.compose import compose
from app.messaging.opt_outs import opt_out
from app.messaging.outbox import MessageDraft, enqueue_due, store_texts
from app.models import Message, OptOut, Shipment
from app.models.base import insert_ignoring_duplicates, new_id
from app.phones import mask
from app.rebooking import service as rebooking
from app.rebooking.offers import clear_options, lock_conversation, slot_lines
from app.replies.conversation import PROVIDER_KEYWORDS, Plan, clarify, decide
from app.replies.offers import ask_which_parcel, number_text, offer_slots_for_wish, voice_for
from app.replies.parser import MAX_BODY, Reply, parse_reply
from app.replies.situation import Scene, read_scene
from app.replies.slot_wishes import Offered, choose_from_offer
from app.tracking.feedback import FeedbackRefused, store_feedback

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # about 15 minutes of backoff, then the reply is answered without the carrier
STALE = timedelta(seconds=15)  # a received reply this old was probably never enqueued
KEYWORD_KINDS = {f"reply_{intent}": keyword for keyword, intent in PROVIDER_KEYWORDS.items()}
# Opt-outs Twilio itself holds (the number texted it STOP, or a send was refused with 21610):
# Twilio refuses any text to the number, so Bijna plans none, and only Twilio's START lifts them.
BLOCKED_AT_PROVIDER = ("provider", "provider_error")
NEEDS_PERSON = "needs_person"  # Message.understood_as of a reply a person at the shop must read


def receive_inbound(form: Mapping[str, str], now: datetime) -> str | None:
    """Store an inbound text and enqueue it; return its id (None for a repeat or junk)."""
    message_id = store_inbound(form, now)
    if message_id is not None:
        from workers.replies import enqueue_replies

        enqueue_replies([message_id])  # stored is what counts: if Redis is away the sweeper enqueues it
    return message_id


def store_inbound(form: Mapping[str, str], now: datetime) -> str | None:
    """Insert the text unless its MessageSid was seen before; apply Twilio's own opt-out at once. Commit."""
    sid, phone = form.get("MessageSid", "").strip(), form.get("From", "").strip()
    if not sid or not phone:
        return None
    keyword = (form.get("OptOutType") or "").strip().upper()
    kind = f"reply_{PROVIDER_KEYWORDS[keyword]}" if keyword in PROVIDER_KEYWORDS else "reply"
    row = {"id": new_id(), "direction": "in", "kind": kind, "provider_sid": sid[:64], "from_number": phone[:20],
           "to_number": form.get("To", "").strip()[:20], "body": form.get("Body", "")[:MAX_BODY],
           "status": "received", "segments": 1, "attempts": 0, "created_at": now, "updated_at": now}
    insert_ignoring_duplicates(Message, [row], ["provider_sid"])
    landed = db.session.execute(select(Message.id).where(Message.id == row["id"])).scalar()
    if landed and keyword == "STOP":  # Twilio blocks the number already: never disagree with it
        opt_out(phone, "provider", now)
        # An earlier "stoppen" (ours alone) becomes Twilio's too: the send path must know it is blocked.
        db.session.execute(update(OptOut).where(OptOut.phone == phone, OptOut.source.notin_(BLOCKED_AT_PROVIDER))
                           .values(source="provider"))
    elif landed and keyword == "START":
        db.session.execute(delete(OptOut).where(OptOut.phone == phone))
    db.session.commit()
    return landed


def process_inbound(message_id: str, now: datetime, *, carrier_timeout: float | None) -> Plan | None:
    """Understand one stored reply and act on it; return the plan (None when already done)."""
    message = db.session.execute(select(Message).where(
        Message.id == message_id, Message.direction == "in", Message.status == "received")
        .with_for_update(skip_locked=True)).scalar()
    if message is None:
        return None
    phone = message.from_number
    conversation = lock_conversation(phone, now)
    scene = read_scene(phone, message.to_number, KEYWORD_KINDS.get(message.kind), conversation, now)
    reply = _read(message.body, scene, now)
    plan = decide(replace(scene.situation, provider_blocked=_blocked_at_provider(phone)), reply)
    texts, commands = _carry_out(plan, scene, message, now, carrier_timeout)
    target = scene.shipments.get(plan.shipment_id or "")
    intent = PROVIDER_KEYWORDS.get(KEYWORD_KINDS.get(message.kind, ""), reply.intent)
    message.status, message.kind, message.updated_at = "processed", f"reply_{intent}", now
    message.understood_as, message.confidence = understood_as(reply, plan, intent), round(reply.confidence, 3)
    message.shipment_id, message.shop_id = (target.id, target.shop_id) if target else (None, None)
    rows = store_texts(texts, now)
    db.session.commit()
    enqueue_due(rows, now)
    rebooking.enqueue_after_commit(commands)
    log.info("reply from %s read as %s in context %s: %s %s", mask(phone), intent, scene.situation.question,
             plan.action, plan.reason)
    return plan


def _read(body: str, scene: Scene, now: datetime) -> Reply:
    """Parse a reply in the context of the last question; after a slot offer "dinsdag" or "17-20" names a letter."""
    situation = scene.situation
    reply = parse_reply(body, situation.question, situation.choices)
    asked_about = scene.shipments.get(situation.question_shipment_id or "")
    if situation.question != "slot_offer" or not situation.options or asked_about is None:
        return reply
    offered = [Offered.from_option(option) for option in situation.options]
    return choose_from_offer(reply, body, offered, now, asked_about.shop.timezone)


def understood_as(reply: Reply, plan: Plan, intent: str) -> str:
    """Say how a reply was read, for the shop and the console: "neighbour", "slot_choice:B", "rating:4",
    or "needs_person" when it was handed to a person at the shop."""
    if plan.action == "hand_to_person":
        return NEEDS_PERSON
    if intent != reply.intent:  # Twilio's OptOutType said it
        return intent
    if reply.choice:
        return f"{intent}:{reply.choice}"
    return f"{intent}:{reply.rating}" if reply.rating is not None else intent


def _blocked_at_provider(phone: str) -> bool:
    source = db.session.execute(select(OptOut.source).where(OptOut.phone == phone)).scalar()
    return source in BLOCKED_AT_PROVIDER


def postpone(message_id: str, now: datetime, error: Exception) -> bool:
    """Schedule another try with backoff; False when the reply is out of attempts. Commit."""
    message = db.session.get(Message, message_id)
    if message is None or message.status != "received":
        return True
    message.attempts = (message.attempts or 0) + 1
    message.error_message = f"{type(error).__name__}: {error}"[:300]
    if message.attempts >= MAX_ATTEMPTS:
        db.session.commit()
        return False
    message.send_after = now + timedelta(seconds=min(15 * 2 ** message.attempts, 600))
    message.updated_at = now
    db.session.commit()
    return True


def fail(message_id: str, now: datetime) -> None:
    """Give up on a reply that keeps failing (it stays visible in the shop's message list). Commit."""
    message = db.session.get(Message, message_id)
    if message is not None and message.status == "received":
        message.status, message.updated_at = "failed", now
        db.session.commit()
        log.error("gave up on inbound %s after %d attempts", message_id, message.attempts)


def unread(now: datetime, limit: int = 5000) -> list[str]:
    """Return received replies nobody processed: lost jobs, and retries that are due."""
    return list(db.session.execute(select(Message.id).where(
        Message.direction == "in", Message.status == "received", Message.updated_at < now - STALE,
        or_(Message.send_after.is_(None), Message.send_after <= now)).limit(limit)).scalars())


@dataclass
class Turn:
    """One reply being answered: the plan for it and everything its actions need."""

    plan: Plan
    scene: Scene
    message: Message
    now: datetime
    carrier_timeout: float | None  # how long the carrier may take; None: it cannot be asked now
    shipment: Shipment | None
    shop: object
    language: str

    @property
    def phone(self) -> str:
        return self.message.from_number

    def key(self, kind: str) -> str:
        return f"in:{self.message.id}:{kind}"

    def about_number(self, kind: str, **extra) -> MessageDraft:
        return number_text(self.phone, kind, self.shop, self.language, self.now, self.key(kind), extra)

    def about_parcel(self, kind: str, **extra) -> MessageDraft:
        return compose(self.shipment, self.shipment.shop, kind, extra, now=self.now, dedupe_key=self.key(kind))


Outcome = tuple[list[MessageDraft], list[str]]  # messages to queue, rebooking commands to enqueue
NOTHING: Outcome = ([], [])


def _carry_out(plan: Plan, scene: Scene, message: Message, now: datetime, carrier_timeout: float | None) -> Outcome:
    """Do what the plan says; return the messages to queue and the rebooking commands to enqueue."""
    shipment = scene.shipments.get(plan.shipment_id or "")
    asked_about = scene.shipments.get(scene.situation.question_shipment_id or "")
    shop, language = voice_for(message.from_number, scene.live or [s for s in (shipment or asked_about,) if s])
    if plan.action in NEEDS_PARCEL and shipment is None:
        return NOTHING  # the parcel is no longer this number's (the shop changed the recipient)
    action = ACTIONS.get(plan.action)
    return action(Turn(plan, scene, message, now, carrier_timeout, shipment, shop, language)) if action else NOTHING


def _opt_out(turn: Turn) -> Outcome:
    opt_out(turn.phone, "reply", turn.now)
    return _keyword_answer(turn)


def _opt_in(turn: Turn) -> Outcome:
    db.session.execute(delete(OptOut).where(OptOut.phone == turn.phone))
    return _keyword_answer(turn)


def _keyword_answer(turn: Turn) -> Outcome:
    return ([turn.about_number(turn.plan.reply)], []) if turn.plan.reply else NOTHING


def _clarify(turn: Turn) -> Outcome:
    lines = slot_lines(turn.scene.situation.options) if turn.plan.question == "slot_offer" else []
    ask = turn.about_parcel if turn.shipment else turn.about_number
    return [ask("clarify", question=turn.plan.question, slot_lines=lines)], []


def _disambiguate(turn: Turn) -> Outcome:
    parcels = [turn.scene.shipments[i] for i in turn.plan.choices if i in turn.scene.shipments]
    return [ask_which_parcel(turn.scene.conversation, turn.phone, parcels, turn.plan.pending, turn.now,
                             turn.key("disambiguation"))], []


def _rate_delivery(turn: Turn) -> Outcome:
    shipment, rating = turn.shipment, turn.plan.params["rating"]
    if not _rate(shipment, rating, turn.message.body, turn.now):
        again = clarify(turn.scene.situation)  # ask for the score once more (capped like any clarify)
        return ([turn.about_parcel("clarify", question=again.question)] if again.reply else []), []
    return [compose(shipment, shipment.shop, "rating_thanks", {"rating": rating}, now=turn.now,
                    dedupe_key=f"{shipment.id}:rating_thanks")], []


def _too_late(turn: Turn) -> Outcome:
    return ([turn.about_parcel("rebook_refused")], []) if turn.shipment and turn.plan.reply else NOTHING


def _hand_to_person(turn: Turn) -> Outcome:
    """The row's needs_person mark puts the reply in the console's inbox; the recipient is told so."""
    if not turn.plan.reply:
        return NOTHING
    return [turn.about_parcel(turn.plan.reply) if turn.shipment else turn.about_number(turn.plan.reply)], []


def _offer_slots(turn: Turn) -> Outcome:
    return _offer(turn.scene.conversation, turn.shipment, turn.now, turn.key, turn.carrier_timeout,
                  turn.about_parcel, turn.plan.params.get("wish")), []


def _rebook(turn: Turn) -> Outcome:
    clear_options(turn.scene.conversation, turn.now)
    command = rebooking.create_rebooking(turn.shipment, turn.plan.rebooking, turn.plan.params, "sms", turn.now)
    if command is not None:
        return [], [command.id]
    if rebooking.blocker(turn.shipment, turn.plan.rebooking) != "other_rebooking_pending":
        return [turn.about_parcel("rebook_refused")], []
    return NOTHING  # the first choice is on its way to the carrier; its answer will follow


NEEDS_PARCEL = ("rate", "offer_slots", "rebook")
ACTIONS = {"opt_out": _opt_out, "opt_in": _opt_in, "help": _keyword_answer, "unknown_number": _keyword_answer,
           "clarify": _clarify, "disambiguate": _disambiguate, "rate": _rate_delivery, "too_late": _too_late,
           "offer_slots": _offer_slots, "rebook": _rebook, "hand_to_person": _hand_to_person}


def _offer(conversation, shipment: Shipment, now: datetime, key, carrier_timeout: float | None,
           about_parcel, wish: dict | None = None) -> list[MessageDraft]:
    """Fetch the carrier's slots and offer them as letters; say so kindly when none can be had."""
    reason = rebooking.blocker(shipment, "reschedule")
    if reason == "other_rebooking_pending":
        return []  # the first choice is on its way to the carrier; its answer will follow
    slots = []
    if reason is None and carrier_timeout is not None:
        try:
            slots = rebooking.available_slots_for(shipment, after=now, timeout=carrier_timeout, limit=None)
        except CarrierRefused:  # e.g. unknown_parcel: nothing to offer
            slots = []
    if not slots:
        return [about_parcel("rebook_refused")]
    return [offer_slots_for_wish(conversation, shipment, slots, now, key("slot_offer"), wish)]


def _rate(shipment: Shipment, rating: int, body: str, now: datetime) -> bool:
    """Keep the recipient's score (the latest one counts), with their words when they wrote some.

    Return False when it cannot be kept; that is final, so it must not escape as an error and be retried.
    """
    comment = body.strip() if any(char.isalpha() for char in body) else None
    try:
        store_feedback(shipment, rating, comment, "sms", now)
    except FeedbackRefused as refusal:
        log.warning("rating %s for shipment %s not stored: %s", rating, shipment.id, refusal)
        return False
    return True
