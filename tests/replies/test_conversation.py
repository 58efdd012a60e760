"""What a reply makes Bijna do, decided from values alone: every conversation path in a table."""

from __future__ import annotations

import pytest

from app.replies.conversation import (
    AUTO_REPLY_CAP,
    MAX_PARCEL_CHOICES,
    Parcel,
    Plan,
    Situation,
    clarify,
    context_of,
    decide,
)
from app.replies.parser import Reply
from app.replies.wishes import Wish

A = Parcel("ship-a", "1234", "Bloemenhuis")
B = Parcel("ship-b", "98765", "Boekhandel")
SLOTS = ({"letter": "A", "slot_id": "s1", "starts_at": "2026-11-24T08:00:00+01:00",
          "ends_at": "2026-11-24T12:00:00+01:00", "label": "di 8-12"},
         {"letter": "B", "slot_id": "s2", "starts_at": "2026-11-24T18:00:00+01:00",
          "ends_at": "2026-11-24T21:00:00+01:00", "label": "di 18-21"})
WHICH = ({"letter": "A", "shipment_id": "ship-a", "label": "1234 (Bloemenhuis)"},
         {"letter": "B", "shipment_id": "ship-b", "label": "98765 (Boekhandel)"})

ASKED = Situation(question="arriving_soon", question_shipment_id="ship-a", parcels=(A,))
OFFERED = Situation(question="slot_offer", question_shipment_id="ship-a", parcels=(A, B), options=SLOTS)
WHICH_ONE = Situation(question="disambiguation", parcels=(A, B), options=WHICH,
                      pending={"intent": "neighbour", "note": "nr 12"})
RATED = Situation(question="delivered", question_shipment_id="ship-a")
STRANGER = Situation()


def plan_of(situation: Situation, intent: str, **fields) -> Plan:
    return decide(situation, Reply(intent, **fields))


@pytest.mark.parametrize("kind, context", [
    ("arriving_soon", "arriving_soon"), ("delay", "arriving_soon"), ("failed_attempt", "arriving_soon"),
    ("delivered", "delivered"), ("slot_offer", "slot_offer"), ("disambiguation", "disambiguation"),
    ("out_for_delivery", "none"), ("clarify", "none"), (None, "none"),
])
def test_the_last_question_gives_the_context(kind, context):
    assert context_of(kind) == context


@pytest.mark.parametrize("situation", [ASKED, OFFERED, WHICH_ONE, RATED, STRANGER,
                                       Situation(opted_out=True, auto_replies=99)])
def test_stop_opts_out_in_every_context_and_is_confirmed(situation):
    assert plan_of(situation, "stop") == Plan("opt_out", reply="stopped")


def test_twilio_reported_keywords_win_over_the_words_and_twilio_already_answered():
    assert plan_of(Situation(provider_keyword="STOP", parcels=(A,)), "neighbour") == Plan("opt_out")
    assert plan_of(Situation(provider_keyword="START", opted_out=True), "unknown") == Plan("opt_in")
    assert plan_of(Situation(provider_keyword="HELP", parcels=(A,)), "unknown") == Plan("help")


def test_start_opts_back_in_and_says_welcome_back():
    assert plan_of(Situation(opted_out=True), "start") == Plan("opt_in", reply="started")


def test_an_opted_out_number_changes_nothing_else():
    assert plan_of(Situation(question="arriving_soon", parcels=(A,), opted_out=True), "neighbour").action == "ignore"
    assert plan_of(Situation(question="delivered", question_shipment_id="A", opted_out=True), "rating",
                   rating=5).action == "ignore"


def test_help_is_answered_even_for_an_opted_out_number():
    assert plan_of(Situation(opted_out=True), "help") == Plan("help", reply="help")
    assert plan_of(Situation(parcels=(A,), opted_out=True), "help") == Plan("help", reply="help")
    assert plan_of(Situation(opted_out=True, provider_keyword="HELP"), "unknown") == Plan("help")  # Twilio answered
    capped = plan_of(Situation(opted_out=True, auto_replies=AUTO_REPLY_CAP), "help")
    assert (capped.action, capped.reply) == ("help", None)


def test_help_answers_until_the_daily_cap():
    assert plan_of(ASKED, "help") == Plan("help", reply="help")
    capped = plan_of(Situation(parcels=(A,), auto_replies=AUTO_REPLY_CAP), "help")
    assert (capped.action, capped.reply) == ("help", None)


def test_an_unknown_number_gets_one_neutral_text_a_day():
    assert plan_of(STRANGER, "neighbour") == Plan("unknown_number", reply="unknown_number")
    assert plan_of(Situation(unknown_number_answered=True), "neighbour").action == "ignore"
    assert plan_of(Situation(auto_replies=AUTO_REPLY_CAP), "unknown").action == "ignore"


@pytest.mark.parametrize("reply, plan", [
    (Reply("neighbour", note="nr 12"), Plan("rebook", "ship-a", rebooking="neighbour", params={"note": "nr 12"})),
    (Reply("neighbour"), Plan("rebook", "ship-a", rebooking="neighbour", params={"note": None})),
    (Reply("reschedule"), Plan("offer_slots", "ship-a")),
    (Reply("pickup_point"), Plan("rebook", "ship-a", rebooking="pickup_point", params={"pickup_point_id": None})),
])
def test_delivery_options_act_on_the_only_live_parcel(reply, plan):
    assert decide(ASKED, reply) == plan


def test_a_number_with_one_live_parcel_may_choose_without_being_asked():
    assert plan_of(Situation(parcels=(A,)), "neighbour").action == "rebook"


def test_several_live_parcels_make_bijna_ask_which_one_and_remember_the_reply():
    plan = plan_of(Situation(question="arriving_soon", question_shipment_id="ship-a", parcels=(A, B)),
                   "neighbour", note="nr 12")
    assert plan == Plan("disambiguate", choices=("ship-a", "ship-b"), reply="disambiguation",
                        pending={"intent": "neighbour", "note": "nr 12"}, reason="several_live_parcels")


def test_at_most_six_parcels_are_offered_as_letters():
    many = tuple(Parcel(f"ship-{i}", str(i), "Shop") for i in range(9))
    plan = plan_of(Situation(question="arriving_soon", parcels=many), "reschedule")
    assert len(plan.choices) == MAX_PARCEL_CHOICES


@pytest.mark.parametrize("pending, plan", [
    ({"intent": "neighbour", "note": "nr 12"},
     Plan("rebook", "ship-b", rebooking="neighbour", params={"note": "nr 12"})),
    ({"intent": "reschedule", "note": None}, Plan("offer_slots", "ship-b")),
    ({"intent": "pickup_point", "note": None}, Plan("rebook", "ship-b", rebooking="pickup_point",
                                                    params={"pickup_point_id": None})),
])
def test_the_letter_names_the_parcel_and_the_remembered_reply_is_carried_out(pending, plan):
    situation = Situation(question="disambiguation", parcels=(A, B), options=WHICH, pending=pending)
    assert plan_of(situation, "slot_choice", choice="B") == plan


def test_an_expired_which_parcel_question_is_asked_again():
    situation = Situation(question="disambiguation", parcels=(A, B), options=WHICH, options_expired=True,
                          pending={"intent": "neighbour", "note": None})
    plan = plan_of(situation, "slot_choice", choice="A")
    assert (plan.action, plan.reason) == ("disambiguate", "question_expired")


def test_a_parcel_that_was_delivered_meanwhile_is_not_rebooked():
    situation = Situation(question="disambiguation", parcels=(B,), options=WHICH,
                          pending={"intent": "neighbour", "note": None})
    assert plan_of(situation, "slot_choice", choice="A") == Plan(
        "too_late", "ship-a", reply="rebook_refused", reason="parcel_not_live")


def test_a_letter_picks_the_offered_slot():
    plan = plan_of(OFFERED, "slot_choice", choice="B")
    assert plan == Plan("rebook", "ship-a", rebooking="reschedule",
                        params={"slot_id": "s2", "starts_at": SLOTS[1]["starts_at"], "ends_at": SLOTS[1]["ends_at"]})


def test_an_expired_offer_is_made_again_with_fresh_slots():
    expired = Situation(question="slot_offer", question_shipment_id="ship-a", parcels=(A,), options=SLOTS,
                        options_expired=True)
    assert plan_of(expired, "slot_choice", choice="A") == Plan("offer_slots", "ship-a", reason="offer_expired")


def test_a_letter_that_was_not_offered_is_clarified_with_the_options():
    plan = plan_of(OFFERED, "slot_choice", choice="E")
    assert (plan.action, plan.question, plan.shipment_id) == ("clarify", "slot_offer", "ship-a")
    which = plan_of(WHICH_ONE, "slot_choice", choice="F")
    assert (which.action, which.question, which.shipment_id) == ("clarify", "slot_offer", None)


def test_changing_ones_mind_during_a_slot_offer_acts_on_the_offered_parcel():
    assert plan_of(OFFERED, "neighbour") == Plan("rebook", "ship-a", rebooking="neighbour", params={"note": None})


def test_a_rating_after_delivered_is_kept_and_thanked():
    assert plan_of(RATED, "rating", rating=4) == Plan("rate", "ship-a", params={"rating": 4}, reply="rating_thanks")


def test_an_unclear_answer_to_the_rating_question_repeats_it():
    plan = plan_of(RATED, "unknown")
    assert (plan.action, plan.question) == ("clarify", "rating")


def test_a_rating_that_cannot_be_kept_asks_for_the_score_once_within_the_cap():
    assert clarify(RATED) == Plan("clarify", "ship-a", reply="clarify", question="rating")
    assert clarify(Situation(question="delivered", question_shipment_id="ship-a", clarified=True)).reply is None
    assert clarify(Situation(question="delivered", question_shipment_id="ship-a",
                             auto_replies=AUTO_REPLY_CAP)).reply is None


def test_options_for_a_parcel_no_longer_on_its_way_are_refused_kindly():
    gone = Situation(question="arriving_soon", question_shipment_id="ship-a")
    assert plan_of(gone, "neighbour") == Plan("too_late", "ship-a", reply="rebook_refused", reason="no_live_parcel")


@pytest.mark.parametrize("situation, question", [
    (ASKED, "delivery_options"), (Situation(parcels=(A, B)), "delivery_options"), (OFFERED, "slot_offer"),
])
def test_an_unknown_reply_gets_one_clarifying_text(situation, question):
    plan = plan_of(situation, "unknown")
    assert (plan.action, plan.reply, plan.question) == ("clarify", "clarify", question)
    again = Situation(**{**situation.__dict__, "clarified": True})
    assert plan_of(again, "unknown") == Plan("ignore", reason="already_clarified")


def test_automatic_answers_stop_at_the_cap_so_auto_responders_cannot_loop():
    busy = Situation(question="arriving_soon", parcels=(A, B), auto_replies=AUTO_REPLY_CAP)
    assert plan_of(busy, "unknown") == Plan("ignore", reason="auto_reply_cap")
    assert plan_of(busy, "neighbour") == Plan("ignore", reason="auto_reply_cap")
    # Acting on a clear choice is not an automatic answer: the cap never blocks it.
    assert plan_of(Situation(question="arriving_soon", parcels=(A,), auto_replies=9), "neighbour").action == "rebook"


def test_the_parser_is_told_how_many_letters_are_on_offer():
    assert OFFERED.choices == 2 and ASKED.choices is None


def test_no_choices_are_offered_for_a_parcel_that_has_ended():
    ended = Situation(question="arriving_soon", question_shipment_id="ship-a")
    assert plan_of(ended, "unknown") == Plan("ignore", reason="no_live_parcel")


# "Which parcel?" only when more than one parcel is still open to the choice.
REBOOKED_B = Parcel("ship-b", "98765", "Boekhandel", open=False)
REBOOKED_A = Parcel("ship-a", "1234", "Bloemenhuis", open=False)
C = Parcel("ship-c", "555", "Bloemenhuis")


@pytest.mark.parametrize("situation, reply, plan", [
    # the arriving-soon text named A; B was rebooked already (or has a change pending): A is meant
    (Situation(question="arriving_soon", question_shipment_id="ship-a", parcels=(A, REBOOKED_B)),
     Reply("reschedule"), Plan("offer_slots", "ship-a")),
    # A itself was rebooked already: changing one's mind about A, not about B
    (Situation(question="arriving_soon", question_shipment_id="ship-a", parcels=(REBOOKED_A, B)),
     Reply("neighbour"), Plan("rebook", "ship-a", rebooking="neighbour", params={"note": None})),
    (Situation(question="arriving_soon", question_shipment_id="ship-a", parcels=(REBOOKED_A, REBOOKED_B)),
     Reply("neighbour"), Plan("rebook", "ship-a", rebooking="neighbour", params={"note": None})),
    # no question named a parcel: the only open one is meant
    (Situation(parcels=(REBOOKED_A, B)), Reply("pickup_point"),
     Plan("rebook", "ship-b", rebooking="pickup_point", params={"pickup_point_id": None})),
    # the parcel the text was about has ended since: refused, never moved to the other parcel
    (Situation(question="arriving_soon", question_shipment_id="ship-a", parcels=(B,)), Reply("neighbour"),
     Plan("too_late", "ship-a", reply="rebook_refused", reason="no_live_parcel")),
    # a day named for the new slot travels with the plan
    (ASKED, Reply("reschedule", when=Wish(days=(("weekday", 2, 0),))),
     Plan("offer_slots", "ship-a", params={"wish": {"days": [["weekday", 2, 0]]}})),
])
def test_a_reply_is_about_the_parcel_asked_about_unless_another_is_just_as_open(situation, reply, plan):
    assert decide(situation, reply) == plan


@pytest.mark.parametrize("parcels, choices", [
    ((A, B), ("ship-a", "ship-b")),
    ((A, REBOOKED_B, C), ("ship-a", "ship-c")),  # a rebooked parcel is not offered as a letter
    ((REBOOKED_A, REBOOKED_B), ("ship-a", "ship-b")),  # all rebooked, none named: any of them may be meant
])
def test_which_parcel_offers_the_parcels_open_to_the_choice(parcels, choices):
    plan = plan_of(Situation(question="none", parcels=parcels), "neighbour")
    assert (plan.action, plan.choices) == ("disambiguate", choices)


def test_a_wish_waits_with_which_parcel_and_comes_back_with_the_letter():
    asked = plan_of(Situation(question="arriving_soon", question_shipment_id="ship-a", parcels=(A, B)),
                    "reschedule", when=Wish(parts=("evening",)))
    assert asked.pending == {"intent": "reschedule", "note": None, "wish": {"parts": ["evening"]}}
    answered = plan_of(Situation(question="disambiguation", parcels=(A, B), options=WHICH, pending=asked.pending),
                       "slot_choice", choice="B")
    assert answered == Plan("offer_slots", "ship-b", params={"wish": {"parts": ["evening"]}})


# --- a person when in doubt (issue 13) ---------------------------------------------------

DOUBT = 0.3


@pytest.mark.parametrize("situation", [ASKED, OFFERED, RATED, WHICH_ONE])
def test_a_doubted_reply_after_a_question_goes_to_a_person_who_is_named_in_a_text(situation: Situation) -> None:
    plan = decide(situation, Reply("unknown", confidence=DOUBT))
    assert (plan.action, plan.reply) == ("hand_to_person", "handed_to_person")


def test_the_hand_off_names_the_parcel_the_question_was_about() -> None:
    assert decide(ASKED, Reply("unknown", confidence=DOUBT)).shipment_id == "ship-a"
    only_parcel = Situation(question="arriving_soon", parcels=(B,))
    assert decide(only_parcel, Reply("unknown", confidence=DOUBT)).shipment_id == "ship-b"


def test_a_doubted_choice_is_not_acted_on() -> None:
    assert decide(ASKED, Reply("neighbour", confidence=0.5)).action == "hand_to_person"
    assert decide(ASKED, Reply("neighbour", confidence=0.85)).action == "rebook"


def test_over_the_auto_reply_cap_the_person_still_gets_the_reply_but_no_text_goes_out() -> None:
    busy = Situation(question="arriving_soon", question_shipment_id="ship-a", parcels=(A,),
                     auto_replies=AUTO_REPLY_CAP)
    plan = decide(busy, Reply("unknown", confidence=DOUBT))
    assert (plan.action, plan.reply) == ("hand_to_person", None)


def test_with_no_question_pending_doubt_is_not_handed_over_and_controls_always_win() -> None:
    assert decide(Situation(parcels=(A,)), Reply("unknown", confidence=DOUBT)).action != "hand_to_person"
    assert decide(ASKED, Reply("stop", confidence=DOUBT)).action == "opt_out"
