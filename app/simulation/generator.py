"""Generate a realistic noisy delivery day for one van, as the carrier would send it to Bijna.

The day is simulated mechanically, so its noise has the shape real ETAs have:
- The driver's pace differs from the plan by a few per cent a day, each leg varies (±30 %), a few stops
  take 3–10 minutes longer (parking, a chat), and one (sometimes two) traffic jams stop the van a while.
- The planner knows where the van is (the last delivered scan) and assumes planned speed for the rest,
  so its error grows with the time left; on top comes a wandering traffic-model bias, jitter per stop
  and rare wild guesses (the heavy tail). Roughly: spread ≈ 12 % of the time left plus a minute.
- During a jam the planner assumes the van moves again right now: ETAs slide, then the tail is late.
- Two stops are swapped by the planner mid-morning; ~5 % of pushes arrive twice, ~5 % arrive late
  (after newer ones); delivered scans reach us up to 90 s late, a few several minutes late.
- The shop promised one window for the whole route; the last ~5 % of stops run past it.

Two families of ETA noise (`eta_noise`), because carriers differ and the model must learn either:
- "planner" (the default, above): each push is the plan from the van's last scan, so an ETA drifts toward
  the truth as the legs are driven, and jams and long stops surprise it. The latest ETA is the best one.
- "scatter" (the noise the issue describes): each push scatters around the true arrival on its own, by
  12 % of the time left plus a minute (normal), as a planner with a good traffic model but a jittery
  GPS feed does: it foresees jams, but no single push is to be trusted, and averaging pushes helps.

Pure: no Flask, no database. `generate_day` returns the requests in arrival order and the truth.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from app.simulation.day import EVENTS_PATH, SHIPMENTS_PATH, Day, Request, StopTruth, route_etas_path

DEFAULT_DAY = date(2026, 11, 24)
MINUTES_PER_STOP = 2.2  # a city route: 120 stops in about 4.4 hours
LEG_SPREAD = 0.35  # planned legs vary this much (lognormal sigma) around the mean
DAY_PACE, DAY_PACE_SPREAD = 1.0, 0.07  # some days the driver is faster than planned, some slower
LEG_NOISE = 0.30  # actual leg / planned leg (lognormal sigma)
LONG_STOP_SHARE, LONG_STOP_MINUTES = 0.025, (3.0, 10.0)
JAM_SHARE_OF_ROUTE = (0.04, 0.08)  # a jam stops the van for this share of the planned route
MIN_JAM_MINUTES = 8.0
LATE_STOP_SHARE = 0.05  # the shop's promise is such that this share of stops runs past it (at least 2)
BIAS_SPREAD, BIAS_MEMORY = 0.06, 0.9  # the planner's traffic bias (share of the time left), AR(1) per push
JITTER_MINUTES, JITTER_SHARE = 0.5, 0.02  # per stop and push: this, plus this share of the time left
WILD_SHARE = 0.002  # a wild guess: off by -30 %..+50 % of the time left
SCATTER_SHARE, SCATTER_MINUTES = 0.12, 1.0  # "scatter" noise: sd of a push's error, share of time left + this
ETA_NOISE = ("planner", "scatter")
PUSH_EVERY = (30.0, 60.0)  # seconds between route pushes
DUPLICATE_SHARE, LATE_SHARE = 0.05, 0.05
SCAN_DELAY, LATE_SCAN_SHARE, LATE_SCAN_MINUTES = (5.0, 90.0), 0.03, (3.0, 12.0)


def _local(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, minute), zone).astimezone(UTC)


def _iso(moment: datetime, zone: ZoneInfo) -> str:
    """Write a moment as carriers do: whole seconds, local offset."""
    return moment.replace(microsecond=0).astimezone(zone).isoformat()


def _lognormal(rng: random.Random, mean: float, sigma: float) -> float:
    return mean * rng.lognormvariate(-sigma * sigma / 2, sigma)


@dataclass(frozen=True)
class Drive:
    """How the van really drove the route: the plan, the day's pace, the jams, and each position's arrival.

    Everything is in minutes after departure and by position in the order driven (not stop index).
    """

    planned: list[float]  # planned minutes of each leg
    arrivals: list[float]  # true arrival at each position
    jams: list[tuple[float, float]]  # (start, minutes stopped)
    pace: float  # the day's pace against the plan (1.07: 7 % slower)
    allowance: float  # the share of a planned leg that is driving (the rest is the average long stop)


def drive(rng: random.Random, stops: int, route: float) -> Drive:
    """Plan the legs and drive them: the day's truth, before the planner or the carrier says a word."""
    planned = [_lognormal(rng, route / stops, LEG_SPREAD) for _ in range(stops)]
    pace = _lognormal(rng, DAY_PACE, DAY_PACE_SPREAD)
    jams = sorted((rng.uniform(0.25, 0.85) * route, max(MIN_JAM_MINUTES, rng.uniform(*JAM_SHARE_OF_ROUTE) * route))
                  for _ in range(2 if len(planned) >= 60 and rng.random() < 0.3 else 1))
    # The plan allows for the average long stop; the driver spends it on a few stops instead.
    allowance = 1 - LONG_STOP_SHARE * sum(LONG_STOP_MINUTES) / 2 / (route / len(planned))
    arrivals, cursor = [], 0.0
    for leg in planned:
        cursor = drive_leg(rng, cursor, leg * allowance * pace, jams)
        arrivals.append(cursor)
    return Drive(planned, arrivals, jams, pace, allowance)


def drive_leg(rng: random.Random, cursor: float, leg: float, jams: list[tuple[float, float]]) -> float:
    """Drive one leg (its planned minutes already scaled by pace) from cursor; return the arrival."""
    after = cursor + leg * _lognormal(rng, 1.0, LEG_NOISE)
    if rng.random() < LONG_STOP_SHARE:
        after += rng.uniform(*LONG_STOP_MINUTES)
    for start, minutes in jams:
        if cursor < start <= after:  # the jam catches the van on this leg
            after += minutes
    return after


class _Planner:
    """The carrier's route planner: planned speed from the van's last scan, plus its own noise."""

    def __init__(self, rng: random.Random, planned: list[float], arrivals: list[float], noise: str = "planner"):
        self.rng, self.arrivals, self.bias, self.noise = rng, arrivals, 0.0, noise
        self.prefix = [0.0, *accumulate(planned)]  # prefix[k + 1] = planned minutes to position k

    def etas(self, t: float) -> dict[int, float]:
        """Return the ETA (minutes after departure) of every position not yet reached at t."""
        rng = self.rng
        done = bisect_right(self.arrivals, t)  # arrivals grow with position: the van's progress
        if self.noise == "scatter":
            return {k: max(self.arrivals[k] + rng.gauss(0, SCATTER_SHARE * (self.arrivals[k] - t) + SCATTER_MINUTES), t)
                    for k in range(done, len(self.arrivals))}
        last = self.arrivals[done - 1] if done else 0.0
        # Overdue for the next stop (a jam, a long stop): the planner says "any minute now".
        next_eta = max(last + self.prefix[done + 1] - self.prefix[done], t + 0.5)
        self.bias = BIAS_MEMORY * self.bias + rng.gauss(0, BIAS_SPREAD * math.sqrt(1 - BIAS_MEMORY ** 2))
        etas = {}
        for k in range(done, len(self.arrivals)):
            eta = next_eta + self.prefix[k + 1] - self.prefix[done + 1]
            ahead = eta - t
            eta -= self.bias * ahead - rng.gauss(0, JITTER_MINUTES + JITTER_SHARE * ahead)
            if rng.random() < WILD_SHARE:
                eta += rng.uniform(-0.3, 0.5) * ahead
            etas[k] = max(eta, t)
        return etas


def generate_day(seed: int, stops: int = 120, carrier: str = "simcarrier", day: date = DEFAULT_DAY,
                 tz: str = "Europe/Amsterdam", route_minutes: float | None = None, eta_noise: str = "planner") -> Day:
    """Return one noisy delivery day (shipments, scans, route ETA pushes) and its truth; same seed, same day."""
    if eta_noise not in ETA_NOISE:
        raise ValueError(f"eta_noise must be one of {ETA_NOISE}, got {eta_noise!r}")
    rng, zone = random.Random(seed), ZoneInfo(tz)
    route = route_minutes or stops * MINUTES_PER_STOP
    depart = _local(day, 9, 0, zone)
    driven = drive(rng, stops, route)
    planned, arrivals, jams = driven.planned, driven.arrivals, driven.jams
    # The planner swaps two stops a third into the day; the driver drives the new order.
    swap_pos = rng.randint(int(stops * 0.4), int(stops * 0.7) - 1)
    swap_at = arrivals[int(stops * 0.3)]
    numbers = [f"3S{seed % 10**6:06d}{i:04d}" for i in range(stops)]
    phones = [f"+316{20_000_000 + (seed % 1000) * 1000 + i}" for i in range(stops)]
    actual_order = list(range(stops))  # actual_order[position] = stop index
    actual_order[swap_pos], actual_order[swap_pos + 1] = swap_pos + 1, swap_pos
    late = max(2, round(LATE_STOP_SHARE * stops))
    window_end = (depart + timedelta(minutes=arrivals[stops - late - 1])).replace(microsecond=0)
    when = {}  # stop index -> true arrival
    for position, stop in enumerate(actual_order):
        when[stop] = (depart + timedelta(minutes=arrivals[position])).replace(microsecond=0)
    truth = {numbers[i]: StopTruth(numbers[i], phones[i], when[i], depart, window_end) for i in range(stops)}
    requests = [Request(_local(day, 7, 0, zone) + timedelta(seconds=i), SHIPMENTS_PATH, {
        "order_ref": f"SIM-{seed}-{i}", "carrier": carrier, "tracking_number": numbers[i], "notify": True,
        "recipient": {"phone": phones[i], "name": f"Klant {i}"},
        "window": {"start": _iso(depart, zone), "end": _iso(window_end, zone)}}) for i in range(stops)]
    requests += _scans(rng, numbers, when, _local(day, 8, 45, zone), zone)
    pushes, extra = _pushes(rng, _Planner(rng, planned, arrivals, eta_noise), numbers, actual_order, swap_pos, swap_at,
                            depart, route_etas_path(f"R-{day.isoformat()}-{seed}"), zone)
    requests += pushes
    requests.sort(key=lambda r: r.at)
    notes = {"jams": [(_iso(depart + timedelta(minutes=s), zone), round(m, 1)) for s, m in jams],
             "swapped": [numbers[swap_pos], numbers[swap_pos + 1]],
             "swap_at": _iso(depart + timedelta(minutes=swap_at), zone),
             "late_stops": sum(1 for t in truth.values() if t.late), **extra}
    return Day(requests, truth, notes)


def _scans(rng: random.Random, numbers: list[str], when: dict[int, datetime], loaded: datetime,
           zone: ZoneInfo) -> list[Request]:
    """The out-for-delivery scans (three batches while the van is loaded) and a delivered scan per stop."""
    requests = []
    for batch in range(3):
        at = loaded + timedelta(minutes=batch, seconds=rng.uniform(0, 50))
        events = [{"tracking_number": n, "code": "OUT_FOR_DELIVERY", "occurred_at": _iso(at, zone)}
                  for n in numbers[batch::3]]
        requests.append(Request(at + timedelta(seconds=2), EVENTS_PATH, {"events": events}))
    for i, number in enumerate(numbers):
        delay = rng.uniform(*SCAN_DELAY)
        if rng.random() < LATE_SCAN_SHARE:
            delay += 60 * rng.uniform(*LATE_SCAN_MINUTES)
        event = {"tracking_number": number, "code": "DELIVERED", "occurred_at": _iso(when[i], zone)}
        requests.append(Request(when[i] + timedelta(seconds=delay), EVENTS_PATH, {"events": [event]}))
    return requests


def _pushes(rng: random.Random, planner: _Planner, numbers: list[str], actual_order: list[int], swap_pos: int,
            swap_at: float, depart: datetime, path: str, zone: ZoneInfo) -> tuple[list[Request], dict]:
    """Route ETA pushes every 30–60 s until the last stop, some repeated and some delivered late."""
    requests, held, counts = [], [], {"pushes": 0, "duplicates": 0, "late_batches": 0}
    t = rng.uniform(0, 60) / 60
    while t < planner.arrivals[-1]:
        # Before the swap the planner still has the original order: positions swap_pos and +1 reversed.
        order = actual_order if t >= swap_at else sorted(actual_order)
        observed = depart + timedelta(minutes=t)
        stops = [{"tracking_number": numbers[order[k]], "stop_sequence": k + 1,
                  "eta": _iso(depart + timedelta(minutes=eta), zone)} for k, eta in planner.etas(t).items()]
        body = {"observed_at": _iso(observed, zone), "stops": stops}
        at = observed + timedelta(seconds=rng.uniform(0.2, 3))
        counts["pushes"] += 1
        for late_body, due in list(held):
            if due <= counts["pushes"]:  # overtaken by newer pushes, it arrives now
                requests.append(Request(at + timedelta(seconds=1), path, late_body))
                held.remove((late_body, due))
        roll = rng.random()
        if roll < LATE_SHARE:
            held.append((body, counts["pushes"] + rng.randint(1, 4)))
            counts["late_batches"] += 1
        else:
            requests.append(Request(at, path, body))
            if roll > 1 - DUPLICATE_SHARE:
                requests.append(Request(at + timedelta(seconds=rng.uniform(1, 8)), path, body))
                counts["duplicates"] += 1
        t += rng.uniform(*PUSH_EVERY) / 60
    requests += [Request(depart + timedelta(minutes=t, seconds=1), path, body) for body, _ in held]
    return requests, counts
