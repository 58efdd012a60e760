"""Print the reply parser's accuracy on the corpus, per intent, per context and overall.

Usage: python bench/parser_accuracy.py [corpus.tsv] [--misses]
       python bench/parser_accuracy.py --sets     accuracy on every tuned and held-out file, and replies/s

It also prints how long a parse takes, on the corpus and on 1,600-character bodies (Twilio's
maximum), and the parser's throughput (replies/s, one process) next to a bare baseline that
only tokenizes the same lines with a regex. The timing is for information only: no test asserts on it.
--misses is for the tuned files; the held-out files are scored, never listed line by line.
"""

from __future__ import annotations

import csv
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from app.replies.parser import CONTEXTS, INTENTS, MAX_BODY, Reply, parse_reply  # noqa: E402

REPLIES = ROOT / "tests" / "replies"
CORPUS = REPLIES / "corpus.tsv"
# The tuned files (the parser was changed until they read right) and the held-out ones (never tuned on).
TUNED = {"nl/en (first corpus)": CORPUS, "nl/en/Flemish (issue 13)": REPLIES / "corpus_families.tsv",
         "fr (issue 13)": REPLIES / "corpus_fr.tsv"}
HELDOUT = {"nl/en/Flemish held out": REPLIES / "heldout_nl_en.tsv", "fr held out": REPLIES / "heldout_fr.tsv"}
PERSON = "person"  # the value column's word for "not guessed: unknown, below the confidence threshold"
# Units repeated to MAX_BODY characters: long replies of words, digits, punctuation and emoji.
LONG_UNITS = ("bij de buren nr 12, ", "stop het maar bij de buren ", "1 ", "a.", ",", "⭐", "x", "niet bij de buren ")


@dataclass(frozen=True)
class Case:
    """One reply in the corpus and what it should mean."""

    line: int
    context: str
    text: str
    intent: str
    value: str
    choices: int | None

    def expected(self) -> tuple[str, str]:
        """Return (intent, choice or rating) as the corpus writes them."""
        return self.intent, self.value

    def matches(self, reply: Reply) -> bool:
        """Tell whether the parser read this reply as the corpus expects.

        "unknown" accepts any unknown (a clarifying question or a person both do); "unknown person"
        wants the doubt that hands it to a person; a choice or rating counts only when it is sure
        enough to be acted on.
        """
        if self.value == PERSON:
            return reply.intent == "unknown" and reply.needs_person
        if self.intent == "unknown":
            return reply.intent == "unknown"
        value = reply.choice or (str(reply.rating) if reply.rating is not None else "")
        return (reply.intent, value) == self.expected() and not reply.needs_person


@dataclass(frozen=True)
class Score:
    """Accuracy over a set of cases."""

    correct: int
    total: int

    @property
    def accuracy(self) -> float:
        """Return the share of cases read correctly."""
        return self.correct / self.total if self.total else 0.0


def load_corpus(path: Path = CORPUS) -> list[Case]:
    """Read the tab-separated corpus; "\\n" in the text stands for a line break."""
    cases = []
    with path.open(encoding="utf-8", newline="") as corpus:
        rows = csv.reader(corpus, delimiter="\t", quoting=csv.QUOTE_NONE)
        for line, row in enumerate(rows, start=1):
            if not row or row[0].startswith("#") or row[0] == "context":
                continue
            context, text, intent, value, choices = (row + [""] * 5)[:5]
            if intent not in INTENTS:
                raise ValueError(f"{path}:{line}: unknown intent {intent!r}")
            text = text.replace("\\n", "\n")
            offered = int(choices) if choices else None
            cases.append(Case(line, context, text, intent, value, offered))
    return cases


def read(case: Case) -> Reply:
    """Parse one corpus reply in its context."""
    return parse_reply(case.text, case.context, case.choices)


def score_by(cases: list[Case], key: str) -> dict[str, Score]:
    """Return the accuracy grouped by the expected intent or by context."""
    correct, total = Counter(), Counter()
    for case in cases:
        group = getattr(case, key)
        total[group] += 1
        correct[group] += case.matches(read(case))
    return {group: Score(correct[group], total[group]) for group in total}


def overall(cases: list[Case]) -> Score:
    """Return the accuracy over every case."""
    return Score(sum(case.matches(read(case)) for case in cases), len(cases))


def timings(cases: list[Case], repeat: int = 5) -> dict[str, tuple[float, float]]:
    """Return (mean, slowest) parse time in milliseconds, on the corpus and on long bodies."""
    def measure(calls: list[tuple[str, str, int | None]]) -> tuple[float, float]:
        times = []
        for text, context, choices in calls * repeat:
            started = time.perf_counter()
            parse_reply(text, context, choices)
            times.append((time.perf_counter() - started) * 1000)
        return sum(times) / len(times), max(times)

    long_bodies = [((unit * MAX_BODY)[:MAX_BODY], context, 3) for unit in LONG_UNITS for context in CONTEXTS]
    return {
        "corpus reply": measure([(case.text, case.context, case.choices) for case in cases]),
        f"{MAX_BODY:,}-char body": measure(long_bodies),
    }


def throughput(cases: list[Case], seconds: float = 1.0) -> tuple[float, float]:
    """Return replies/s of the parser and of a bare regex tokenize of the same lines (a floor of any reader)."""
    word = re.compile(r"\w+|[^\w\s]")

    def rate(read) -> float:
        done, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            for case in cases:
                read(case)
            done += len(cases)
        return done / (time.perf_counter() - started)

    # Fresh text each round would defeat the typo cache the live parser also has; that cache is part of it.
    return rate(read), rate(lambda case: word.findall(case.text.lower()))


def sets_report() -> None:
    """Print accuracy on every tuned and held-out file, and throughput."""
    print(f"{'set':<28}{'correct':>8}{'total':>7}{'accuracy':>10}")
    everything = []
    for label, path in {**TUNED, **HELDOUT}.items():
        cases = load_corpus(path)
        everything += cases
        score = overall(cases)
        print(f"{label:<28}{score.correct:>8}{score.total:>7}{score.accuracy:>10.1%}")
    parser_rate, bare_rate = throughput(everything)
    print()
    print(f"parser alone: {parser_rate:,.0f} replies/s; bare regex tokenize: {bare_rate:,.0f} replies/s "
          f"({len(everything)} lines, one process)")


def main(argv: list[str]) -> int:
    """Print the report; list the misread replies with --misses."""
    if "--sets" in argv:
        sets_report()
        return 0
    paths = [arg for arg in argv if not arg.startswith("--")]
    cases = load_corpus(Path(paths[0]) if paths else CORPUS)
    for key in ("intent", "context"):
        print(f"{'by ' + key:<16}{'correct':>8}{'total':>7}{'accuracy':>10}")
        for group, score in sorted(score_by(cases, key).items()):
            print(f"{group:<16}{score.correct:>8}{score.total:>7}{score.accuracy:>10.1%}")
        print()
    total = overall(cases)
    print(f"{'overall':<16}{total.correct:>8}{total.total:>7}{total.accuracy:>10.1%}")
    print()
    print(f"{'parse time':<16}{'mean ms':>8}{'max ms':>9}   (information only, not a test)")
    for label, (mean, slowest) in timings(cases).items():
        print(f"{label:<16}{mean:>8.3f}{slowest:>9.3f}")
    if "--misses" in argv and not any("heldout" in p for p in paths):
        print()
        for case in cases:
            reply = read(case)
            if not case.matches(reply):
                print(f"line {case.line} [{case.context}] {case.text!r}: "
                      f"expected {case.expected()}, got {reply.as_dict()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
