"""Decide what a reply asks Bijna to do, from the question it answers. Pure: values in, a plan out.

The inbound service reads a `Situation` from the database (the last question asked to the
number, the lettered options still open, the number's live parcels, how many automatic
answers it already got), parses the reply in that context, and carries out the `Plan` this
module returns. Nothing here imports Flask, Redis or SQLAlchemy.

Rules, in order:
- STOP / START work in every context and for every number (Twilio's OptOutType wins over the
  words); they are never capped. When Twilio already answered the keyword, Bijna stays quiet,
  and it never answers a number Twilio blocks (it would refuse the text with 21610). Only
  Twilio's START lifts Twilio's block, so Bijna's own start words cannot while it holds.
- HELP answers with what these texts are and how to stop them, also to an opted-out number
  (carrier rules: HELP is always answered).
- An opted-out number's other replies change nothing.
- A number with no live parcel and no recent question gets at most one neutral text a day.
- After "delivered" a digit is a 1-5 rating of that parcel.
- A letter answers the open slot offer or "which parcel?" question; an expired offer is made
  again with fresh slots, an unknown letter is clarified.
- neighbour / reschedule / pickup_point act on the parcel the last question was about (an
  arriving-soon, delay or failed-attempt text, or a slot offer), else on the number's only
  live parcel. Bijna asks "which parcel?" only when more than one parcel is still open to the
  choice (live, not already rebooked, no change pending), and remembers the reply until it is
  answered. An answer about a parcel that has ended is refused kindly, never moved to another.
- A new slot asked for with a day or time ("liever woensdag") carries that wish to the offer.
- A reply the parser doubts (two choices side by side, a question that mentions an option; its
  confidence below parser.CONFIDENT) after a question is not guessed: it is handed to a person at
  the shop ("handed_to_person": a short text says so; the row is marked needs_person for the console).
- Anything else gets one clarifying text per question.
- Automatic answers (clarify, help, disambiguation, unknown_number) are capped per number per
  day, so an auto-responder can never keep a loop going.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta

from app.replies.parser import Reply

# The texts that ask something, and the parser context their answer is read in.
QUESTION_CONTEXTS = {
    "arriving_soon": "arriving_soon",
    "delay": "arriving_soon",
    "failed_attempt": "arriving_soon",
    "delivered": "delivered",
    "slot_offer": "slot_offer",
    "slot_offer_instead": "slot_offer",  # "nothing free on Wednesday; these are:" asks the same
    "disambiguation": "disambiguation",
}
LETTERED = ("slot_offer", "disambiguation")
OPTION_INTENTS = ("neighbour", "reschedule", "pickup_point")
AUTO_REPLY_KINDS = ("clarify", "help", "disambiguation", "unknown_number", "handed_to_person")
AUTO_REPLY_CAP = 3
AUTO_REPLY_WINDOW = timedelta(hours=24)
MAX_PARCEL_CHOICES = 6  # letters A-F, what the parser accepts without a count
PROVIDER_KEYWORDS = {"STOP": "stop", "START": "start", "HELP": "help"}


@dataclass(frozen=True)
class Parcel:
    """One of the number's live parcels, as a "which parcel?" question may name it."""

    shipment_id: str
    order_ref: str
    shop_name: str
    open: bool = True  # still open to a choice: not already rebooked, no change pending at the carrier


@dataclass(frozen=True)
class Situation:
    """What Bijna knows about a number when one of its replies is read."""

    question: str = "none"  # parser context of the last question asked
    question_shipment_id: str | None = None  # the parcel that question was about
    options: tuple[dict, ...] = ()  # lettered options still on the table
    options_expired: bool = False
    pending: dict | None = None  # the reply waiting for "which parcel?"
    parcels: tuple[Parcel, ...] = ()  # this number's live parcels, oldest first
    opted_out: bool = False
    clarified: bool = False  # the last question was already repeated once
    auto_replies: int = 0  # automatic answers in the last AUTO_REPLY_WINDOW
    unknown_number_answered: bool = False  # within the last AUTO_REPLY_WINDOW
    provider_keyword: str | None = None  # Twilio's OptOutType: STOP, START or HELP
    provider_blocked: bool = False  # Twilio refuses texts to the number (it sent Twilio a STOP)

    @property
    def choices(self) -> int | None:
        """Return how many letters are on offer, for the parser."""
        return len(self.options) if self.question in LETTERED else None


@dataclass(frozen=True)
class Plan:
    """What to do about one reply; `reply` is the kind of text to answer with (None: none)."""

    action: str  # opt_out, opt_in, help, unknown_number, clarify, disambiguate, offer_slots, rebook,
    #              rate, too_late, hand_to_person, ignore
    shipment_id: str | None = None
    rebooking: str | None = None  # neighbour | reschedule | pickup_point
    params: dict = field(default_factory=dict)  # rebooking params, or {"rating": n}
    reply: str | None = None
    question: str | None = None  # what a clarify repeats: delivery_options | slot_offer | rating
    choices: tuple[str, ...] = ()  # shipment ids to offer as A, B, ...
    pending: dict | None = None  # the reply to act on once the parcel is known
    reason: str = ""


def context_of(question_kind: str | None) -> str:
    """Return the parser context for the kind of the last question asked."""
    return QUESTION_CONTEXTS.get(question_kind or "", "none")


def decide(situation: Situation, reply: Reply) -> Plan:
    """Return what to do about a reply in this situation."""
    intent = PROVIDER_KEYWORDS.get(situation.provider_keyword or "", reply.intent)
    # Twilio already texted back, or would refuse our text: either way Bijna sends none.
    answered = situation.provider_keyword is not None or situation.provider_blocked
    if intent == "stop":
        return Plan("opt_out", reply=None if answered else "stopped")
    if intent == "start" and situation.provider_blocked and situation.provider_keyword != "START":
        return Plan("ignore", reason="blocked_at_provider")  # "aanmelden": Twilio still blocks, keep its word
    if intent == "start":
        return Plan("opt_in", reply=None if answered else "started")
    if intent == "help":  # before the opt-out: carriers require HELP to be answered, always
        return _capped(situation, Plan("help", reply=None if answered else "help"))
    if situation.opted_out:
        return Plan("ignore", reason="opted_out")
    if not situation.parcels and situation.question == "none":
        if situation.unknown_number_answered:
            return Plan("ignore", reason="unknown_number_answered_today")
        return _capped(situation, Plan("unknown_number", reply="unknown_number"))
    if reply.needs_person and situation.question != "none":
        return _hand_to_person(situation)
    if situation.question == "delivered":
        if reply.intent == "rating" and situation.question_shipment_id:
            return Plan("rate", situation.question_shipment_id, params={"rating": reply.rating},
                        reply="rating_thanks")
        return clarify(situation)
    if reply.intent == "slot_choice" and situation.question in LETTERED:
        return _letter(situation, reply.choice or "")
    if reply.intent in OPTION_INTENTS:
        return _option(situation, _pending(reply))
    return clarify(situation)


def _pending(reply: Reply) -> dict:
    """Return the reply as it waits for "which parcel?" (JSON: it is kept on the Conversation row)."""
    pending = {"intent": reply.intent, "note": reply.note}
    if reply.when is not None:
        pending["wish"] = reply.when.as_dict()
    return pending


def _letter(situation: Situation, letter: str) -> Plan:
    """Act on a letter: a slot from the offer, or the parcel a "which one?" question meant."""
    option = next((o for o in situation.options if o.get("letter") == letter.upper()), None)
    if option is None:
        return clarify(situation)
    if situation.question == "slot_offer":
        if situation.options_expired:
            return Plan("offer_slots", situation.question_shipment_id, reason="offer_expired")
        params = {key: option[key] for key in ("slot_id", "starts_at", "ends_at")}
        return Plan("rebook", situation.question_shipment_id, rebooking="reschedule", params=params)
    pending = situation.pending or {}
    if situation.options_expired or pending.get("intent") not in OPTION_INTENTS:
        return _ask_which(situation, pending or {"intent": "unknown"}, reason="question_expired")
    if option["shipment_id"] not in {parcel.shipment_id for parcel in situation.parcels}:
        return Plan("too_late", option["shipment_id"], reply="rebook_refused", reason="parcel_not_live")
    return _act(option["shipment_id"], pending)


def _option(situation: Situation, pending: dict) -> Plan:
    """Act on neighbour / new slot / pickup point for the one parcel it can mean, or ask which.

    The last question named its parcel: the reply is about that one, unless another parcel of
    the number is just as open to the choice. Without such a question, the number's only open
    parcel is meant (or its only live one, when every one has been rebooked already).
    """
    live = [parcel.shipment_id for parcel in situation.parcels]
    about = situation.question_shipment_id
    if about is not None and about not in live:
        return Plan("too_late", about, reply="rebook_refused", reason="no_live_parcel")
    if not live:
        return Plan("too_late", reason="no_live_parcel")
    open_ids = [parcel.shipment_id for parcel in situation.parcels if parcel.open]
    if about is not None:  # a slot offer, or its parcel rebooked already: the choice is about that one
        if situation.question == "slot_offer" or about not in open_ids or len(open_ids) == 1:
            return _act(about, pending)
    elif len(candidates := _choosable(situation)) == 1:
        return _act(candidates[0], pending)
    return _ask_which(situation, pending)


def _choosable(situation: Situation) -> list[str]:
    """Return the parcels a "which parcel?" question offers: the open ones, else every live one."""
    return [p.shipment_id for p in situation.parcels if p.open] or [p.shipment_id for p in situation.parcels]


def _act(shipment_id: str, pending: dict) -> Plan:
    intent = pending["intent"]
    if intent == "reschedule":
        return Plan("offer_slots", shipment_id, params={"wish": pending["wish"]} if pending.get("wish") else {})
    if intent == "neighbour":
        return Plan("rebook", shipment_id, rebooking="neighbour", params={"note": pending.get("note")})
    return Plan("rebook", shipment_id, rebooking="pickup_point", params={"pickup_point_id": None})


def _ask_which(situation: Situation, pending: dict, reason: str = "several_live_parcels") -> Plan:
    choices = tuple(_choosable(situation)[:MAX_PARCEL_CHOICES])
    if pending.get("intent") not in OPTION_INTENTS or len(choices) < 2:
        return clarify(situation)
    plan = Plan("disambiguate", choices=choices, pending=pending, reply="disambiguation", reason=reason)
    return _capped(situation, plan)


def clarify(situation: Situation) -> Plan:
    """Repeat the question once; a second puzzling answer to the same question gets silence.

    Also what a rating that cannot be kept gets (inbound decides that, after storing failed).
    """
    if situation.clarified:
        return Plan("ignore", reason="already_clarified")
    question = {"delivered": "rating", "slot_offer": "slot_offer", "disambiguation": "slot_offer"}.get(
        situation.question, "delivery_options")
    if question != "rating" and not situation.parcels:
        return Plan("ignore", reason="no_live_parcel")  # never offer choices for a parcel that has ended
    about = situation.question_shipment_id
    if about is None and len(situation.parcels) == 1:
        about = situation.parcels[0].shipment_id
    return _capped(situation, Plan("clarify", about, reply="clarify", question=question))


def _hand_to_person(situation: Situation) -> Plan:
    """Pass a reply the parser doubts to a person at the shop, and tell the recipient so (capped)."""
    about = situation.question_shipment_id
    if about is None and len(situation.parcels) == 1:
        about = situation.parcels[0].shipment_id
    plan = Plan("hand_to_person", about, reply="handed_to_person", reason="unsure")
    capped = _capped(situation, plan)
    # Over the cap the text is dropped, never the hand-off: a person still reads the reply.
    return plan if capped.action == "hand_to_person" else replace(plan, reply=None, reason="auto_reply_cap")


def _capped(situation: Situation, plan: Plan) -> Plan:
    """Drop an automatic answer once the number had its share today."""
    if plan.reply in AUTO_REPLY_KINDS and situation.auto_replies >= AUTO_REPLY_CAP:
        if plan.action == "help":
            return replace(plan, reply=None, reason="auto_reply_cap")
        return Plan("ignore", reason="auto_reply_cap")
    return plan
