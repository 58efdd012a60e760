"""`flask replies parse`: what the parser makes of real traffic, one JSON object per line."""

from __future__ import annotations

import json


def _read(runner, context: str, lines: list[str], *extra: str) -> list[dict]:
    result = runner.invoke(args=["replies", "parse", "--context", context, *extra], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def _parse(runner, context: str, lines: list[str], *extra: str) -> list[dict]:
    """The readings without their confidence (checked on its own below)."""
    read = _read(runner, context, lines, *extra)
    assert all(0.0 <= answer.pop("confidence") <= 1.0 for answer in read)
    return read


def test_replies_are_read_in_the_context_of_the_question(runner):
    assert _parse(runner, "arriving_soon", ["1", "bij de buren aub", "ander tijdstip", "afhaalpunt", "STOPPEN"]) == [
        {"text": "1", "intent": "neighbour"},
        {"text": "bij de buren aub", "intent": "neighbour"},
        {"text": "ander tijdstip", "intent": "reschedule"},
        {"text": "afhaalpunt", "intent": "pickup_point"},
        {"text": "STOPPEN", "intent": "stop"},
    ]


def test_a_digit_after_delivered_is_a_rating_and_a_letter_after_an_offer_a_choice(runner):
    assert _parse(runner, "delivered", ["4", "1"]) == [
        {"text": "4", "intent": "rating", "rating": 4}, {"text": "1", "intent": "rating", "rating": 1}]
    assert _parse(runner, "slot_offer", ["B", "optie c"], "--choices", "3") == [
        {"text": "B", "intent": "slot_choice", "choice": "B"},
        {"text": "optie c", "intent": "slot_choice", "choice": "C"}]


def test_every_line_gets_an_answer_even_empty_and_emoji(runner):
    assert _parse(runner, "none", ["", "👍", "help"]) == [
        {"text": "", "intent": "unknown"}, {"text": "👍", "intent": "unknown"}, {"text": "help", "intent": "help"}]


def test_an_unknown_context_is_refused(runner):
    result = runner.invoke(args=["replies", "parse", "--context", "tomorrow"], input="1\n")
    assert result.exit_code != 0 and "tomorrow" in result.output


def test_every_answer_carries_the_parsers_confidence(runner):
    sure, typo, doubt = _read(runner, "arriving_soon", ["1", "afhaalpubt", "buren of afhaalpunt"])
    assert sure["confidence"] == 1.0 and 0.6 <= typo["confidence"] < 1.0
    assert doubt == {"text": "buren of afhaalpunt", "intent": "unknown", "confidence": 0.3}


# Saturday 5 December; on offer: A Monday 10-14, B Monday 17-20, C Tuesday 18-21.
OFFER = ("--now", "2026-12-05T10:00+01:00", "--slot", "A=2026-12-07T10:00+01:00/2026-12-07T14:00+01:00",
         "--slot", "B=2026-12-07T17:00+01:00/2026-12-07T20:00+01:00",
         "--slot", "C=2026-12-08T18:00+01:00/2026-12-08T21:00+01:00")


def test_a_day_a_part_of_the_day_hours_or_a_position_name_an_offered_letter(runner):
    lines = ["dinsdag", "maandagavond", "17-20", "de laatste", "Monday evening", "B graag", "mardi soir"]
    assert [(a["intent"], a.get("choice")) for a in _parse(runner, "slot_offer", lines, *OFFER)] == [
        ("slot_choice", "C"), ("slot_choice", "B"), ("slot_choice", "B"), ("slot_choice", "C"),
        ("slot_choice", "B"), ("slot_choice", "B"), ("slot_choice", "C")]


def test_a_day_that_fits_two_offered_slots_or_none_is_not_guessed(runner):
    two, none = _read(runner, "slot_offer", ["maandag", "woensdag"], *OFFER)
    assert (two["intent"], two["confidence"]) == ("unknown", 0.3)  # A or B: a person asks
    assert none["intent"] == "reschedule" and "choice" not in none  # offered afresh, as in the conversation


def test_a_malformed_slot_is_refused(runner):
    result = runner.invoke(args=["replies", "parse", "--slot", "A=tomorrow"], input="A\n")
    assert result.exit_code != 0 and "LETTER=START/END" in result.output
