"""Segment counting as carriers bill it, and keeping copy in GSM-7."""

import json
from pathlib import Path

import pytest

from app.notify.segments import count_segments, graphemes, is_gsm7, to_gsm7

TWILIO_FIXTURE = Path(__file__).with_name("segments_twilio_fixture.json")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
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
        # A grapheme is never split either: it moves whole to the next part.
        ("a" * 65 + "👍🏽" + "a" * 65, ("UCS-2", 3)),  # 👍 + skin tone: 4 units
        ("a" * 63 + "👍🏽" + "a" * 67, ("UCS-2", 2)),  # ... that end a part exactly
        ("a" * 66 + "🇳🇱" + "a" * 64, ("UCS-2", 3)),  # a flag: two regional indicators
        ("a" * 66 + "👨\u200d👩\u200d👧" + "a" * 60, ("UCS-2", 3)),  # ZWJ family: 8 units
        ("ë" * 66 + "e\u0301" + "ë" * 66, ("UCS-2", 3)),  # e + combining acute
        ("ë" * 66 + "é" + "ë" * 67, ("UCS-2", 2)),  # precomposed é is one unit
        ("ë" * 66 + "\r\n" + "ë" * 66, ("UCS-2", 2)),  # CR LF may be split, as Twilio counts it
    ],
)
def test_count_segments(text, expected):
    assert count_segments(text) == expected


def test_an_empty_text_is_refused_not_counted():
    with pytest.raises(ValueError, match="empty text"):
        count_segments("")


def _twilio_counts():
    return json.loads(TWILIO_FIXTURE.read_text(encoding="utf-8"))["texts"]


def test_counts_agree_with_twilios_calculator():
    """Each text counted by Twilio's sms-segments-calculator (devtools/segments_twilio_fixture.py)."""
    rows = _twilio_counts()
    assert len(rows) >= 300
    differ = []
    for row in rows:
        ours = count_segments(row["text"])
        if len(graphemes(row["text"])) == row["graphemes"]:
            assert ours == (row["encoding"], row["segments"]), row["text"]
        else:
            # The calculator's splitter stops at Unicode 10 and breaks ZWJ sequences made since
            # (🧑‍🤝‍🧑, ❤️‍🔥): phones show them whole, so we keep them whole and may bill one part more.
            assert ours[0] == row["encoding"] and ours[1] - row["segments"] in (0, 1), row["text"]
            differ.append(row["text"])
    assert len(differ) < len(rows) / 3  # the disagreement stays the exception it is


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
        ("zero\u200dwidth", "zerowidth"),  # a joiner between letters is invisible
        ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),  # ... but glues a ZWJ family together
        ("🙋🏿\u200d♀️ en 🏳️\u200d🌈", "🙋🏿\u200d♀️ en 🏳️\u200d🌈"),  # after a skin tone or VS16 too
        ("😀\u200d ja", "😀 ja"),  # a joiner that joins nothing goes
        ("Daniëlle", "Daniëlle"),  # letters are never changed
    ],
)
def test_to_gsm7_replaces_typography_only(typographic, plain):
    assert to_gsm7(typographic) == plain


def test_to_gsm7_keeps_typical_copy_in_one_encoding():
    text = "\u201cBijna!\u201d \u2013 je pakket komt om 14:10\u2026"
    assert not is_gsm7(text)
    assert count_segments(to_gsm7(text))[0] == "GSM-7"
