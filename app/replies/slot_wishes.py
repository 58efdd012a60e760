"""Match a recipient's wish ("liever woensdag", "tomorrow after 6") to the carrier's slots. Pure.

Days are resolved against the recipient's local date (the shop's time zone), so "morgen"
sent at 23:30 means the day after the local today, whatever UTC says. A slot matches a part
of the day when at least half of it falls in that part (a 17-20 slot is an evening slot, a
10-14 slot both morning and afternoon); "after 6" needs the slot to start at 18:00 or later,
"before 12" to end by noon, "at 6" to be open at 18:00.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from app.replies.parser import DOUBT, Reply, when_of
from app.replies.wishes import PARTS, Wish


class _Timed(Protocol):
    starts_at: datetime
    ends_at: datetime


S = TypeVar("S", bound=_Timed)


def slots_for_wish(wish: Wish, slots: Sequence[S], now: datetime, tz: str) -> tuple[list[S], bool]:
    """Return the slots to offer and whether they are what was wished for.

    When none match, the others are returned (minus the days the reply ruled out) with False,
    so the text can say the wish cannot be met and what can.
    """
    today = now.astimezone(ZoneInfo(tz)).date()
    allowed = [slot for slot in slots if not _on_days(wish.not_days, slot, today, tz)]
    if not wish.wants:
        return allowed, True
    matching = [slot for slot in allowed if slot_matches(wish, slot, today, tz)]
    return (matching, True) if matching else (allowed, False)


def slot_matches(wish: Wish, slot: _Timed, today: date, tz: str) -> bool:
    """Tell whether one slot fits every part of the wish."""
    if wish.not_days and _on_days(wish.not_days, slot, today, tz):
        return False
    if wish.days and not _on_days(wish.days, slot, today, tz):
        return False
    start, end = _minutes(slot.starts_at, tz, slot.starts_at), _minutes(slot.ends_at, tz, slot.starts_at)
    if wish.parts and not any(_mostly_in(start, end, *PARTS[part]) for part in wish.parts):
        return False
    if wish.after is not None and start < wish.after:
        return False
    if wish.before is not None and end > wish.before:
        return False
    return wish.at is None or start <= wish.at < end


def day_dates(day: tuple[str, int, int], today: date) -> set[date]:
    """Return the local dates a day of a wish names, seen from `today`."""
    kind, a, b = day
    if kind == "in":
        return {today + timedelta(days=a)}
    if kind == "weekday":
        if b == 1:  # in the next calendar week
            return {today - timedelta(days=today.weekday()) + timedelta(days=7 + a)}
        ahead = (a - today.weekday()) % 7
        return {today + timedelta(days=ahead or (7 if b == 2 else 0))}
    if kind == "week":
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return {monday + timedelta(days=offset) for offset in range(7)}
    if kind == "date":
        for year in (today.year, today.year + 1):  # "3 jan" in December is next year's
            try:
                moment = date(year, a, b)
            except ValueError:
                return set()
            if moment >= today:
                return {moment}
    return set()


def _on_days(days: tuple, slot: _Timed, today: date, tz: str) -> bool:
    local_day = slot.starts_at.astimezone(ZoneInfo(tz)).date()
    return any(local_day in day_dates(day, today) for day in days)


def _minutes(moment: datetime, tz: str, day_of: datetime) -> int:
    """Return local minutes after the midnight that starts the slot's day (an end at 00:00 is 24:00)."""
    zone = ZoneInfo(tz)
    local, first = moment.astimezone(zone), day_of.astimezone(zone)
    return (local.date() - first.date()).days * 24 * 60 + local.hour * 60 + local.minute


def _mostly_in(start: int, end: int, low: int, high: int) -> bool:
    """Tell whether at least half of [start, end) lies in [low, high)."""
    overlap = min(end, high) - max(start, low)
    return overlap > 0 and 2 * overlap >= end - start


_WORDS = {
    "nl": {"days": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
           "months": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                      "oktober", "november", "december"),
           "in": ("vandaag", "morgen", "overmorgen"), "in_n": "over {} dagen", "on": "op {}",
           "next_week": "volgende week", "weekday_next_week": "volgende week {}", "weekend": "in het weekend",
           "or": " of ", "parts": {"morning": "'s ochtends", "afternoon": "'s middags", "evening": "'s avonds"},
           "after": "na {}", "before": "voor {}", "at": "om {}"},
    "en": {"days": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
           "months": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December"),
           "in": ("today", "tomorrow", "the day after tomorrow"), "in_n": "in {} days", "on": "on {}",
           "next_week": "next week", "weekday_next_week": "on {} next week", "weekend": "at the weekend",
           "or": " or ", "parts": {"morning": "in the morning", "afternoon": "in the afternoon",
                                   "evening": "in the evening"},
           "after": "after {}", "before": "before {}", "at": "at {}"},
    # French (Belgium); "aout" without its circumflex keeps a text in GSM-7
    "fr": {"days": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
           "months": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre",
                      "octobre", "novembre", "décembre"),
           "in": ("aujourd'hui", "demain", "après-demain"), "in_n": "dans {} jours", "on": "{}",
           "next_week": "la semaine prochaine", "weekday_next_week": "{} prochain", "weekend": "le week-end",
           "or": " ou ", "parts": {"morning": "le matin", "afternoon": "l'après-midi", "evening": "le soir"},
           "after": "après {}", "before": "avant {}", "at": "vers {}"},
}
# A day and one part of it, as people say it: "morgenavond", "op woensdagavond", "tomorrow evening".
_NL_PART_SUFFIX = {"morning": "ochtend", "afternoon": "middag", "evening": "avond"}
_NL_TODAY = {"morning": "vanochtend", "afternoon": "vanmiddag", "evening": "vanavond"}
_EN_TODAY = {"morning": "this morning", "afternoon": "this afternoon", "evening": "tonight"}
_FR_TODAY = {"morning": "ce matin", "afternoon": "cet après-midi", "evening": "ce soir"}
_FR_PART = {"morning": "matin", "afternoon": "après-midi", "evening": "soir"}  # "lundi soir", "demain matin"


def describe(wish: Wish, language: str) -> str:
    """Say in a few words what was wished for: "op woensdag", "morgenavond", "tomorrow after 18:00"."""
    words = _WORDS.get(language, _WORDS["en"])
    days = [_day(day, words) for day in wish.days]
    if {("weekday", 5), ("weekday", 6)} <= {(kind, a) for kind, a, _ in wish.days} and len(wish.days) == 2:
        days = [words["weekend"]]
    parts = [words["parts"][part] for part in wish.parts]
    if len(days) == 1 and len(wish.days) == 1 and len(parts) == 1:
        days, parts = [_day_and_part(wish.days[0], wish.parts[0], days[0], language)], []
    hours = [words[kind].format(_clock(getattr(wish, kind))) for kind in ("after", "before", "at")
             if getattr(wish, kind) is not None]
    return " ".join(filter(None, [words["or"].join(days), words["or"].join(parts), *hours]))


def _day(day: tuple[str, int, int], words: dict) -> str:
    kind, a, b = day
    if kind == "in":
        return words["in"][a] if a < len(words["in"]) else words["in_n"].format(a)
    if kind == "weekday":
        name = words["days"][a]
        return words["weekday_next_week"].format(name) if b == 1 else words["on"].format(name)
    if kind == "week":
        return words["next_week"]
    return words["on"].format(f"{b} {words['months'][a - 1]}")


def _day_and_part(day: tuple[str, int, int], part: str, label: str, language: str) -> str:
    kind, a, _ = day
    if kind == "in" and a == 0:
        return {"nl": _NL_TODAY, "fr": _FR_TODAY}.get(language, _EN_TODAY)[part]
    if language == "fr":
        return f"{label} {_FR_PART[part]}" if kind in ("weekday", "in") else f"{label} {_WORDS['fr']['parts'][part]}"
    if language == "nl":
        if kind == "weekday" or (kind == "in" and a == 1):
            return label + _NL_PART_SUFFIX[part]  # "op woensdagavond", "morgenavond"
        return f"{label} {_WORDS['nl']['parts'][part]}"
    if kind == "weekday" and label.startswith("on ") and not label.endswith("next week"):
        return f"{label} {part}"  # "on Wednesday evening"
    return f"{label} {part}" if kind == "in" else f"{label} {_WORDS['en']['parts'][part]}"


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# --- a reply that names one of the offered slots by its day, part of the day or hours ----------

_SPAN = re.compile(r"(?<![\d:/])(\d{1,2})(?:[:.h](\d{2}))?\s*(?:u|h|uur)?\s*(?:-|–|tot|to|à|a)\s*"
                   r"(\d{1,2})(?:[:.h](\d{2}))?\s*(?:u|h|uur)?(?![\d:/])", re.I)


@dataclass(frozen=True)
class Offered:
    """A lettered slot of an offer, as the conversation keeps it ({"letter", "starts_at", "ends_at"})."""

    letter: str
    starts_at: datetime
    ends_at: datetime

    @classmethod
    def from_option(cls, option: dict) -> Offered:
        return cls(option["letter"], datetime.fromisoformat(option["starts_at"]),
                   datetime.fromisoformat(option["ends_at"]))


def offered_letters(text: str, wish: Wish | None, offered: Sequence[Offered], now: datetime, tz: str) -> list[str]:
    """Return the letters of the offered slots a reply names: "17-20", "dinsdag", "maandagavond", "Monday evening".

    An hour span must be a slot's own hours; a day or part of the day must fit the slot as a wish would.
    """
    if span := _SPAN.search(text):
        start = int(span[1]) * 60 + int(span[2] or 0)
        end = int(span[3]) * 60 + int(span[4] or 0)
        hours = [o.letter for o in offered if (_minutes(o.starts_at, tz, o.starts_at),
                                               _minutes(o.ends_at, tz, o.starts_at)) in ((start, end),
                                                                                         (start + 720, end + 720))]
        if hours:
            return hours
    if wish is None or not wish.wants:
        return []
    today = now.astimezone(ZoneInfo(tz)).date()
    return [o.letter for o in offered if slot_matches(wish, o, today, tz)]


def choose_from_offer(reply: Reply, text: str, offered: Sequence[Offered], now: datetime, tz: str) -> Reply:
    """After a slot offer, read a reply that names one offered slot as its letter; two that fit go to a person.

    A day that fits none of them stays what it was (a wish for another slot, offered afresh).
    """
    if reply.intent not in ("reschedule", "unknown") or reply.needs_person or not offered:
        return reply
    letters = offered_letters(text, reply.when or when_of(text), offered, now, tz)
    if len(letters) == 1:
        return Reply("slot_choice", choice=letters[0], confidence=reply.confidence)
    return Reply("unknown", confidence=DOUBT) if letters else reply
