"""The day and time a new-slot reply asks for, and which slots fit it: pure tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.replies.parser import parse_reply
from app.replies.slot_wishes import day_dates, describe, slot_matches, slots_for_wish
from app.replies.wishes import Wish

TZ = "Europe/Amsterdam"
AMS = ZoneInfo(TZ)
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
TOMORROW = ("in", 1, 0)


def wish_of(text: str, context: str = "arriving_soon") -> dict | None:
    reply = parse_reply(text, context)
    assert reply.intent == "reschedule", f"{text!r} read as {reply.intent}"
    return reply.when.as_dict() if reply.when else None


@pytest.mark.parametrize("text, expected", [
    # days, Dutch and English, relative and by name
    ("kan niet, morgen?", {"days": [["in", 1, 0]]}),
    ("Morgen graag", {"days": [["in", 1, 0]]}),
    ("overmorgen", {"days": [["in", 2, 0]]}),
    ("tomorrow", {"days": [["in", 1, 0]]}),
    ("the day after tomorrow please", {"days": [["in", 2, 0]]}),
    ("liever woensdag", {"days": [["weekday", WED, 0]]}),
    ("Vrijdag?", {"days": [["weekday", FRI, 0]]}),
    ("Can you deliver on Saturday instead?", {"days": [["weekday", SAT, 0]]}),
    ("woensdg graag", {"days": [["weekday", WED, 0]]}),  # a typo of the day
    ("maandag of dinsdag", {"days": [["weekday", MON, 0], ["weekday", TUE, 0]]}),
    ("in het weekend", {"days": [["weekday", SAT, 0], ["weekday", SUN, 0]]}),
    ("next monday", {"days": [["weekday", MON, 2]]}),
    ("volgende week", {"days": [["week", 1, 0]]}),
    ("volgende week dinsdag", {"days": [["weekday", TUE, 1]]}),
    ("next week monday evening", {"days": [["weekday", MON, 1]], "parts": ["evening"]}),
    ("maandag volgende week", {"days": [["weekday", MON, 1]]}),
    # short day names count only where they cannot be ordinary words
    ("2, op za", {"days": [["weekday", SAT, 0]]}),
    ("ander moment, wo avond", {"days": [["weekday", WED, 0]], "parts": ["evening"]}),
    ("can you do friday", {"days": [["weekday", FRI, 0]]}),  # "do" is no Thursday here
    ("2 zo snel mogelijk", None),  # nor "zo" a Sunday
    # parts of the day, alone and in one word with the day
    ("zaterdagochtend", {"days": [["weekday", SAT, 0]], "parts": ["morning"]}),
    ("zaterdagmorgen", {"days": [["weekday", SAT, 0]], "parts": ["morning"]}),
    ("zaterdag morgen", {"days": [["weekday", SAT, 0]], "parts": ["morning"]}),
    ("morgenavond", {"days": [["in", 1, 0]], "parts": ["evening"]}),
    ("Tomorrow morning please", {"days": [["in", 1, 0]], "parts": ["morning"]}),
    ("vanavond", {"days": [["in", 0, 0]], "parts": ["evening"]}),
    ("liever 's avonds", {"parts": ["evening"]}),
    ("2, in de middag", {"parts": ["afternoon"]}),
    ("maandagmiddag", {"days": [["weekday", MON, 0]], "parts": ["afternoon"]}),
    ("2 voor de middag", {"before": 720}),
    # hours: after, before, at, between; a bare small hour is in the afternoon or evening
    ("tomorrow after 6", {"days": [["in", 1, 0]], "after": 1080}),
    ("after 6pm tomorrow", {"days": [["in", 1, 0]], "after": 1080}),
    ("morgen na 12", {"days": [["in", 1, 0]], "after": 720}),
    ("Maandag na 17 uur?", {"days": [["weekday", MON, 0]], "after": 1020}),
    ("Kunt u na 17:00 komen?", {"after": 1020}),
    ("2 - ik ben pas na 5 thuis", {"after": 1020}),
    ("2 ben pas om 18:00 thuis", {"after": 1080}),  # home at 6: from 6 on
    ("morgen voor 12", {"days": [["in", 1, 0]], "before": 720}),
    ("morgen tussen 9 en 12", {"days": [["in", 1, 0]], "after": 540, "before": 720}),
    ("2, tussen 5 en 8", {"after": 1020, "before": 1200}),
    ("vanavond na 7 uur", {"days": [["in", 0, 0]], "parts": ["evening"], "after": 1140}),
    ("'s avonds na 8 graag, 2", {"parts": ["evening"], "after": 1200}),
    ("morgen om half 7", {"days": [["in", 1, 0]], "at": 1110}),
    ("Not home till 7", {"after": 1140}),  # busy until then: from then on
    ("ik werk tot 17u, morgen na 17u?", {"days": [["in", 1, 0]], "after": 1020}),
    ("Thursday pm please", {"days": [["weekday", THU, 0]], "after": 720}),
    ("I am home after 6, tomorrow?", {"days": [["in", 1, 0]], "after": 1080}),
    ("Can it come Wed evening?", {"days": [["weekday", WED, 0]], "parts": ["evening"]}),
    ("vr middag", {"days": [["weekday", FRI, 0]], "parts": ["afternoon"]}),
    # dates
    ("graag op zaterdag 5 december", {"days": [["date", 12, 5]]}),  # a weekday with its date: the date
    ("3 dec graag", {"days": [["date", 12, 3]]}),
    ("2, op 24 december", {"days": [["date", 12, 24]]}),
    ("12/3 graag", {"days": [["date", 3, 12]]}),
    # what is ruled out, and greetings that are no day
    ("niet morgen, vrijdag", {"days": [["weekday", FRI, 0]], "not_days": [["in", 1, 0]]}),
    ("woensdag kan ik niet, donderdag?", {"days": [["weekday", THU, 0]], "not_days": [["weekday", WED, 0]]}),
    ("vandaag niet thuis, morgen wel", {"days": [["in", 1, 0]], "not_days": [["in", 0, 0]]}),
    ("not on friday, another day please", {"not_days": [["weekday", FRI, 0]]}),
    ("Goedemorgen, kan het donderdag?", {"days": [["weekday", THU, 0]]}),
    ("Goede morgen, 2 graag", None),
    ("Morgen! Kan het vrijdag?", {"days": [["weekday", FRI, 0]]}),
    ("Morning, can you come friday after 6?", {"days": [["weekday", FRI, 0]], "after": 1080}),
    ("2", None),
    ("ander tijdstip", None),
])
def test_a_reschedule_reply_says_when(text, expected):
    assert wish_of(text) == expected


@pytest.mark.parametrize("text", ["Goedemorgen, 1 graag", "bij de buren nr 12 na 6 thuis", "3 dec afhaalpunt"])
def test_only_a_reschedule_carries_a_wish(text):
    assert parse_reply(text, "arriving_soon").when is None


def test_a_part_of_the_day_after_a_slot_offer_is_left_to_the_letters():
    assert parse_reply("De middag", "slot_offer", 3).intent == "unknown"


@pytest.mark.parametrize("text", ["liever woensdag", "morgen tussen 9 en 12", "niet morgen, vrijdag", "12/3 graag"])
def test_a_wish_survives_being_stored(text):
    wish = parse_reply(text, "arriving_soon").when
    assert Wish.from_dict(wish.as_dict()) == wish


# Monday 23 Nov 2026, Amsterdam. The dates below are fixed on purpose: only relative days are read.
TODAY = date(2026, 11, 23)


@pytest.mark.parametrize("day, dates", [
    (("in", 0, 0), {TODAY}), (("in", 1, 0), {date(2026, 11, 24)}), (("in", 2, 0), {date(2026, 11, 25)}),
    (("weekday", WED, 0), {date(2026, 11, 25)}),
    (("weekday", MON, 0), {TODAY}),  # a Monday named on a Monday: today (later slots only)
    (("weekday", MON, 2), {date(2026, 11, 30)}),  # "next monday"
    (("weekday", TUE, 1), {date(2026, 12, 1)}),  # "volgende week dinsdag"
    (("week", 1, 0), {date(2026, 11, 30) + timedelta(days=n) for n in range(7)}),
    (("date", 12, 3), {date(2026, 12, 3)}),
    (("date", 1, 5), {date(2027, 1, 5)}),  # January said in November is next year's
    (("date", 2, 30), set()),
])
def test_days_are_resolved_from_the_local_today(day, dates):
    assert day_dates(day, TODAY) == dates


@dataclass(frozen=True)
class FakeSlot:
    id: str
    starts_at: datetime
    ends_at: datetime


def slot(day: int, start: int, end: int) -> FakeSlot:
    local = datetime(2026, 11, 23 + day, tzinfo=AMS)
    return FakeSlot(f"{day}-{start}", local + timedelta(hours=start), local + timedelta(hours=end))


# Tue 8-12 and 17-20, Wed 10-14 and 18-21, Thu 9-13 and 18-21
SLOTS = [slot(1, 8, 12), slot(1, 17, 20), slot(2, 10, 14), slot(2, 18, 21), slot(3, 9, 13), slot(3, 18, 21)]
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=AMS)


@pytest.mark.parametrize("text, ids", [
    ("morgen", ["1-8", "1-17"]),
    ("liever woensdag", ["2-10", "2-18"]),
    ("donderdag of woensdag", ["2-10", "2-18", "3-9", "3-18"]),
    ("morgenavond", ["1-17"]),  # 17-20 is mostly evening
    ("'s ochtends graag", ["1-8", "2-10", "3-9"]),
    ("liever 's middags", ["2-10"]),  # at least half of the slot after noon: not 9-13
    ("tomorrow after 6", []),  # 17-20 starts too early
    ("na 18:00", ["2-18", "3-18"]),
    ("woensdag voor 12", []),
    ("donderdag voor 13:00", ["3-9"]),
    ("om 11 uur", ["1-8", "2-10", "3-9"]),
    ("niet morgen, een andere dag", ["2-10", "2-18", "3-9", "3-18"]),
])
def test_only_the_slots_that_fit_are_offered(text, ids):
    wish = parse_reply(text, "arriving_soon").when
    today = NOW.astimezone(AMS).date()
    assert [s.id for s in SLOTS if slot_matches(wish, s, today, TZ)] == ids


def test_when_nothing_fits_the_rest_is_offered_and_that_is_said():
    wish = parse_reply("niet woensdag, liever zaterdag", "arriving_soon").when
    offered, met = slots_for_wish(wish, SLOTS, NOW, TZ)
    assert not met and [s.id for s in offered] == ["1-8", "1-17", "3-9", "3-18"]  # never a day ruled out
    offered, met = slots_for_wish(parse_reply("woensdag", "arriving_soon").when, SLOTS, NOW, TZ)
    assert met and [s.id for s in offered] == ["2-10", "2-18"]


def test_ruling_days_out_asks_for_nothing_else():
    wish = parse_reply("niet morgen en niet woensdag, 2", "arriving_soon").when
    assert not wish.wants
    offered, met = slots_for_wish(wish, SLOTS, NOW, TZ)
    assert met and [s.id for s in offered] == ["3-9", "3-18"]


def test_tomorrow_is_the_recipients_tomorrow_not_utcs():
    late = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)  # already Tuesday 00:30 in Amsterdam
    offered, met = slots_for_wish(parse_reply("morgen", "arriving_soon").when, SLOTS, late, TZ)
    assert met and [s.id for s in offered] == ["2-10", "2-18"]


@pytest.mark.parametrize("text, nl, en", [
    ("liever woensdag", "op woensdag", "on Wednesday"),
    ("morgen", "morgen", "tomorrow"),
    ("morgenavond", "morgenavond", "tomorrow evening"),
    ("zaterdagochtend", "op zaterdagochtend", "on Saturday morning"),
    ("vanavond", "vanavond", "tonight"),
    ("tomorrow after 6", "morgen na 18:00", "tomorrow after 18:00"),
    ("in het weekend", "in het weekend", "at the weekend"),
    ("volgende week dinsdag", "volgende week dinsdag", "on Tuesday next week"),
    ("3 dec", "op 3 december", "on 3 December"),
    ("liever 's avonds", "'s avonds", "in the evening"),
])
def test_a_wish_is_named_in_the_recipients_language(text, nl, en):
    wish = parse_reply(text, "arriving_soon").when
    assert (describe(wish, "nl"), describe(wish, "en")) == (nl, en)
