"""How well a day's texts kept their promises, stop by stop. Pure: what each recipient saw, and the truth.

A window "holds" when the true arrival lies inside it (ends included, no grace: the recipient reads
the times literally). The window a stop "had been told" at some moment is the one in the last text
before that moment that carried a window (the morning text, a delay text, a narrowed window).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from statistics import median

SOON_KIND = "arriving_soon"
DELAY_KIND = "delay"
SOON_TARGET = (10.0, 20.0)  # minutes of warning the arriving-soon text aims for
FAR_AT_FIRST_PUSH = 15.0  # stops nearer than this when the first ETA came cannot get a full warning
ABOUT_TOLERANCE = 3.0  # "about N minutes" counts as right within this many minutes


@dataclass(frozen=True)
class TextSeen:
    """One text a recipient received: when, what kind, the window it told, the minutes it said."""

    at: datetime
    kind: str
    window: tuple[datetime, datetime] | None = None
    minutes: int | None = None


@dataclass(frozen=True)
class StopDay:
    """One stop's day: its true arrival, the texts its recipient received, when its first ETA came."""

    arrival: datetime | None
    texts: tuple[TextSeen, ...] = ()
    first_push: datetime | None = None


@dataclass
class Scorecard:
    """The day's figures; None where the day gave nothing to measure."""

    stops: int = 0
    delivered: int = 0
    last_window_n: int = 0
    last_window_held: float | None = None
    morning_window_held: float | None = None
    morning_width_median: float | None = None
    morning_width_p90: float | None = None
    last_width_median: float | None = None
    last_width_p90: float | None = None
    delay_texts: int = 0
    false_delay_texts: int = 0
    false_delays_per_100: float | None = None
    late_stops: int = 0
    late_warned: int = 0
    soon_n: int = 0
    soon_median: float | None = None
    soon_p95: float | None = None
    soon_min: float | None = None
    soon_far_n: int = 0
    soon_in_target: float | None = None
    about_n: int = 0
    about_within: float | None = None
    about_median_error: float | None = None

    def as_dict(self) -> dict:
        return {key: round(value, 3) if isinstance(value, float) else value for key, value in asdict(self).items()}


def quantile(values: list[float], p: float) -> float | None:
    """Return the nearest-rank p-quantile (p90 of 10 values is the 9th smallest), None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(p * len(ordered)) - 1, 0)]


def _minutes(delta: timedelta) -> float:
    return delta / timedelta(minutes=1)


def _holds(window: tuple[datetime, datetime], arrival: datetime) -> bool:
    return window[0] <= arrival <= window[1]


def _share(hits: int, n: int) -> float | None:
    return hits / n if n else None


def _width(window: tuple[datetime, datetime]) -> float:
    return _minutes(window[1] - window[0])


def score(stops: Iterable[StopDay]) -> Scorecard:
    """Compute the scorecard of a day."""
    card = Scorecard()
    held = morning_held = soon_far_hits = about_hits = 0
    morning_widths, last_widths, soon_leads, about_errors = [], [], [], []
    for stop in stops:
        card.stops += 1
        if stop.arrival is None:
            continue  # never delivered: nothing to judge a promise against
        card.delivered += 1
        arrival = stop.arrival
        before = [text for text in sorted(stop.texts, key=lambda t: t.at) if text.at <= arrival]
        windowed = [text for text in before if text.window is not None]
        if windowed:
            card.last_window_n += 1
            held += _holds(windowed[-1].window, arrival)
            morning_held += _holds(windowed[0].window, arrival)
            morning_widths.append(_width(windowed[0].window))
            last_widths.append(_width(windowed[-1].window))
        card.delay_texts += sum(text.kind == DELAY_KIND for text in before)
        card.false_delay_texts += _false_delays(before, arrival)
        broken, warned = _lateness(windowed, arrival, [text for text in before if text.kind == SOON_KIND])
        card.late_stops += broken
        card.late_warned += broken and warned
        soon = next((text for text in before if text.kind == SOON_KIND), None)
        if soon is None:
            continue
        lead = _minutes(arrival - soon.at)
        soon_leads.append(lead)
        if stop.first_push is not None and _minutes(arrival - stop.first_push) > FAR_AT_FIRST_PUSH:
            card.soon_far_n += 1
            soon_far_hits += SOON_TARGET[0] <= lead <= SOON_TARGET[1]
        if soon.minutes is not None:
            about_errors.append(soon.minutes - lead)
            about_hits += abs(soon.minutes - lead) <= ABOUT_TOLERANCE
    card.last_window_held = _share(held, card.last_window_n)
    card.morning_window_held = _share(morning_held, card.last_window_n)
    if morning_widths:
        card.morning_width_median, card.morning_width_p90 = median(morning_widths), quantile(morning_widths, 0.9)
        card.last_width_median, card.last_width_p90 = median(last_widths), quantile(last_widths, 0.9)
    card.false_delays_per_100 = 100 * card.false_delay_texts / card.delivered if card.delivered else None
    card.soon_n = len(soon_leads)
    if soon_leads:
        card.soon_median, card.soon_p95, card.soon_min = median(soon_leads), quantile(soon_leads, 0.95), min(soon_leads)
    card.soon_in_target = _share(soon_far_hits, card.soon_far_n)
    card.about_n = len(about_errors)
    card.about_within = _share(about_hits, card.about_n)
    card.about_median_error = median(about_errors) if about_errors else None
    return card


def _false_delays(texts: list[TextSeen], arrival: datetime) -> int:
    """Count delay texts sent while the window then told still held the arrival."""
    count, told = 0, None
    for text in texts:
        if text.kind == DELAY_KIND and told is not None and _holds(told, arrival):
            count += 1
        if text.window is not None:
            told = text.window
    return count


def _lateness(windowed: list[TextSeen], arrival: datetime, soon: list[TextSeen] = ()) -> tuple[bool, bool]:
    """Tell whether the arrival broke a told window, and whether every broken one was replaced in time.

    A window is replaced in time when a newer window reached the recipient before the old one ended,
    or an arriving-soon text did whose "about N minutes" already said a time past that end.
    """
    broken, warned = False, True
    for text, newer in zip(windowed, [*windowed[1:], None][:len(windowed)], strict=True):
        end = text.window[1]
        if arrival > end:
            broken = True
            said_later = any(s.at > text.at and s.at <= end and s.minutes is not None
                             and s.at + timedelta(minutes=s.minutes) > end for s in soon)
            warned = warned and ((newer is not None and newer.at <= end) or said_later)
    return broken, warned
