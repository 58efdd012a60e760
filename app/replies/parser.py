"""Read a recipient's SMS reply as an intent, in the context of the last question asked.

Pure Python: no Flask, Redis or SDK imports. What it understands: docs/reply-parser.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import accumulate, groupby
from string import ascii_lowercase, ascii_uppercase
from typing import NamedTuple

from app.replies import vocabulary as vocab
from app.replies.clauses import after_change_of_mind, asks, change_marks, ranges, unglue, word_before
from app.replies.wishes import Wish, compound_day, read_wish, short_day_with_time

CONTEXTS = ("arriving_soon", "slot_offer", "delivered", "disambiguation", "none")
INTENTS = ("neighbour", "reschedule", "pickup_point", "slot_choice", "rating", "stop", "start", "help", "unknown")
LETTERED_CONTEXTS = ("slot_offer", "disambiguation")

# Twilio delivers at most 1,600 characters; anything beyond is not a reply to read.
MAX_BODY = 1600
# Carriers' delivery-instruction fields are short; a note is a hint, not a letter.
MAX_NOTE = 160
BOUNDARY = "|"
# Below this a reply is not acted on: in a context that asked a question, a person reads it.
CONFIDENT = 0.6
# What the reader's doubt costs: a change of mind inside the reply, two choices or a question.
CHANGED_MIND, DOUBT, NOTHING_CHOSEN = 0.85, 0.3, 0.9
_PUNCTUATION = frozenset(",.;:!?()\n")  # each ends a clause, for negation and notes
_TOKEN = re.compile(r"\d{1,2}[:.]\d{2}(?!\d)|\d{1,2}/\d{1,2}(?![\d/])|[^\W_]+(?:['’][^\W_]+)*|[,.;:!?()\n]")
_HOUSE_NUMBER = re.compile(r"\d+[a-z]?")
_NOTE_GAP_JUNK = re.compile(r"[^\s,.;:()/'#\-]")


@dataclass(frozen=True)
class Reply:
    """What a recipient meant by one reply."""

    intent: str
    choice: str | None = None
    rating: int | None = None
    note: str | None = None
    when: Wish | None = None  # for reschedule: the day or time of day asked for ("liever woensdag")
    confidence: float = field(default=1.0, compare=False)  # how sure the reading is; < CONFIDENT: ask a person

    @property
    def needs_person(self) -> bool:
        """Tell whether the reader doubts this reading too much to act on it."""
        return self.confidence < CONFIDENT

    def as_dict(self) -> dict:
        """Return the intent plus only the fields that are set."""
        fields = {"choice": self.choice, "rating": self.rating, "note": self.note,
                  "when": self.when.as_dict() if self.when else None}
        return {"intent": self.intent, **{k: v for k, v in fields.items() if v is not None}}


UNKNOWN = Reply("unknown")
_EMPTY = vocab.POLITE | vocab.FILLER | {BOUNDARY}  # words that choose nothing, around a bare "2"
_EMPTY_FOR_LETTERS = _EMPTY | {"one"}
BARE_OPTION_MARKERS = frozenset({"nr", "no", "nummer", "number", "num"})  # "nr3" alone is option 3


class _Token(NamedTuple):
    raw: str            # as written, for the note
    word: str           # folded and typo-corrected; BOUNDARY for punctuation
    start: int
    end: int
    n: int              # position in the token list
    prev: str | None    # the word before, past punctuation ("nr. 12")
    next: str | None    # the word after, past punctuation
    sure: float = 1.0   # 1.0 as written; less when a typo was corrected


@dataclass(frozen=True)
class _Candidate:
    intent: str
    span: tuple[int, ...]       # token positions that carry it
    strong: bool = True         # weak ones count only when nothing strong was said
    choice: str | None = None
    address: bool = False       # "nr 12" on its own: a neighbour's address
    sure: float = 1.0


def parse_reply(text: str, context: str = "none", choices: int | None = None) -> Reply:
    """Return what a reply means after the question `context` asked."""
    if context not in CONTEXTS:
        raise ValueError(f"unknown reply context {context!r}; expected one of {CONTEXTS}")
    body = unglue(_strip_signature((text or "")[:MAX_BODY]))
    tokens = _tokenize(body)
    words = [t.word for t in tokens if t.word != BOUNDARY]
    control = _control_intent(tokens, words, body)
    if control in ("stop", "start"):
        return Reply(control)
    if context == "delivered":
        reply = _read_rating(tokens, words, body)
    else:
        reply = _read_options(tokens, body, context in LETTERED_CONTEXTS, choices)
    # "help! niet thuis, doe maar 2" chooses; HELP is a bare keyword or a request for help.
    if control == "help" and (reply.intent == "unknown" or not vocab.HELP_WORDS.intersection(words)):
        reply = Reply("help")
    # A bare "stop" opts out, unless the rest of the reply chose something: "STOP. Bij de buren" is neighbour.
    return Reply("stop") if reply.intent in ("unknown", "help") and _stop_sentence(tokens) else reply


def when_of(text: str) -> Wish | None:
    """Return the day, part of the day and hours a reply names, read as `parse_reply` reads them."""
    tokens = _tokenize(unglue(_strip_signature((text or "")[:MAX_BODY])))
    return read_wish([t.word for t in tokens])


def _strip_signature(text: str) -> str:
    """Cut phone signatures, closing greetings and a trailing name line."""
    body = text.replace("\r\n", "\n").replace("\r", "\n")
    if signature := vocab.SIGNATURE.search(body):
        body = body[:signature.start()].rstrip(vocab.SEPARATORS)
    for dotted, plain in vocab.DOTTED:
        body = dotted.sub(plain, body)
    closing = vocab.CLOSING.search(body)
    if closing and body[:closing.start()].strip(vocab.SEPARATORS):  # not a greeting alone
        body = body[:closing.start()].rstrip(vocab.SEPARATORS)
    lines = [line for line in body.split("\n") if line.strip()]
    if len(lines) > 1 and vocab.NAME_LINE.fullmatch(lines[-1]):
        if not {vocab.fold(w) for w in re.findall(r"\w+", lines[-1])} & vocab.KEYWORDS:
            lines.pop()
    return "\n".join(lines)


def _tokenize(body: str) -> list[_Token]:
    """Split a reply into words and clause boundaries, each knowing its neighbours."""
    found = [(m, (BOUNDARY, 1.0) if m[0] in _PUNCTUATION else vocab.correct(vocab.fold(m[0])))
             for m in _TOKEN.finditer(body)]
    words = [word for _, (word, _) in found]
    # Running "last word seen" from each end gives every token its neighbours in one pass.
    prevs = list(accumulate([None, *words], _last_word))[:-1]
    nexts = list(accumulate([None, *reversed(words)], _last_word))[-2::-1]
    return [_Token(m[0], word, m.start(), m.end(), n, prevs[n], nexts[n], sure)
            for n, (m, (word, sure)) in enumerate(found)]


def _last_word(last: str | None, word: str) -> str | None:
    """Return `word`, or the last word seen when `word` is punctuation."""
    return last if word == BOUNDARY else word


def _control_intent(tokens: list[_Token], words: list[str], body: str) -> str | None:
    """Return stop, start or help when the reply asks for it, else None."""
    content = {w for w in words if w not in vocab.POLITE}
    clauses = " ".join(t.word for t in tokens)  # "|" where punctuation ends a clause
    # Opt-out words and phrases count anywhere; Twilio's "cancel" only alone ("cancel my order" is not).
    if vocab.OPT_OUT_WORDS.intersection(words) or vocab.STOP_PHRASES.search(clauses) or (
        len(content) == 1 and content <= vocab.STOP_SINGLE
    ) or vocab.OPT_OUT_PHRASES.search(clauses):
        return "stop"
    if vocab.START_WORDS.intersection(words):
        return "start"
    if vocab.HELP_WORDS.intersection(words) or vocab.HELP_PHRASES.search(" ".join(words)):
        return "help"
    return "help" if not words and "?" in body else None


def _stop_sentence(tokens: list[_Token]) -> bool:
    """Tell whether a clause is a stop and nothing else: "stop aub", "please stop", "STOP!!! Wie is dit?".
    "stop het maar bij de buren" puts the parcel somewhere, "can you stop at nr 12" calls there."""
    bare = vocab.STOP_VERBS | vocab.STOP_COMPANIONS | vocab.POLITE
    clauses = (set(clause.split()) for clause in " ".join(t.word for t in tokens).split(BOUNDARY))
    return any(clause & vocab.STOP_VERBS and clause <= bare for clause in clauses)


def _read_rating(tokens: list[_Token], words: list[str], body: str) -> Reply:
    """Return the 1-5 rating in a reply to the delivered text, else unknown."""
    if fraction := vocab.FRACTION.search(vocab.fold(body)):
        score, scale = int(fraction[1]), int(fraction[2])
        return Reply("rating", rating=score) if scale == 5 and 1 <= score <= 5 else UNKNOWN
    marks = vocab.ADDRESS_MARKERS | vocab.PLACE_PREPS | vocab.TIME_PREPS
    units = vocab.TIME_UNITS | vocab.DAY_UNITS | (vocab.COUNT_UNITS - vocab.RATING_NOUNS)
    ranged = ranges(tokens)
    found = [_Candidate("rating", (t.n,), choice=str(int(t.word))) for t in tokens
             if t.word.isdecimal() and t.prev not in marks and t.next not in units and t.n not in ranged]
    if not found:  # "vijf", "vier sterren"; "een" only alone, as it is also "a"
        ignorable = vocab.POLITE | vocab.FILLER | vocab.RATING_NOUNS
        content = [w for w in words if w not in ignorable]
        found = [_Candidate("rating", (t.n,), choice=str(vocab.RATING_NUMBERS[t.word]), sure=t.sure) for t in tokens
                 if t.word in vocab.RATING_NUMBERS and (content == [t.word] or t.next in vocab.RATING_NOUNS)]
    if not found and (stars := len(vocab.STARS.findall(body))):
        found = [_Candidate("rating", (0,), choice=str(stars))]
    found, changed = after_change_of_mind(tokens, found)
    values = {int(c.choice or 0) for c in found}
    if len(values) > 1:
        return Reply("unknown", confidence=DOUBT)  # "4 of 5": a person asks which
    if len(values) == 1 and 1 <= (score := values.pop()) <= 5:
        sure = min(c.sure for c in found) * (CHANGED_MIND if changed else 1.0)
        return Reply("rating", rating=score, confidence=sure)
    return Reply("unknown", confidence=DOUBT if asks(tokens) else NOTHING_CHOSEN)


def _read_options(tokens: list[_Token], body: str, lettered: bool, choices: int | None) -> Reply:
    """Return the delivery option or slot letter a reply chooses, else unknown."""
    live = [c for c in _keyword_candidates(tokens, lettered) if not _denied(tokens, c)]
    neighbour_at = min((c.span[0] for c in live if c.intent == "neighbour"), default=None)
    others = _number_candidates(tokens, neighbour_at) + (_letter_candidates(tokens, choices) if lettered else [])
    live += [c for c in others if not _denied(tokens, c)]
    live, changed = after_change_of_mind(tokens, live)
    pool = [c for c in live if c.strong] or live
    meanings = {(c.intent, c.choice) for c in pool}
    if asks(tokens):  # "kan het bij de buren, of moet er getekend worden?" asks, it does not choose
        return Reply("unknown", confidence=DOUBT)
    if len(meanings) != 1:  # nothing (sure), or a contradiction such as "1 of 3" (a person decides)
        return Reply("unknown", confidence=DOUBT if meanings else NOTHING_CHOSEN)
    intent, choice = meanings.pop()
    sure = min(c.sure for c in pool) * (CHANGED_MIND if changed else 1.0)
    if intent == "slot_choice":
        return Reply(intent, choice=choice, confidence=sure) if choice else UNKNOWN
    if intent == "neighbour":
        return Reply(intent, note=_neighbour_note(tokens, body, pool), confidence=sure)
    if intent == "reschedule":
        return Reply(intent, when=read_wish([t.word for t in tokens]), confidence=sure)
    return Reply(intent, confidence=sure)


def _keyword_candidates(tokens: list[_Token], lettered: bool = False) -> list[_Candidate]:
    """Find the words and phrases that name a delivery option."""
    found = []
    words = [t.word for t in tokens]
    for i, word in enumerate(words):
        if compound_day(word) or short_day_with_time(words, i):  # "zaterdagochtend", "wo avond": another slot
            found.append(_Candidate("reschedule", (i,)))
        # "liever 's avonds": a part of the day asks for another time; after a slot offer "de middag"
        # may point at one of the letters, so there it is left to the letters.
        if not lettered and word in vocab.PART_OF_DAY_WORDS and (
                word in vocab.PART_OF_DAY_ADVERBS or tokens[i].prev in vocab.PART_OF_DAY_LEADS):
            found.append(_Candidate("reschedule", (i,), strong=False))
        for intent, keywords, strong in vocab.SINGLE_KEYWORDS:
            if word in keywords:
                found.append(_Candidate(intent, (i,), strong, sure=tokens[i].sure))
        for intent, phrase, strong in vocab.PHRASES_BY_FIRST.get(word, ()):
            if tuple(words[i:i + len(phrase)]) == phrase:
                span = tuple(range(i, i + len(phrase)))
                found.append(_Candidate(intent, span, strong, sure=min(tokens[n].sure for n in span)))
        if word in vocab.SLOT_MODIFIERS and vocab.SLOT_NOUNS & set(words[i + 1:i + 3]):
            found.append(_Candidate("reschedule", (i,)))
    return found


def _number_candidates(tokens: list[_Token], neighbour_at: int | None) -> list[_Candidate]:
    """Find the option numbers 1-3, and the house numbers and times that are not options."""
    found = []
    content = [t for t in tokens if t.word not in _EMPTY]
    ranged = ranges(tokens)
    # "buren. Sorry, bedoel 2": after a change of mind a digit is an option again, not a house number
    changes = change_marks(tokens)
    if neighbour_at is not None and any(m > neighbour_at for m in changes):
        neighbour_at = None
    for t in tokens:
        if t.word in vocab.OPTION_NUMBERS and (content == [t] or t.prev in vocab.OPTION_MARKERS):
            found.append(_Candidate(vocab.OPTION_INTENTS[vocab.OPTION_NUMBERS[t.word]], (t.n,), sure=t.sure))
        if ":" in t.word or "." in t.word or "/" in t.word:  # "18:00", "12/3": a time or a date, so a later slot
            found.append(_Candidate("reschedule", (t.n,), strong=False))
        if not _HOUSE_NUMBER.fullmatch(t.word):
            continue
        number = int(t.word.rstrip(ascii_lowercase))
        if t.n in ranged:  # "over 2 à 3 dagen", "tussen 1 en 3": a span of days or hours, never an option
            if ranged[t.n]:
                found.append(_Candidate("reschedule", (t.n,), strong=False))
        elif t.prev in vocab.TIME_PREPS or t.next in vocab.TIME_UNITS | vocab.DAY_UNITS:
            found.append(_Candidate("reschedule", (t.n,), strong=False))
        # "nr 12" and "bij nummer 2" are addresses, but "nummer 2" and a bare "nr3" are option 2 and 3
        elif t.prev in vocab.ADDRESS_MARKERS and not (number <= 3 and _option_number(tokens, t, neighbour_at)):
            found.append(_Candidate("neighbour", (t.n,), strong=False, address=True))
        elif (  # a house number after "buren", "op 3" or "2 pakketten" is not an option
            t.word.isdecimal() and 1 <= number <= 3 and t.prev not in vocab.PLACE_PREPS
            and t.next not in vocab.COUNT_UNITS and (neighbour_at is None or t.n < neighbour_at)
        ):
            found.append(_Candidate(vocab.OPTION_INTENTS[number], (t.n,)))
    return found


def _option_number(tokens: list[_Token], t: _Token, neighbour_at: int | None) -> bool:
    """Tell whether "nummer 2" / "nr3" names an option: no neighbour said, no "bij", "at" before the marker."""
    if t.prev in vocab.OPTION_MARKERS and neighbour_at is None:
        return word_before(tokens, t.n, 2) not in vocab.PLACE_PREPS | vocab.NEIGHBOUR_LEADS
    bare = vocab.POLITE | vocab.FILLER | vocab.ADDRESS_MARKERS | {BOUNDARY, t.word}
    return neighbour_at is None and t.prev in BARE_OPTION_MARKERS and all(x.word in bare for x in tokens)


# "A of B", "B no wait C": a letter before these is a letter too.
_LETTER_FOLLOWS = vocab.ALTERNATIVES | vocab.CHANGE_WORDS | {"en", "and"}


def _letter_candidates(tokens: list[_Token], choices: int | None) -> list[_Candidate]:
    """Find a slot letter ("B", "optie b", "de tweede") and check it was offered."""
    # Without a count, accept the letters a slot offer can realistically show.
    allowed = ascii_uppercase[:6] if choices is None else ascii_uppercase[:max(0, min(choices, 26))]
    content = [t for t in tokens if t.word not in _EMPTY_FOR_LETTERS]
    words = [t for t in tokens if t.word != BOUNDARY]
    leads = vocab.LETTER_MARKERS | vocab.LETTER_LEADS | vocab.CHANGE_WORDS | vocab.ALTERNATIVES | {"en", "and", "et"}
    clause_of = list(accumulate(t.word == BOUNDARY for t in tokens))  # "B (tussen 13 en 17)", "niet A, B"
    alone = {g[0].n for g in (list(g) for _, g in groupby(content, lambda t: clause_of[t.n])) if len(g) == 1}
    found = []
    for t in words:
        position = None
        if len(t.word) == 1 and t.word in ascii_lowercase and t.word not in vocab.POLITE:
            if content == [t] or t.prev in leads or t.n in alone or t.next in _LETTER_FOLLOWS:
                position = ascii_lowercase.index(t.word) + 1
        elif content == [t] and t.word in vocab.ORDINALS:
            position = vocab.ORDINALS[t.word]
        elif content == [t] and t.word in vocab.LAST_WORDS:
            position = choices or 0  # "the last one" means nothing without a count
        if position is not None:
            letter = allowed[position - 1] if 0 < position <= len(allowed) else None
            found.append(_Candidate("slot_choice", (t.n,), choice=letter))
    return found


def _denied(tokens: list[_Token], candidate: _Candidate) -> bool:
    """Tell whether "niet bij de buren" or "de buren zijn niet thuis" denies a candidate."""
    n, window = candidate.span[0], []
    for t in reversed(tokens[max(0, n - 8):n]):  # 3 words back in the clause, verbs aside
        if t.word == BOUNDARY or t.word in vocab.NEGATION_ENDS or len(window) == 3 or (
            t.word in vocab.OPTION_WORDS and tokens[t.n + 1].word not in vocab.NEGATION_LISTS
        ):  # "niet de buren 2": the negation took the first option, "niet 1 of 2" both
            break
        if t.word not in vocab.NEGATION_SKIPS:
            window.append(t)
    # "no wait", "nee toch": a change of mind, not a negation
    exempt = vocab.NEGATION_EXEMPT_NEXT | vocab.CHANGE_WORDS
    if any(t.word in vocab.NEGATIONS and t.next not in exempt and not (t.word == "pas" and t.next in vocab.DUTCH_PAS)
           for t in window):
        return True
    after = " ".join(t.word for t in tokens[candidate.span[-1] + 1:candidate.span[-1] + 7]).split(BOUNDARY)[0]
    return candidate.intent == "neighbour" and not candidate.address and bool(vocab.NEIGHBOURS_AWAY.match(after))


def _neighbour_note(tokens: list[_Token], body: str, pool: list[_Candidate]) -> str | None:
    """Return the free text that came with a neighbour choice, such as "nr 12"."""
    used = sorted(n for c in pool if not c.address for n in c.span)
    if not used:  # only an address was given: keep its clause, "bij nr 12"
        at = pool[0].span[0]
        start = max((t.n + 1 for t in tokens[:at] if t.word == BOUNDARY), default=0)
        end = next((t.n for t in tokens[at:] if t.word == BOUNDARY), len(tokens))
        return _render(_trim(tokens[start:end]), body)
    note = _trim(tokens[used[-1] + 1:])
    if not note:  # "nr 12, bij de buren": the address came first
        before = tokens[:used[0]]
        while before and before[-1].word in vocab.NEIGHBOUR_LEADS:
            before.pop()
        if any(t.word[:1].isdigit() for t in before):
            note = _trim(before)
    return _render(note, body)


def _trim(tokens: list[_Token]) -> list[_Token]:
    """Drop politeness anywhere and filler or punctuation at either end."""
    kept = [t for t in tokens if t.word not in vocab.POLITE]
    edge = vocab.NOTE_EDGE | {BOUNDARY}
    start = next((i for i, t in enumerate(kept) if t.word not in edge), len(kept))
    end = next((i for i in range(len(kept), start, -1) if kept[i - 1].word not in edge), start)
    return kept[start:end]


def _render(tokens: list[_Token], body: str) -> str | None:
    """Join tokens with the punctuation the sender put between them."""
    if not tokens:
        return None
    parts = [tokens[0].raw]
    for prev, t in zip(tokens, tokens[1:]):
        gap = body[prev.end:t.start] if t.n == prev.n + 1 else " "
        # Keep commas and spaces, drop emoji and line breaks.
        kept = re.sub(r"\s+", " ", _NOTE_GAP_JUNK.sub("", gap))
        parts += [kept if kept or not gap else " ", t.raw]
    return "".join(parts)[:MAX_NOTE].strip(" ,.;:-") or None
