"""Issue 13: replies read the way a person reads them — typos, Flemish, French, numbers that are not
options, a change of mind, questions, exclamations — and a person when the reader is in doubt."""

from __future__ import annotations

import pytest

from app.replies import vocabulary as vocab
from app.replies.parser import CONFIDENT, CONTEXTS, Reply, parse_reply
from bench.parser_accuracy import HELDOUT, TUNED, load_corpus, overall

# Floors: the tuned files read (almost) perfectly; the held-out files at the issue's targets.
FLOORS = {**dict.fromkeys(TUNED, 0.97), "nl/en/Flemish held out": 0.95, "fr held out": 0.90}


@pytest.mark.parametrize("label", list(FLOORS))
def test_each_corpus_part_is_read_right_above_its_floor(label: str) -> None:
    cases = load_corpus({**TUNED, **HELDOUT}[label])
    score = overall(cases)
    assert score.accuracy >= FLOORS[label], f"{label}: {score.correct}/{score.total} read right"


def test_the_issue_13_corpus_parts_are_several_hundred_lines() -> None:
    new = [case for label, path in {**TUNED, **HELDOUT}.items() if "first" not in label for case in load_corpus(path)]
    assert len(new) >= 500
    assert len(load_corpus(HELDOUT["fr held out"])) >= 60


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("biren", "neighbour"), ("bij de buten graag", "neighbour"), ("neighbpurs please", "neighbour"),
        ("ander tijdsip", "reschedule"), ("afhaalpubt", "pickup_point"), ("pikcup point", "pickup_point"),
        ("nr3", "pickup_point"), ("optie2 graag", "reschedule"), ("1aub", "neighbour"),
        ("voison", "neighbour"), ("point relai", "pickup_point"), ("demian", "reschedule"),
    ],
)
def test_typos_and_glued_digits_are_read(text: str, intent: str) -> None:
    reply = parse_reply(text, "arriving_soon")
    assert reply.intent == intent and not reply.needs_person


@pytest.mark.parametrize("word", ["stoep", "laten", "moeten", "mogen", "zorgen", "werk", "welk", "maakt", "dire"])
def test_real_words_near_a_keyword_are_not_corrected(word: str) -> None:
    assert vocab.correct(word) == (word, 1.0)


def test_a_keyboard_neighbour_costs_less_than_another_letter() -> None:
    near, sure_near = vocab.correct("buten")  # t is next to r
    far, sure_far = vocab.correct("bulen")  # l is not
    assert near == far == "buren" and sure_near > sure_far


def test_short_words_are_never_fuzzed() -> None:
    assert vocab.correct("bur") == ("bur", 1.0)
    assert parse_reply("bur", "arriving_soon").intent == "unknown"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'k ben ni thuis, bij de gebuur", "neighbour"), ("doet da maar naar 't afhaalpunt", "pickup_point"),
        ("'t postpunt is goed", "pickup_point"), ("de gebuur is ni thuis", "unknown"),
        ("ni bij de gebuur, 3", "pickup_point"), ("Merci, 2", "reschedule"),
    ],
)
def test_flemish_is_read(text: str, expected: str) -> None:
    assert parse_reply(text, "arriving_soon").intent == expected


@pytest.mark.parametrize(
    ("context", "text", "expected"),
    [
        ("arriving_soon", "leg maar bij nummer 21", Reply("neighbour", note="bij nummer 21")),
        ("arriving_soon", "bij nummer 2", Reply("neighbour", note="bij nummer 2")),
        ("arriving_soon", "nummer 2", Reply("reschedule")),
        ("arriving_soon", "over 2 à 3 dagen", Reply("reschedule")),
        ("arriving_soon", "ik heb 2 pakketten, allebei bij de buren",
         Reply("neighbour", note="heb 2 pakketten, allebei")),
        ("delivered", "3 uur gewacht, een 2 dus", Reply("rating", rating=2)),
        ("delivered", "waited 3 hours. 2", Reply("rating", rating=2)),
        ("delivered", "attendu 3 heures, donc 2", Reply("rating", rating=2)),
    ],
)
def test_numbers_that_are_not_options(context: str, text: str, expected: Reply) -> None:
    assert parse_reply(text, context) == expected


@pytest.mark.parametrize(
    ("context", "text", "intent", "value"),
    [
        ("arriving_soon", "buren… nee, toch maar het afhaalpunt", "pickup_point", None),
        ("arriving_soon", "buren. Sorry, bedoel 2", "reschedule", None),
        ("arriving_soon", "neighbours - actually no, pickup point", "pickup_point", None),
        ("arriving_soon", "voisin... non, plutôt le point relais", "pickup_point", None),
        ("slot_offer", "B no wait C", "slot_choice", "C"),
        ("delivered", "3, nee toch 4", "rating", 4),
    ],
)
def test_after_a_change_of_mind_the_last_choice_counts(context: str, text: str, intent: str, value) -> None:
    reply = parse_reply(text, context, choices=3)
    assert (reply.intent, reply.choice or reply.rating) == (intent, value)
    assert CONFIDENT <= reply.confidence < 1.0  # acted on, and the doubt recorded


@pytest.mark.parametrize(
    ("context", "text"),
    [
        ("arriving_soon", "buren of afhaalpunt, maakt niet uit"), ("arriving_soon", "1 en 3"),
        ("arriving_soon", "voisin ou point relais, peu importe"), ("slot_offer", "A of C"), ("delivered", "4 or 5"),
        ("arriving_soon", "kan het bij de buren, of moet er getekend worden?"),
        ("arriving_soon", "Welk afhaalpunt wordt het?"), ("arriving_soon", "c'est où le point relais ?"),
        ("slot_offer", "what time is C?"),
    ],
)
def test_two_choices_standing_or_a_question_go_to_a_person(context: str, text: str) -> None:
    reply = parse_reply(text, context, choices=3)
    assert reply.intent == "unknown" and reply.needs_person


@pytest.mark.parametrize("text", ["Kan het bij de buren?", "Could you leave it with the neighbours?",
                                  "chez le voisin, c'est possible ?", "kan het morgen?"])
def test_a_polite_request_is_still_a_choice(text: str) -> None:
    reply = parse_reply(text, "arriving_soon")
    assert reply.intent in ("neighbour", "reschedule") and not reply.needs_person


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("help! niet thuis, doe maar 2", "reschedule"), ("help, 3", "pickup_point"),
        ("au secours ! pas là, 2 svp", "reschedule"), ("aide ! chez le voisin", "neighbour"),
        ("help", "help"), ("HELP", "help"), ("ik heb hulp nodig", "help"), ("help me, wat is dit?", "help"),
        ("aide", "help"), ("c'est qui ?", "help"), ("can you help me?", "help"),
    ],
)
def test_help_is_a_bare_keyword_or_a_request_for_help(text: str, intent: str) -> None:
    assert parse_reply(text, "arriving_soon").intent == intent


def test_confidence_is_in_the_unit_interval_for_every_reply() -> None:
    for path in TUNED.values():
        for case in load_corpus(path):
            assert 0.0 <= parse_reply(case.text, case.context, case.choices).confidence <= 1.0


# --- opt-out safety, three languages -------------------------------------------------

OPT_OUTS = [
    # Dutch and Flemish
    "stop", "STOP!", "stoppen", "geen sms meer", "niet meer sms'en", "uitschrijven", "afmelden",
    "laat me met rust", "stop met die sms'jes", "ik wil deze berichten niet meer", "Kunnen jullie stoppen?",
    # English
    "unsubscribe", "stop texting me", "please stop texting", "no more messages please", "leave me alone",
    "don't text me again", "stop sending me these", "opt out",
    # French
    "ARRET", "ARRÊT", "arrêt svp", "arrêtez", "arrêtez les sms", "Arrêtez de m'envoyer des messages",
    "plus de sms svp", "je ne veux plus de messages", "je ne veux plus recevoir de messages",
    "ne m'envoyez plus de sms", "désabonner", "désinscription", "fichez-moi la paix",
]
NOT_OPT_OUTS = [
    "stop het maar bij de buren", "stop maar bij de gebuur", "niet stoppen aub", "the bus stop",
    "please don't stop texting me", "stop at the neighbours", "Don't stop sending",
    "arrêt de bus", "arrêt de tram", "arrêtez-vous chez le voisin", "arrêtez-vous au point relais",
    "n'arrêtez pas les sms", "ik krijg de berichten niet meer", "stoep", "help! niet thuis, doe maar 2",
    "plus tard", "point relais", "cancel my order",
]


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("text", OPT_OUTS)
def test_every_opt_out_is_read_in_every_context(context: str, text: str) -> None:
    assert parse_reply(text, context, choices=3).intent == "stop"


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("text", NOT_OPT_OUTS)
def test_no_other_reply_is_read_as_an_opt_out(context: str, text: str) -> None:
    assert parse_reply(text, context, choices=3).intent != "stop"


def test_no_opt_out_in_the_corpus_is_missed_and_none_is_invented() -> None:
    for path in {**TUNED, **HELDOUT}.values():
        for case in load_corpus(path):
            read_as_stop = parse_reply(case.text, case.context, case.choices).intent == "stop"
            assert read_as_stop == (case.intent == "stop"), f"{path.name}:{case.line} {case.text!r}"
