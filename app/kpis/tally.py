"""Additive tallies of parcel facts, and the figures read from them. Pure.

A tally is counters plus sparse histograms of whole units (minutes, seconds), so the tallies of
days, regions or carriers add up exactly, and medians and p90s read from the sum are the same as
if computed from the parcels themselves (at whole-unit resolution).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

from app.eta import LEAD_BINS
from app.kpis.facts import ParcelFacts

FIRST_SCAN_CAP = 14 * 24 * 60  # minutes; a parcel scanned after two weeks counts as two weeks
ETA_ERROR_CAP = 24 * 60  # minutes
ANSWER_CAP = 7 * 24 * 3600  # seconds
FIRST_SCAN_TARGET_MINUTES = 120


class Tally:
    """Counters and histograms of a set of parcels (one day, region and carrier, or any sum of those)."""

    def __init__(self, counts: dict | None = None, histograms: dict | None = None) -> None:
        self.counts: Counter = Counter(counts or {})
        self.histograms: dict[str, Counter] = {name: Counter({int(k): v for k, v in hist.items()})
                                               for name, hist in (histograms or {}).items()}

    def count(self, name: str, amount: int = 1) -> None:
        if amount:
            self.counts[name] += amount

    def observe(self, name: str, value: float, cap: int) -> None:
        self.histograms.setdefault(name, Counter())[min(round(value), cap)] += 1

    def add(self, facts: ParcelFacts) -> None:
        """Count one parcel's facts in."""
        if not facts.counted:
            return
        count = self.count
        count("parcels")
        count("open", not facts.finished)
        if facts.first_scan_minutes is None:
            count("no_scan")
        else:
            count("scanned")
            count("first_scan_in_target", facts.first_scan_minutes < FIRST_SCAN_TARGET_MINUTES)
            self.observe("first_scan_minutes", facts.first_scan_minutes, FIRST_SCAN_CAP)
        _judged(count, "scans_complete", facts.scans_complete)
        count("exceptions", facts.exception)
        count("delivered", facts.delivered)
        _judged(count, "on_time", facts.on_time)
        _judged(count, "window_held", facts.window_held)
        _judged(count, "first_attempt_ok", facts.first_attempt_ok)
        if facts.avoided:
            count("avoided")
            count(f"avoided_{facts.avoided}")
        count("texts_sent", facts.texts_sent)
        count("segments_sent", facts.segments_sent)
        count("texted", facts.texts_sent > 0)
        count("replied", facts.texts_sent > 0 and facts.replies > 0)
        count("replies", facts.replies)
        count("replies_understood", facts.replies_understood)
        count("rebookings_accepted", facts.rebookings_accepted)
        count("rebookings_refused", facts.rebookings_refused)
        for seconds in facts.answer_seconds:
            self.observe("answer_seconds", seconds, ANSWER_CAP)
        for bin_index, minutes in facts.eta_errors:
            self.observe(f"eta_error_{LEAD_BINS[bin_index]}", minutes, ETA_ERROR_CAP)
        count("opt_outs", facts.opted_out)
        if facts.rating is not None:
            count("ratings")
            count("rating_sum", facts.rating)

    def merge(self, other: Tally) -> Tally:
        """Add another tally into this one; return self."""
        self.counts.update(other.counts)
        for name, hist in other.histograms.items():
            self.histograms.setdefault(name, Counter()).update(hist)
        return self

    def merge_all(self, others: Iterable[Tally]) -> Tally:
        """Add several tallies into this one; return self."""
        for other in others:
            self.merge(other)
        return self

    def as_json(self) -> tuple[dict, dict]:
        """Return (counts, histograms) as JSON-able dicts (histogram keys become strings)."""
        return dict(self.counts), {name: {str(k): v for k, v in sorted(hist.items())}
                                   for name, hist in self.histograms.items()}


def _judged(count, name: str, verdict: bool | None) -> None:
    if verdict is not None:
        count(f"{name}_judged")
        count(name, verdict)


def tally_of(facts: Iterable[ParcelFacts]) -> Tally:
    """Return the tally of some parcels."""
    tally = Tally()
    for one in facts:
        tally.add(one)
    return tally


def quantile(histogram: Counter | None, q: float) -> int | None:
    """Nearest-rank quantile: the smallest value with at least q of the observations at or below it."""
    if not histogram:
        return None
    total = sum(histogram.values())
    rank = max(1, math.ceil(round(q * total, 9)))  # at least the first observation
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None
