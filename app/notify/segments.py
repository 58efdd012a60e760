"""Count SMS segments the way carriers bill them, and keep copy in GSM-7.

One character outside the GSM 03.38 alphabet turns the whole text into UCS-2, which
cuts a segment from 160 to 70 characters. Typographic punctuation (curly quotes, en
dashes, ellipsis, no-break spaces) is the usual culprit and has plain GSM-7 twins, so
`to_gsm7` swaps those. Letters are never changed: turning a Dutch "ë" into "e" would be a
spelling mistake in the recipient's name, so templates avoid such words instead.

Parts are packed per grapheme (what a reader sees as one character: 👍🏽, 🇳🇱, 👨‍👩‍👧, e + a
combining accent), as Twilio does: a grapheme split over two parts arrives as two broken
halves, so a part ends early instead. Within a grapheme every UTF-16 code unit counts.
"""

from __future__ import annotations

import regex

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# GSM 03.38 default alphabet (the escape character 0x1B itself is not a character).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each of these is sent as ESC + char, so it costs two septets.
GSM7_EXTENSION = frozenset("^{}\\[]~|€\f")

GSM7_SINGLE, GSM7_PART = 160, 153  # a concatenated part loses 7 septets to its header
UCS2_SINGLE, UCS2_PART = 70, 67  # ... and 3 UTF-16 code units in UCS-2

_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-", "\u2022": "-",
        "\u2026": "...",
        "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u200a": " ", "\u202f": " ",
        "\t": " ",
        # Invisible characters would force UCS-2 for nothing.
        "\u200b": None, "\u200c": None, "\u2060": None, "\ufeff": None,
    }
)
# A zero-width joiner glues an emoji ZWJ sequence (👨‍👩‍👧 is 👨 ZWJ 👩 ZWJ 👧): removing it
# would turn one family into three people. Anywhere else it is invisible and goes.
_LONE_JOINER = regex.compile(
    r"(?<!\p{Extended_Pictographic}\p{Grapheme_Cluster_Break=Extend}*)\u200d"
    r"|\u200d(?!\p{Extended_Pictographic})"
)
_GRAPHEME = regex.compile(r"\X")


def to_gsm7(text: str) -> str:
    """Replace typographic punctuation and odd spaces with their GSM-7 equivalents."""
    return _LONE_JOINER.sub("", text).translate(_TYPOGRAPHY)


def is_gsm7(text: str) -> bool:
    """Tell whether every character of the text fits the GSM-7 alphabet."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def graphemes(text: str) -> list[str]:
    """Split a text into the characters a reader sees, the units a part boundary may fall between."""
    # Twilio's calculator counts CR LF as two characters, so a boundary may fall between them.
    return [piece for cluster in _GRAPHEME.findall(text)
            for piece in (("\r", "\n") if cluster == "\r\n" else (cluster,))]


def _utf16_units(grapheme: str, part: int) -> list[int]:
    """Return the UTF-16 sizes to pack for one grapheme: whole, or per code point if no part holds it."""
    size = len(grapheme.encode("utf-16-le")) // 2
    if size <= part:
        return [size]
    # Only a freak (dozens of stacked accents) outgrows a part; a surrogate pair still stays whole.
    return [2 if ord(ch) > 0xFFFF else 1 for ch in grapheme]


def _pack(units: list[int], single: int, part: int) -> int:
    """Count segments for a non-empty list of unit sizes, never splitting one across two parts."""
    if sum(units) <= single:
        return 1
    segments, used = 1, 0
    for size in units:
        if used + size > part:
            segments, used = segments + 1, 0
        used += size
    return segments


def count_segments(text: str) -> tuple[str, int]:
    """Return the encoding ("GSM-7" or "UCS-2") and the number of segments for a text.

    An empty text is refused with ValueError: no provider sends one, so counting it would
    hide a bug upstream. In UCS-2 a grapheme costs its UTF-16 code units (an emoji outside
    the Basic Multilingual Plane is a surrogate pair: two) and is never split across parts.
    """
    if not text:
        raise ValueError("an empty text has no segments: it must never be sent")
    if is_gsm7(text):
        return GSM7, _pack([2 if ch in GSM7_EXTENSION else 1 for ch in text], GSM7_SINGLE, GSM7_PART)
    units = [size for grapheme in graphemes(text) for size in _utf16_units(grapheme, UCS2_PART)]
    return UCS2, _pack(units, UCS2_SINGLE, UCS2_PART)


def length_in_units(text: str) -> int:
    """Return the text's length in septets (GSM-7) or UTF-16 code units (UCS-2)."""
    if is_gsm7(text):
        return sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
    return len(text.encode("utf-16-le")) // 2
