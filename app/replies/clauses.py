"""Clauses of a reply that change what its words mean: a change of mind, a question, a range of numbers.

Pure helpers of `app/replies/parser.py`, working on its tokens (anything with `word`, `raw`, `n`,
`prev`, `next`) and candidates (anything with `span`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.replies import vocabulary as vocab

BOUNDARY = "|"
SENTENCE_ENDS = frozenset(".!?\n")
# Digits glued to words: "nr3", "optie2", "2graag", "1aub", "4sterren" (not "3pm", "18u", "10a", "2nd", "1ère").
GLUED = (
    (re.compile(r"(?<=[^\W\d_]{2})(?=\d)"), " "),
    (re.compile(r"(?<=\d)(?=(?!(?:eme|ème|ere|ère|er|e|de|ste|th|st|nd|rd|u|h|am|pm|uur|morrow)\b)[^\W\d_]{3,})"), " "),
    (re.compile(r"\b(optie|option|keuze|slot|colis|pakket|choix)([a-f])\b", re.I), r"\1 \2"),
)
CONNECTORS = frozenset({"a", "tot", "to", "ou", "or", "of", "en", "and", "-"})


def unglue(body: str) -> str:
    """Split digits from the words they were typed against: "nr3" -> "nr 3", "optieB" -> "optie B"."""
    for pattern, replacement in GLUED:
        body = pattern.sub(replacement, body)
    return body


def after_change_of_mind(tokens: Sequence, found: list) -> tuple[list, bool]:
    """Keep what was chosen after the last change of mind: "buren… nee, toch maar het afhaalpunt"."""
    for mark in sorted(change_marks(tokens), reverse=True):
        after = [c for c in found if c.span[0] > mark]
        if after and any(c.span[-1] < mark for c in found):
            return after, True
    return found, False


def change_marks(tokens: Sequence) -> list[int]:
    """Return where a change of mind is said: "nee", "sorry", "actually", "of nee", "en fait"."""
    words = [t.word for t in tokens]
    marks = [t.n for t in tokens if t.word in vocab.CHANGE_WORDS]
    return marks + [i + len(p) - 1 for i, word in enumerate(words) if word in vocab.CHANGE_FIRSTS
                    for p in vocab.CHANGE_PHRASES if tuple(words[i:i + len(p)]) == p]


def asks(tokens: Sequence) -> bool:
    """Tell whether a sentence ending in "?" asks something: a question word, an opener, "..., of moet ...?"."""
    sentence: list[str] = []
    for t in tokens:
        if t.raw in SENTENCE_ENDS:
            if t.raw == "?" and _question(sentence):
                return True
            sentence = []
        elif t.word != BOUNDARY or t.raw == ",":
            sentence.append(t.word)
    return False


def _question(sentence: list[str]) -> bool:
    words = [w for w in sentence if w != BOUNDARY]
    if not words:
        return False
    if words[0] in vocab.QUESTION_OPENERS or vocab.QUESTION_WORDS.intersection(words):
        return True
    # "..., of moet er getekend worden?": an alternative that is not another option
    return any(w in vocab.ALTERNATIVES and i + 1 < len(sentence) and sentence[i - 1] == BOUNDARY
               for i, w in enumerate(sentence) if i > 0)


def word_before(tokens: Sequence, n: int, k: int) -> str | None:
    """Return the k-th word before token n, past punctuation."""
    words = [t.word for t in tokens[:n] if t.word != BOUNDARY]
    return words[-k] if len(words) >= k else None


def ranges(tokens: Sequence) -> dict[int, bool]:
    """Find "2 à 3 dagen", "2-3 days", "tussen 1 en 3": token positions -> whether the span is of time."""
    numbers = [t for t in tokens if t.word.isdecimal()]
    found: dict[int, bool] = {}
    for a, b in zip(numbers, numbers[1:]):
        between = [t.word for t in tokens[a.n + 1:b.n]]
        if not (between == [] or (len(between) == 1 and between[0] in CONNECTORS)):
            continue
        timed = b.next in vocab.TIME_UNITS | vocab.DAY_UNITS or a.prev in vocab.TIME_PREPS
        if timed or b.next in vocab.COUNT_UNITS:
            found[a.n] = found[b.n] = timed
    return found
