"""Tests for the reply parser: exact readings of key replies, and accuracy on the corpus."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.replies.parser import CONTEXTS, INTENTS, MAX_BODY, MAX_NOTE, Reply, parse_reply
from app.replies.wishes import Wish
from bench.parser_accuracy import load_corpus, overall, score_by

CORPUS = load_corpus()
UNKNOWN_REPLY = Reply("unknown")
OPTION_CONTEXTS = ("arriving_soon", "none", "slot_offer", "disambiguation")


@pytest.mark.parametrize(
    ("context", "text", "choices", "expected"),
    [
        # the arriving-soon options, as people actually type them
        ("arriving_soon", "1", None, {"intent": "neighbour"}),
        ("arriving_soon", " 1 graag", None, {"intent": "neighbour"}),
        ("arriving_soon", "1 👍", None, {"intent": "neighbour"}),
        ("arriving_soon", "één", None, {"intent": "neighbour"}),
        ("arriving_soon", "bij de buren nr 12", None, {"intent": "neighbour", "note": "nr 12"}),
        ("arriving_soon", "leave with neighbours at 14", None,
         {"intent": "neighbour", "note": "at 14"}),
        ("arriving_soon", "next door at nr 12", None, {"intent": "neighbour", "note": "at nr 12"}),
        ("arriving_soon", "1\n\nVerzonden vanaf mijn iPhone", None, {"intent": "neighbour"}),
        ("arriving_soon", "buren -- Sent from my Galaxy", None, {"intent": "neighbour"}),
        ("arriving_soon", "nieghbour", None, {"intent": "neighbour"}),
        ("arriving_soon", "2 groetjes Anna", None, {"intent": "reschedule"}),
        ("arriving_soon", "twee", None, {"intent": "reschedule"}),
        ("arriving_soon", "ander tijdstip", None, {"intent": "reschedule"}),
        ("arriving_soon", "2 ben pas om 18:00 thuis", None, {"intent": "reschedule", "when": {"after": 1080}}),
        ("arriving_soon", "niet 1 maar 2", None, {"intent": "reschedule"}),
        ("arriving_soon", "3", None, {"intent": "pickup_point"}),
        ("arriving_soon", "pick-up point", None, {"intent": "pickup_point"}),
        ("arriving_soon", "afhaalpnt", None, {"intent": "pickup_point"}),
        # contradictions and non-options are not guessed at
        ("arriving_soon", "1 of 3", None, {"intent": "unknown"}),
        ("arriving_soon", "1 ander moment", None, {"intent": "unknown"}),
        ("arriving_soon", "niet bij de buren", None, {"intent": "unknown"}),
        # a negated option is excluded; the one clear option left wins
        ("arriving_soon", "nee niet bij de buren, 2", None, {"intent": "reschedule"}),
        ("arriving_soon", "not the neighbours, pickup point please", None, {"intent": "pickup_point"}),
        ("arriving_soon", "geen afhaalpunt, doe maar 1", None, {"intent": "neighbour"}),
        ("arriving_soon", "geen afhaalpunt, morgen of buren", None, {"intent": "unknown"}),
        ("arriving_soon", "niet 1 of 2", None, {"intent": "unknown"}),
        ("arriving_soon", "Don't leave it with the neighbours, I'll collect it", None,
         {"intent": "pickup_point"}),
        ("arriving_soon", "De buren zijn niet thuis", None, {"intent": "unknown"}),
        ("arriving_soon", "buren zijn op vakantie, 3 aub", None, {"intent": "pickup_point"}),
        ("slot_offer", "niet A, B", 3, {"intent": "slot_choice", "choice": "B"}),
        ("arriving_soon", "Leg maar op de stoep", None, {"intent": "unknown"}),
        ("none", "4", None, {"intent": "unknown"}),
        ("none", "1", None, {"intent": "neighbour"}),
        ("arriving_soon", "B", None, {"intent": "unknown"}),
        # slot letters
        ("slot_offer", "B", 3, {"intent": "slot_choice", "choice": "B"}),
        ("slot_offer", "b.", 3, {"intent": "slot_choice", "choice": "B"}),
        ("slot_offer", "doe maar b", 3, {"intent": "slot_choice", "choice": "B"}),
        ("slot_offer", "option b", None, {"intent": "slot_choice", "choice": "B"}),
        ("slot_offer", "de eerste", 3, {"intent": "slot_choice", "choice": "A"}),
        ("slot_offer", "laatste", 3, {"intent": "slot_choice", "choice": "C"}),
        ("slot_offer", "A of B", 3, {"intent": "unknown"}),
        ("slot_offer", "D", 3, {"intent": "unknown"}),
        ("slot_offer", "1", 3, {"intent": "neighbour"}),
        ("disambiguation", "pakket B", 2, {"intent": "slot_choice", "choice": "B"}),
        # ratings
        ("delivered", "5 sterren", None, {"intent": "rating", "rating": 5}),
        ("delivered", "4/5", None, {"intent": "rating", "rating": 4}),
        ("delivered", "⭐⭐⭐⭐", None, {"intent": "rating", "rating": 4}),
        ("delivered", "vier", None, {"intent": "rating", "rating": 4}),
        ("delivered", "1 ster, pakket lag bij nr 3", None, {"intent": "rating", "rating": 1}),
        ("delivered", "10/10", None, {"intent": "unknown"}),
        ("delivered", "4 of 5", None, {"intent": "unknown"}),
        ("delivered", "buren", None, {"intent": "unknown"}),
        # opt-out words, Twilio's and ours
        ("arriving_soon", "cancel", None, {"intent": "stop"}),
        ("arriving_soon", "cancel my order", None, {"intent": "unknown"}),
        ("arriving_soon", "niet meer sms'en", None, {"intent": "stop"}),
        ("arriving_soon", "weer aanmelden", None, {"intent": "start"}),
        ("arriving_soon", "yes", None, {"intent": "unknown"}),
        ("arriving_soon", "ja", None, {"intent": "unknown"}),
        ("arriving_soon", "?", None, {"intent": "help"}),
        ("arriving_soon", "Wie is dit?", None, {"intent": "help"}),
    ],
)
def test_reply_is_read_exactly(
    context: str, text: str, choices: int | None, expected: dict
) -> None:
    assert parse_reply(text, context, choices).as_dict() == expected


def test_corpus_is_read_right_at_least_95_percent_of_the_time() -> None:
    score = overall(CORPUS)
    assert score.accuracy >= 0.95, f"{score.correct}/{score.total} read right"


@pytest.mark.parametrize("intent", INTENTS)
def test_each_intent_is_read_right_at_least_90_percent_of_the_time(intent: str) -> None:
    score = score_by(CORPUS, "intent")[intent]
    assert score.accuracy >= 0.9, f"{intent}: {score.correct}/{score.total} read right"


def test_corpus_covers_every_intent_in_every_context_it_can_occur_in() -> None:
    seen = {(case.context, case.intent) for case in CORPUS}
    everywhere = ("stop", "start", "help", "unknown")
    options = ("neighbour", "reschedule", "pickup_point")
    expected = {(context, intent) for context in CONTEXTS for intent in everywhere}
    expected |= {(context, intent) for context in OPTION_CONTEXTS for intent in options}
    expected |= {("slot_offer", "slot_choice"), ("disambiguation", "slot_choice")}
    expected |= {("delivered", "rating")}
    assert expected <= seen
    assert len(CORPUS) >= 260


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize(
    "text",
    [
        # a stop on its own, with only politeness, filler or a signature around it
        "stop", "STOP!", "stop aub", "stop graag", "Stop.", "stoppen", "stop alstublieft", "stop sms",
        "stop met sms'en", "stop deze berichten", "please stop", "stop texting me", "stop messaging me",
        "Stop\n\n-- \nAnna", "Kunnen jullie stoppen?",
        # an opt-out word or phrase anywhere, even next to an option or a rating
        "geen sms meer", "niet meer sms'en", "uitschrijven", "afmelden", "unsubscribe", "opt out", "optout",
        "stopall", "1, en stop met sms'en", "B. Geen sms meer", "5 unsubscribe", "Bij de buren, stop sturen",
        "4, maar stop nu met sms'en",
        # a stop sentence next to a reply that chooses nothing
        "STOP!!! Wie geeft jullie mijn nummer?", "STOP. Who is this?",
    ],
)
def test_an_opt_out_is_read_in_every_context(context: str, text: str) -> None:
    assert parse_reply(text, context, choices=3).intent == "stop"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Dutch "stop het ..." is "put it ...", English "stop at/by" is "call at": the option wins
        ("stop het maar bij de buren", Reply("neighbour")),
        ("Stop het maar bij de buren op nr 7", Reply("neighbour", note="op nr 7")),
        ("Kunt u stoppen bij de buren?", Reply("neighbour")),
        ("Stop het bij nummer 14 aub", Reply("neighbour", note="bij nummer 14")),
        ("can you stop at nr 12 instead", Reply("neighbour", note="at nr 12")),
        ("stop maar bij het afhaalpunt", Reply("pickup_point")),
        ("Could you stop by tomorrow?", Reply("reschedule", when=Wish(days=(("in", 1, 0),)))),
        ("STOP. Bij de buren graag", Reply("neighbour")),
        ("1 stop", Reply("neighbour")),
        # a place Bijna does not offer, or no place at all: not an opt-out, and nothing chosen
        ("stop maar in de brievenbus", UNKNOWN_REPLY),
        ("the bus stop", UNKNOWN_REPLY),
        # a negated stop is not an opt-out (and not an opt-in: START has to be said)
        ("Don't stop sending", UNKNOWN_REPLY),
        ("niet stoppen", UNKNOWN_REPLY),
        ("Niet stoppen met sms'en aub", UNKNOWN_REPLY),
        ("please don't stop texting me", UNKNOWN_REPLY),
    ],
)
def test_stop_with_a_place_or_a_negation_is_not_an_opt_out(text: str, expected: Reply) -> None:
    assert parse_reply(text, "arriving_soon") == expected


def test_a_stop_next_to_a_letter_or_a_rating_leaves_the_choice() -> None:
    assert parse_reply("B, stop het maar", "slot_offer", choices=3) == Reply("slot_choice", choice="B")
    assert parse_reply("STOP 5", "delivered") == Reply("rating", rating=5)
    assert parse_reply("Niet stoppen hoor, 5", "delivered") == Reply("rating", rating=5)


@pytest.mark.parametrize("context", CONTEXTS)
def test_start_and_help_work_in_every_context(context: str) -> None:
    assert parse_reply("START", context).intent == "start"
    assert parse_reply("help", context).intent == "help"


def test_reply_one_after_delivered_is_a_rating() -> None:
    assert parse_reply("1", "delivered") == Reply("rating", rating=1)
    assert parse_reply("1", "arriving_soon") == Reply("neighbour")


def test_letter_is_a_choice_only_when_that_many_were_offered() -> None:
    assert parse_reply("B", "slot_offer", choices=1).intent == "unknown"
    assert parse_reply("B", "slot_offer", choices=2) == Reply("slot_choice", choice="B")
    assert parse_reply("F", "slot_offer") == Reply("slot_choice", choice="F")
    assert parse_reply("G", "slot_offer").intent == "unknown"
    assert parse_reply("A", "slot_offer", choices=0).intent == "unknown"


def test_digits_after_a_slot_offer_keep_their_delivery_meaning() -> None:
    assert parse_reply("2", "slot_offer", choices=3) == Reply("reschedule")
    assert parse_reply("3", "disambiguation", choices=2) == Reply("pickup_point")


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("bij de buren nr 12", "nr 12"),
        ("buren, bij nr 14 aanbellen", "bij nr 14 aanbellen"),
        ("1 naast de deur bij nr 12", "naast de deur bij nr 12"),
        ("bij de buren op 10a", "op 10a"),
        ("huisnummer 14", "huisnummer 14"),
        ("Bij de overburen op 23 a.u.b.", "op 23"),
        ("Ik ben niet thuis. Kan het bij de buren (nr 41)?", "nr 41"),
        ("Bij de buren graag, nr 14\n\nVerzonden vanaf mijn iPhone", "nr 14"),
        ("bij de buren aub", None),
        ("Leave it with the neighbours please", None),
        ("buren zijn thuis", None),
        ("1 groetjes Anna", None),
    ],
)
def test_neighbour_note_keeps_the_address_and_drops_the_rest(text: str, note: str | None) -> None:
    assert parse_reply(text, "arriving_soon") == Reply("neighbour", note=note)


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("text", ["", "   ", "\n\t", "👍", "🙏🙏", "😡 🔥", "\u200b"])
def test_empty_whitespace_or_emoji_only_is_unknown(context: str, text: str) -> None:
    assert parse_reply(text, context).intent == "unknown"


# A unit repeated to the body's length, and what the body means in each context.
LONG_BODIES = {
    "bij de buren nr 12, ": {**dict.fromkeys(OPTION_CONTEXTS, "neighbour"), "delivered": "unknown"},
    "stop het maar bij de buren ": {**dict.fromkeys(OPTION_CONTEXTS, "neighbour"), "delivered": "unknown"},
    "1 ": {**dict.fromkeys(OPTION_CONTEXTS, "neighbour"), "delivered": "rating"},
    "stop ": dict.fromkeys(CONTEXTS, "stop"),
    "niet bij de buren ": dict.fromkeys(CONTEXTS, "unknown"),
    ",": dict.fromkeys(CONTEXTS, "unknown"),
    "⭐": dict.fromkeys(CONTEXTS, "unknown"),
    "x": dict.fromkeys(CONTEXTS, "unknown"),
}


@pytest.mark.parametrize("length", [MAX_BODY, 100_000])
@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("unit", list(LONG_BODIES))
def test_a_long_body_is_read_like_a_short_one_and_the_note_stays_short(
    unit: str, context: str, length: int
) -> None:
    body = (unit * (length // len(unit) + 1))[:length]
    reply = parse_reply(body, context, choices=3)
    assert reply.intent == LONG_BODIES[unit][context]
    assert reply.note is None or len(reply.note) <= MAX_NOTE


def test_unknown_context_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_reply("1", "arriving")


def test_as_dict_holds_only_the_fields_that_are_set() -> None:
    assert Reply("reschedule").as_dict() == {"intent": "reschedule"}
    assert Reply("rating", rating=4).as_dict() == {"intent": "rating", "rating": 4}
    assert Reply("neighbour", note="nr 12").as_dict() == {"intent": "neighbour", "note": "nr 12"}


def test_parser_imports_only_the_standard_library_and_rapidfuzz() -> None:
    allowed = {"__future__", "re", "unicodedata", "dataclasses", "difflib", "functools", "tomllib", "pathlib",
               "rapidfuzz.distance", "rapidfuzz.process",
               "itertools", "string", "typing", "datetime", "zoneinfo", "collections.abc", "app.replies",
               "app.replies.vocabulary", "app.replies.wishes", "app.replies.parser",
               "app.replies.clauses", "collections.abc"}
    package = Path(__file__).resolve().parents[2] / "app" / "replies"
    for module in ("parser.py", "clauses.py", "vocabulary.py", "wishes.py", "slot_wishes.py"):
        tree = ast.parse((package / module).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert set(names) <= allowed, f"{module} imports {names}"
