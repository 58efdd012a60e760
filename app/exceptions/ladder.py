"""Which ladder steps a silent parcel is due now: plain values in, plain values out (no Flask, no SQL).

A silence starts at the parcel's last carrier event and ends with the next one. Per silence each
step fires at most once: a ticket for the shop after 48 h, an apology with a new estimate to the
recipient after 72 h, and after 5 days (or once the parcel is late beyond the shop's limit) the
shop's compensation code, which a parcel gets at most once whatever the number of silences.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.notify.statuses import TERMINAL

TICKET, APOLOGY, COMPENSATION = "ticket", "apology", "compensation"
STEPS = (TICKET, APOLOGY, COMPENSATION)
VIP_CALL_WITHIN = timedelta(hours=24)  # "call the recipient personally" before this


@dataclass(frozen=True)
class LadderRules:
    """One shop's thresholds and switches (the defaults are the product's)."""

    ticket_after_hours: int = 48
    apology_after_hours: int = 72
    compensation_after_hours: int = 120
    compensation_delay_hours: int | None = None  # late beyond the promised window by more than this
    ticket_on: bool = True
    apology_on: bool = True
    compensation_on: bool = True
    pool_low_level: int = 10

    def threshold(self, step: str) -> timedelta | None:
        """Return how long a silence lasts before `step` is due; None when the shop switched it off."""
        on, hours = {TICKET: (self.ticket_on, self.ticket_after_hours),
                     APOLOGY: (self.apology_on, self.apology_after_hours),
                     COMPENSATION: (self.compensation_on, self.compensation_after_hours)}[step]
        return timedelta(hours=hours) if on else None


@dataclass(frozen=True)
class Silence:
    """What the ladder knows of one parcel's current silence."""

    started_at: datetime  # the last carrier event
    status: str
    vip: bool = False
    promised_end: datetime | None = None  # the end of the window the shop promised
    done: frozenset[str] = frozenset()  # steps already taken for this silence
    compensated: bool = False  # the parcel already got a code (in any silence)


@dataclass(frozen=True)
class Step:
    """One step due now; a VIP's ticket is urgent and due for a personal call by `call_before`."""

    name: str
    urgent: bool = False
    call_before: datetime | None = None


def due_steps(silence: Silence, rules: LadderRules, now: datetime) -> list[Step]:
    """Return the steps due now for this silence, in ladder order (none for a finished parcel)."""
    if silence.status in TERMINAL or now < silence.started_at:
        return []
    quiet_for = now - silence.started_at
    steps = []
    for name in STEPS:
        threshold = rules.threshold(name)
        if name in silence.done or threshold is None:
            continue
        if name == COMPENSATION:
            if not silence.compensated and (quiet_for >= threshold or _late_beyond_limit(silence, rules, now)):
                steps.append(Step(name))
        elif quiet_for >= threshold:
            vip = name == TICKET and silence.vip
            steps.append(Step(name, urgent=vip, call_before=now + VIP_CALL_WITHIN if vip else None))
    return steps


def _late_beyond_limit(silence: Silence, rules: LadderRules, now: datetime) -> bool:
    if rules.compensation_delay_hours is None or silence.promised_end is None:
        return False
    return now - silence.promised_end >= timedelta(hours=rules.compensation_delay_hours)


def first_due_at(rules: LadderRules) -> timedelta | None:
    """Return the shortest silence any switched-on step waits for (None when the ladder is off)."""
    thresholds = [t for t in (rules.threshold(step) for step in STEPS) if t is not None]
    return min(thresholds) if thresholds else None


# --- a realistic new estimate for the apology -------------------------------------------------

MIN_HISTORY = 5  # fewer similar parcels than this and history says nothing we would promise


@dataclass(frozen=True)
class Estimate:
    """Days still to go, said as a day or a range ("1 to 2 days"), never to the hour."""

    low_days: int
    high_days: int


def remaining_estimate(durations: list[timedelta], quiet_for: timedelta) -> Estimate | None:
    """Estimate the time left from how long this carrier's parcels took from this status to delivered.

    Only parcels that stayed at least as long as this one count (a parcel quiet for three days is
    not a typical parcel); the middle half of their remaining times, rounded out to whole days.
    """
    remaining = sorted((d - quiet_for).total_seconds() / 3600 for d in durations if d >= quiet_for)
    if len(remaining) < MIN_HISTORY:
        return None
    quartiles = statistics.quantiles(remaining, n=4, method="inclusive")
    low = max(1, math.floor(quartiles[0] / 24) or 1)
    high = max(low, math.ceil(quartiles[2] / 24))
    return Estimate(low, high)
