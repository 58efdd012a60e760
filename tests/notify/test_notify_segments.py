"""Segment counting as carriers bill it, and keeping copy in GSM-7."""

import pytest

from app.notify.segments import count_segments, is_gsm7, to_gsm7


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("GSM-7", 0)),
        ("a" * 160, ("GSM-7", 1)),
        ("a" * 161, ("GSM-7", 2)),
        ("a" * 306, ("GSM-7", 2)),
        ("a" * 307, ("GSM-7", 3)),
        ("a" * 459, ("GSM-7", 3)),
        ("a" * 460, ("GSM-7", 4)),
        ("é" * 160, ("GSM-7", 1)),  # é, è, ü, ö, ä are in the GSM-7 alphabet
        ("€" * 80, ("GSM-7", 1)),  # extension characters count double
        ("€" * 80 + "a", ("GSM-7", 2)),
        ("{}" * 40 + "a" * 1, ("GSM-7", 2)),
        # An escape pair is never split: 152 + [€ moves on] + 2 + 152 needs three parts.
        ("a" * 152 + "€" + "a" * 152, ("GSM-7", 3)),
        ("a" * 151 + "€" + "a" * 153, ("GSM-7", 2)),
        ("ë" * 70, ("UCS-2", 1)),  # ë is not GSM-7: the whole text goes UCS-2
        ("ë" * 71, ("UCS-2", 2)),
        ("ë" * 134, ("UCS-2", 2)),
        ("ë" * 135, ("UCS-2", 3)),
        ("a" * 159 + "ï", ("UCS-2", 3)),
        ("😀" * 35, ("UCS-2", 1)),  # an emoji is two UTF-16 code units
        ("😀" * 35 + "a", ("UCS-2", 2)),
        ("a" * 66 + "😀" + "a" * 66, ("UCS-2", 3)),  # a surrogate pair is never split
    ],
)
def test_count_segments(text, expected):
    assert count_segments(text) == expected


@pytest.mark.parametrize(
    ("typographic", "plain"),
    [
        ("\u201cHoi\u201d", '"Hoi"'),
        ("we\u2019re", "we're"),
        ("18\u201321", "18-21"),
        ("so \u2014 yes", "so - yes"),
        ("wacht\u2026", "wacht..."),
        ("14:10\u00a0uur", "14:10 uur"),
        ("zero\u200bwidth", "zerowidth"),
        ("Daniëlle", "Daniëlle"),  # letters are never changed
    ],
)
def test_to_gsm7_replaces_typography_only(typographic, plain):
    assert to_gsm7(typographic) == plain


def test_to_gsm7_keeps_typical_copy_in_one_encoding():
    text = "\u201cBijna!\u201d \u2013 je pakket komt om 14:10\u2026"
    assert not is_gsm7(text)
    assert count_segments(to_gsm7(text))[0] == "GSM-7"
