"""Regenerate tests/notify/segments_twilio_fixture.json: tricky texts counted by Twilio's own calculator.

The test suite compares `app.notify.segments.count_segments` with these counts, so it checks our
counting against Twilio's rather than against our belief, without needing node. Run once, offline:

    npm install --prefix /tmp/twilio-calc sms-segments-calculator@1.3.0
    .venv/bin/python -m devtools.segments_twilio_fixture --node-modules /tmp/twilio-calc/node_modules

The texts are generated from a fixed seed: emoji with skin-tone modifiers, flags, ZWJ sequences,
combining accents, CR LF and GSM-7 escape characters placed on and around the part boundaries.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "notify" / "segments_twilio_fixture.json"
CALCULATOR_VERSION = "1.3.0"

# Graphemes of more than one code point or more than one UTF-16 code unit.
TRICKY = [
    "👍🏽", "👋🏻", "🙋🏿‍♀️", "🇳🇱", "🇧🇪", "🇩🇪", "👨‍👩‍👧", "👨‍👩‍👧‍👦", "🏳️‍🌈", "👩‍💻", "🧑‍🚀",
    "❤️", "☎️", "e\u0301", "a\u0308", "n\u0303", "o\u0302\u0323", "😀", "📦", "🚚",
    # ZWJ sequences newer than Unicode 10, which the calculator's splitter breaks apart.
    "🧑‍🤝‍🧑", "❤️‍🔥", "🐻‍❄️", "👩‍🦰",
]
PLAIN = ["ë", "é", "ï", "€", "ü", "a", "b", " ", ".", "\n", "\r\n", "{", "7"]
WORDS = ["Hoi", "Anna", "je", "pakket", "komt", "tussen", "14:10", "en", "14:40", "bezorgd", "Daniëlle", "€5"]


def boundary_texts(rng: random.Random) -> list[str]:
    """Put each tricky grapheme across the UCS-2 part boundaries at 67 and 134 units.

    One text of each pair fills its parts to the last code unit if the grapheme could be split,
    so keeping it whole costs one more part; the other ends at a random length.
    """
    texts = []
    for grapheme in TRICKY:
        units = len(grapheme.encode("utf-16-le")) // 2
        for boundary in (67, 134):
            for offset in range(-3, 1):
                filler = rng.choice(["ë", "a", "é"])
                head = filler * (boundary + offset) + grapheme
                exact = boundary + 67 - (boundary + offset + units)
                texts.append(head + filler * max(exact, 1))
                texts.append(head + filler * rng.randint(1, 40))
    return texts


def gsm7_texts(rng: random.Random) -> list[str]:
    """GSM-7 texts with escape characters and CR LF at the 153 and 160 boundaries."""
    texts = []
    for boundary in (152, 153, 159, 160, 305, 306):
        for special in ("€", "{}", "\r\n", "^"):
            texts.append("a" * (boundary - 1) + special + "b" * rng.randint(0, 30))
    return texts


def mixed_texts(rng: random.Random, count: int) -> list[str]:
    """Sentences of words, emoji and accents of random length, from one to five parts."""
    texts = []
    for _ in range(count):
        pieces = []
        target = rng.randint(40, 340)
        while sum(len(piece) for piece in pieces) < target:
            kind = rng.random()
            pool = TRICKY if kind < 0.3 else PLAIN if kind < 0.5 else WORDS
            pieces.append(rng.choice(pool))
            if rng.random() < 0.5:
                pieces.append(" ")
        texts.append("".join(pieces).strip() or "a")
    return texts


def count_with_twilio(texts: list[str], node_modules: Path) -> list[dict]:
    """Count each text with Twilio's sms-segments-calculator under node."""
    script = (
        "const {SegmentedMessage} = require('sms-segments-calculator');"
        "const texts = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(texts.map(t => { const m = new SegmentedMessage(t);"
        " return {encoding: m.encodingName, segments: m.segmentsCount, graphemes: m.graphemes.length}; })));"
    )
    answer = subprocess.run(["node", "-e", script], input=json.dumps(texts), capture_output=True, text=True,
                            check=True, env={"NODE_PATH": str(node_modules), "PATH": "/usr/bin:/bin"})
    return json.loads(answer.stdout)


def main() -> None:
    """Generate the texts, count them with Twilio's calculator and write the fixture."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--node-modules", type=Path, required=True,
                        help=f"a node_modules holding sms-segments-calculator@{CALCULATOR_VERSION}")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    texts = boundary_texts(rng) + gsm7_texts(rng) + mixed_texts(rng, 100)
    counted = count_with_twilio(texts, args.node_modules)
    source = f"sms-segments-calculator {CALCULATOR_VERSION} (Twilio), devtools/segments_twilio_fixture.py"
    rows = [json.dumps({"text": text, **count}, ensure_ascii=False) for text, count in zip(texts, counted, strict=True)]
    # One text a line, so a regenerated fixture diffs readably.
    FIXTURE.write_text(f'{{"source": {json.dumps(source)},\n"texts": [\n' + ",\n".join(rows) + "\n]}\n",
                       encoding="utf-8")
    print(f"{len(texts)} texts written to {FIXTURE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
