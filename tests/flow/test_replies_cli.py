"""`flask replies parse`: what the parser makes of real traffic, one JSON object per line."""

from __future__ import annotations

import json


def _parse(runner, context: str, lines: list[str], *extra: str) -> list[dict]:
    result = runner.invoke(args=["replies", "parse", "--context", context, *extra], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_replies_are_read_in_the_context_of_the_question(runner):
    assert _parse(runner, "arriving_soon", ["1", "bij de buren aub", "ander tijdstip", "afhaalpunt", "STOPPEN"]) == [
        {"text": "1", "intent": "neighbour"},
        {"text": "bij de buren aub", "intent": "neighbour"},
        {"text": "ander tijdstip", "intent": "new_slot"},
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
