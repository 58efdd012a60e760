"""When a recipient asking for a new slot would like it: a day, a part of the day, an hour. Pure.

`read_wish(words)` reads the folded words of a reply (the parser's tokens, BOUNDARY where
punctuation ended a clause): "kan niet, morgen?", "tomorrow after 6", "liever woensdag",
"zaterdagochtend", "next week monday evening", "niet vrijdag", "3 dec", "12/3". Days are kept
relative ("morgen", "woensdag") and resolved against the recipient's local date only when
slots are matched (`app/replies/slot_wishes.py`), so a wish can wait for "which parcel?".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.replies.vocabulary import DUTCH_PAS, LEXICON, MONTHS, fold

BOUNDARY = "|"
PARTS = {"morning": (0, 12 * 60), "afternoon": (12 * 60, 18 * 60), "evening": (18 * 60, 24 * 60)}

WEEKDAYS = {name: i for names in (
    ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    *(tuple(fold(day) for day in LEXICON["weekdays"][k:k + 7]) for k in range(0, len(LEXICON.get("weekdays", ())), 7)),
) for i, name in enumerate(names)}  # lexicon files add a language's seven days, Monday first
# Short forms are ordinary words too ("do", "zo", "sat"): they count only next to a day-ish word.
WEEKDAY_SHORT = {"ma": 0, "di": 1, "wo": 2, "do": 3, "vr": 4, "za": 5, "zo": 6, "mon": 0, "tue": 1, "tues": 1,
                 "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4, "sat": 5, "sun": 6}
RELATIVE = {"vandaag": 0, "today": 0, "morgen": 1, "tomorrow": 1, "tmrw": 1, "tmr": 1, "2morrow": 1,
            "overmorgen": 2, **{fold(word): n for word, n in LEXICON.get("relative_days", ())}}
PART_WORDS = {
    "ochtend": "morning", "ochtends": "morning", "sochtends": "morning", "morgens": "morning",
    "smorgens": "morning", "voormiddag": "morning", "morning": "morning", "mornings": "morning",
    "middag": "afternoon", "middags": "afternoon", "smiddags": "afternoon", "namiddag": "afternoon",
    "afternoon": "afternoon", "afternoons": "afternoon",
    "avond": "evening", "avonds": "evening", "savonds": "evening", "evening": "evening", "evenings": "evening",
    **{fold(word): part for word, part in LEXICON.get("part_words", ())},
}
# One word for a day and a part of it: "vanavond", "morgenochtend"; "zaterdagochtend" is built from parts.
TODAY_PARTS = {"vanochtend": "morning", "vanmorgen": "morning", "vanmiddag": "afternoon", "vanavond": "evening",
               "tonight": "evening"}
PART_SUFFIXES = {"ochtend": "morning", "morgen": "morning", "vroeg": "morning", "voormiddag": "morning",
                 "middag": "afternoon", "namiddag": "afternoon", "avond": "evening"}
MONTH_NAMES = {**{name: i % 12 + 1 for i, name in enumerate((
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
    "november", "december"))},
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "august": 8, "october": 10,
    "jan": 1, "feb": 2, "mrt": 3, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "okt": 10, "oct": 10, "nov": 11, "dec": 12}
assert set(MONTHS) <= set(MONTH_NAMES)  # the parser's months are all readable here

AFTER = frozenset({"na", "after", "vanaf", "from", "pas", "since", *map(fold, LEXICON.get("after", ()))})
BEFORE = frozenset({"voor", "before", "tot", "until", "till", "til", "uiterlijk", "by",
                    *map(fold, LEXICON.get("before", ()))})
AT = frozenset({"om", "at", "rond", "around", "rondom", "omstreeks", "ongeveer", "about",
                *map(fold, LEXICON.get("at", ()))})
BETWEEN = frozenset({"tussen", "between"})
NEXT = frozenset({"volgende", "volgend", "next", "komende", "aanstaande"})
NEGATIONS = frozenset({"niet", "not", "geen", "nooit", "never", "dont", "doesnt", "cant", "cannot", "wont",
                       "isnt", *map(fold, LEXICON.get("negations", ()))})

CONTRASTS = frozenset({"maar", "but", "liever", "rather", "instead", "wel"})
SKIP = frozenset({"op", "on", "de", "the", "het", "this", "deze", "s", "in", "een", "a", "graag", "please"})
HOME = frozenset({"thuis", "home", "terug", "back", "rentre", "maison"})  # "om 6 thuis": from 6 on, not at 6
# "ik werk tot 5", "not home till 7": busy until then, so from then on
BUSY = frozenset({"werk", "werken", "work", "working", "weg", "away", "out", "niet", "not", "nog", "still"})
GREETINGS = frozenset({"goede", "goeie", "good", "goedemorgen"})
_HOUR = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?(am|pm|u|h|uur)?")
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})")


@dataclass(frozen=True)
class Wish:
    """What a reply says about when; days stay relative until matched against a local date.

    A day is ("in", n, 0) n days from today, ("weekday", d, mode) with mode 0 = the next d from
    today on, 1 = d in the next calendar week, 2 = the next d after today; ("week", 1, 0) = any
    day next week; ("date", month, day). Times are minutes after local midnight.
    """

    days: tuple[tuple[str, int, int], ...] = ()
    not_days: tuple[tuple[str, int, int], ...] = ()
    parts: tuple[str, ...] = ()
    after: int | None = None
    before: int | None = None
    at: int | None = None

    @property
    def wants(self) -> bool:
        """Tell whether anything positive was asked for (an exclusion alone asks for nothing)."""
        return bool(self.days or self.parts or self.after is not None or self.before is not None
                    or self.at is not None)

    def as_dict(self) -> dict:
        """Return the fields that are set, JSON-ready (a wish waits on the Conversation row)."""
        fields = {"days": [list(d) for d in self.days], "not_days": [list(d) for d in self.not_days],
                  "parts": list(self.parts), "after": self.after, "before": self.before, "at": self.at}
        return {key: value for key, value in fields.items() if value not in (None, [])}

    @classmethod
    def from_dict(cls, stored: dict) -> Wish:
        """Return the wish `as_dict` stored."""
        return cls(days=tuple(tuple(d) for d in stored.get("days", ())),
                   not_days=tuple(tuple(d) for d in stored.get("not_days", ())),
                   parts=tuple(stored.get("parts", ())), after=stored.get("after"), before=stored.get("before"),
                   at=stored.get("at"))


@dataclass
class _Term:
    n: int
    kind: str  # day | part | after | before | at
    value: object
    negated: bool = field(default=False)


def read_wish(words: list[str]) -> Wish | None:
    """Return the day, part of the day and hours a reply names, or None when it names none."""
    terms = _terms(words)
    next_week = any(w in NEXT and _next(words, i) in ("week", "weekend") for i, w in enumerate(words))
    if not terms and not next_week:
        return None
    _negate(words, terms)
    kept = [t for t in terms if not t.negated]
    dated = {t.n - 1 for t in kept if t.kind == "day" and t.value[0] == "date"}
    kept = [t for t in kept if not (t.n in dated and t.value[0] == "weekday")]  # "zaterdag 5 december": the date
    days = tuple(dict.fromkeys(_in_week(t.value, next_week) for t in kept if t.kind == "day"))
    if next_week and not days and "weekend" not in words:
        days = (("week", 1, 0),)
    parts = tuple(dict.fromkeys(t.value for t in kept if t.kind == "part"))
    hours = {t.kind: _clock(t.value, parts) for t in kept if t.kind in ("after", "before", "at")}
    if hours.get("before") is not None and hours["before"] <= hours.get("after", -1) < 12 * 60 + hours["before"]:
        hours["before"] += 12 * 60  # "tussen 5 en 8": both in the evening
    wish = Wish(days=days, not_days=tuple(dict.fromkeys(t.value for t in terms if t.negated and t.kind == "day")),
                parts=parts, **hours)
    return wish if wish.as_dict() else None


def _terms(words: list[str]) -> list[_Term]:
    """Find every word or pair of words that names a day, a part of the day or an hour."""
    found: list[_Term] = []
    for i, word in enumerate(words):
        prev = _prev(words, i)
        if word in RELATIVE:
            if word in ("morgen", "tomorrow") and prev in ("goede", "goeie", "good"):
                continue  # "goede morgen" greets
            if word == "tomorrow" and prev == "after" and _prev(words, i - 1) == "day":
                found.append(_Term(i, "day", ("in", 2, 0)))  # "the day after tomorrow"
                continue
            if word == "morgen" and _greeting(words, i):
                continue
            if word == "morgen" and found and found[-1].kind == "day" and found[-1].n == i - 1:
                found.append(_Term(i, "part", "morning"))  # "zaterdag morgen": Saturday morning
                continue
            found.append(_Term(i, "day", ("in", RELATIVE[word], 0)))
        elif word in WEEKDAYS or (word in WEEKDAY_SHORT and _short_day(words, i)):
            mode = 2 if prev in NEXT else 0  # "next monday": the first one after today
            found.append(_Term(i, "day", ("weekday", WEEKDAYS.get(word, WEEKDAY_SHORT.get(word)), mode)))
        elif word in ("weekend", "weekends"):
            found += [_Term(i, "day", ("weekday", 5, 0)), _Term(i, "day", ("weekday", 6, 0))]
        elif word in TODAY_PARTS:
            found += [_Term(i, "day", ("in", 0, 0)), _Term(i, "part", TODAY_PARTS[word])]
        elif word in PART_WORDS and not (prev in GREETINGS or _greeting(words, i)):
            if prev in BEFORE:  # "voor de middag": before noon
                found.append(_Term(i, "before", PARTS[PART_WORDS[word]][0]))
            else:
                found.append(_Term(i, "part", PART_WORDS[word]))
                if prev in ("this", "ce"):
                    found.append(_Term(i, "day", ("in", 0, 0)))
        elif word in ("pm", "am") and (prev in WEEKDAYS or prev in RELATIVE):  # "Thursday pm", not "I am"
            found.append(_Term(i, "after" if word == "pm" else "before", 12 * 60))
        elif word in ("noon", "middaguur", "twaalven") and prev in AFTER | BEFORE | AT:
            found.append(_Term(i, _hour_kind(words, i, prev), 12 * 60))
        elif compound := compound_day(word):
            found += [_Term(i, "day", compound[0]), _Term(i, "part", compound[1])]
        elif (date := _date(words, i)) is not None:
            found.append(_Term(i, "day", date))
        elif (minutes := _hour(words, i)) is not None:
            found.append(_Term(i, _hour_kind(words, i, _prev(words, i, skip={"half", "ongeveer", "about"})),
                               minutes))
    return found


def compound_day(word: str) -> tuple[tuple[str, int, int], str] | None:
    """Read "zaterdagochtend", "morgenavond", "maandagmiddag" as a day and a part of it."""
    for suffix, part in PART_SUFFIXES.items():
        day = word[:-len(suffix)] if word.endswith(suffix) else ""
        if day in WEEKDAYS:
            return ("weekday", WEEKDAYS[day], 0), part
        if day == "morgen":
            return ("in", 1, 0), part
    return None


def _date(words: list[str], i: int) -> tuple[str, int, int] | None:
    """Read "3 dec", "3 december", "december 3" and "12/3" (day first, as written in NL and the UK)."""
    word = words[i]
    if match := _DATE.fullmatch(word):
        day, month = int(match[1]), int(match[2])
    elif word.isdecimal() and _next(words, i) in MONTH_NAMES:
        day, month = int(word), MONTH_NAMES[_next(words, i)]
    elif word.isdecimal() and _prev(words, i) in MONTH_NAMES and _prev(words, i) != "may":
        day, month = int(word), MONTH_NAMES[_prev(words, i)]
    else:
        return None
    return ("date", month, day) if 1 <= month <= 12 and 1 <= day <= 31 else None


def _hour(words: list[str], i: int) -> int | None:
    """Return the minutes after midnight of "18:00", "6pm", "18u", "half 7" after a time word."""
    match = _HOUR.fullmatch(words[i])
    if not match:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    unit = match[3] or (_next(words, i) if _next(words, i) in ("am", "pm", "uur", "h", "oclock") else None)
    prev = _prev(words, i, skip={"ongeveer", "about"})
    if not (match[2] or unit or prev in AFTER | BEFORE | AT | BETWEEN | {"half", "en", "and"}):
        return None  # a bare number is an option, a house number or a count
    if prev == "half":
        hour, minute = hour - 1, 30  # Dutch "half 7" is 6:30
    if prev in ("en", "and") and not any(w in BETWEEN for w in words[max(0, i - 4):i]):
        return None
    if unit == "pm" and hour < 12:
        hour += 12
    elif unit != "am" and 1 <= hour <= 7:
        hour += 12  # nobody asks for a delivery "after 6" in the morning
    return hour * 60 + minute if 0 <= hour <= 24 and minute < 60 else None


def _hour_kind(words: list[str], i: int, prev: str | None) -> str:
    if prev in ("en", "and"):
        return "before"  # "tussen 9 en 12"
    if prev in BETWEEN or prev in AFTER:
        return "after"
    clause = _clause(words, i)
    if prev in BEFORE:
        return "after" if clause & BUSY else "before"
    return "after" if clause & HOME else "at"


def _clock(minutes: object, parts: tuple[str, ...]) -> int:
    """Move a morning hour to the evening when the reply said evening: "'s avonds na 8"."""
    value = int(minutes)  # type: ignore[call-overload]
    if value < 12 * 60 and any(part in ("afternoon", "evening") for part in parts):
        value += 12 * 60
    return value


def _negate(words: list[str], terms: list[_Term]) -> None:
    """Mark what a negation in its clause denies: "niet morgen", "morgen kan ik niet", "not on friday"."""
    by_n: dict[int, list[_Term]] = {}
    for term in terms:
        by_n.setdefault(term.n, []).append(term)
    for i, word in enumerate(words):
        if word not in NEGATIONS or (word == "pas" and _next(words, i) in DUTCH_PAS):
            continue
        j = i + 1
        while j < len(words) and words[j] in SKIP:
            j += 1
        if j in by_n:
            target = by_n[j]
        else:  # the nearest term before it, within the clause and before any "maar"
            k = i - 1
            while k >= 0 and words[k] != BOUNDARY and words[k] not in CONTRASTS and k not in by_n:
                k -= 1
            target = by_n.get(k, [])
            if words[i - 1:i + 1] == ["niet", "thuis"] or _next(words, i) in HOME:
                target = [t for t in target if t.kind == "day"]  # "om 6 niet thuis": still about the day
        for term in target:
            term.negated = True


def _in_week(day: tuple, next_week: bool) -> tuple[str, int, int]:
    kind, value, mode = day
    if kind == "weekday" and next_week:
        return kind, value, 1
    return kind, value, mode


def short_day_with_time(words: list[str], i: int) -> bool:
    """Tell whether a short day name comes with a part of the day or a date ("wo avond", "Fri 4/12")."""
    nxt = _next(words, i)
    return words[i] in WEEKDAY_SHORT and bool(nxt and (nxt in PART_WORDS or nxt.isdecimal() or _DATE.fullmatch(nxt)))


def _short_day(words: list[str], i: int) -> bool:
    """Tell whether "wo", "za", "fri" is a day here ("do" and "zo" are words too).

    It is when it follows "op"/"on"/"liever"/"next", comes before a part of the day or a date,
    or stands alone or beside other short days ("wo", "ma/di", "za of zo").
    """
    prev, nxt = _prev(words, i), _next(words, i)
    if prev in NEXT | {"op", "on", "liever", "rather"} or nxt in PART_WORDS:
        return True
    if nxt and (nxt.isdecimal() or _DATE.fullmatch(nxt)):
        return True
    beside = set(WEEKDAY_SHORT) | {"of", "or", "en", "and", None}
    return prev in beside and nxt in beside


def _greeting(words: list[str], i: int) -> bool:
    """Tell whether "Morgen!" / "Morning," opens the reply as a greeting before another day is named."""
    if i != 0 or len(words) < 3 or words[1] != BOUNDARY:
        return False
    return any(w in WEEKDAYS or w in RELATIVE or compound_day(w) for w in words[2:])


def _clause(words: list[str], i: int) -> set[str]:
    start = max((k for k in range(i) if words[k] == BOUNDARY), default=-1) + 1
    end = next((k for k in range(i, len(words)) if words[k] == BOUNDARY), len(words))
    return set(words[start:end])


def _prev(words: list[str], i: int, skip: frozenset | set = frozenset()) -> str | None:
    k = i - 1
    while k >= 0 and words[k] in skip | {"de", "the"}:
        k -= 1
    return words[k] if k >= 0 and words[k] != BOUNDARY else None


def _next(words: list[str], i: int) -> str | None:
    return words[i + 1] if i + 1 < len(words) and words[i + 1] != BOUNDARY else None
