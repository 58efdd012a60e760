"""How wrong a carrier's ETAs are, by lead time: a calibration learnt from delivered stops. Pure.

The method (explainable on purpose: quantile bins over residuals, split-conformal in spirit):

- A *residual* is `actual arrival - ETA` in minutes, taken at a *lead time* `ETA - observed_at`.
  Errors grow with the time left, so each residual is first divided by the prior spread
  `spread(lead) = 0.15 * lead + 3 min`: a *score* that is about as wide at 10 minutes as at
  4 hours. Scores are pooled per lead-time bin (LEAD_BINS: 0-5, 5-10, 10-20, 20-40, 40-80,
  80-160, 160-320, 320+ minutes), so each bin can still learn its own shape.
- Per bin the predictive distribution of the score is the Dirichlet-process posterior
  `F = (k * F_prior + w * F_data) / (k + w)`: the empirical distribution of the bin's
  scores, shrunk toward a conservative prior with PRIOR_STRENGTH = k pseudo-observations.
  Stops of one day share its errors (the driver's pace, a jam, the planner's traffic bias),
  so the data weigh as their *days*, not their count: w = min(n, PER_DAY * days). With no
  data it is the prior; two days of a hundred stops cannot overfit; after a month it is the data.
- F is stored as its quantiles at PROBS (0.5 % steps). A window of coverage c is the
  shortest interval [q(p), q(p + c)] over that grid (split-conformal: held-out residuals fall
  in it with probability >= c); p_late and the median read the same quantiles.

The prior is deliberately wide and leans late (drivers run late more than early):
95 % of arrivals between ETA - 1.9 spread and ETA + 2.5 spread, median on the ETA. At 2 h out
that is 09:20-11:35 for an ETA of 10:00; with a carrier's own data it narrows to what the
carrier earns.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

LEAD_BINS = (0, 5, 10, 20, 40, 80, 160, 320)  # lower edges, minutes; the last bin is open-ended
PROBS = tuple(round(0.005 * i, 3) for i in range(1, 200))  # 0.005 .. 0.995
PRIOR_STRENGTH = 40  # pseudo-observations: weight of the prior against a bin's own data
PER_DAY = 8  # what one day's residuals in a bin are worth, in independent observations
SPREAD_SHARE, SPREAD_MINUTES = 0.15, 3.0
# Beyond 8 hours (a route planned the evening before) the error is about the day's plan, not the
# hours in between: the spread stops growing there.
MAX_SPREAD_LEAD = 480.0
# Where a bin's residuals sit when it has none of its own: at its upper edge (the first ETA heard in it).
UPPER_EDGES = (*(float(edge) for edge in LEAD_BINS[1:]), 480.0)
VERSION = 1

# The prior's score distribution, as (cumulative probability, score) points, linear between.
_PRIOR_POINTS = (
    (0.0, -5.0), (0.005, -2.6), (0.025, -1.9), (0.1, -1.1), (0.25, -0.5), (0.5, 0.0),
    (0.75, 0.6), (0.9, 1.3), (0.975, 2.5), (0.995, 3.6), (1.0, 6.0),
)


def spread(lead_minutes: float) -> float:
    """Return the unit in which errors at this lead are measured (minutes)."""
    return SPREAD_SHARE * min(max(lead_minutes, 0.0), MAX_SPREAD_LEAD) + SPREAD_MINUTES


def lead_bin(lead_minutes: float) -> int:
    """Return the index of the lead-time bin (a negative lead, an ETA in the past, is bin 0)."""
    return max(bisect_right(LEAD_BINS, lead_minutes) - 1, 0)


def _interpolate(x: float, xs: tuple[float, ...], ys: tuple[float, ...]) -> float:
    """Piecewise-linear y(x) through sorted xs, clamped at both ends."""
    if x <= xs[0]:
        return ys[0]
    if x >= xs[-1]:
        return ys[-1]
    i = bisect_right(xs, x)
    x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
    return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)


_PRIOR_P = tuple(p for p, _ in _PRIOR_POINTS)
_PRIOR_SCORE = tuple(s for _, s in _PRIOR_POINTS)


def prior_cdf(score: float) -> float:
    """Return the prior probability that the score is at most `score`."""
    return _interpolate(score, _PRIOR_SCORE, _PRIOR_P)


def _bin_quantiles(scores: list[float], strength: float, weight: float | None = None,
                   prior: tuple[tuple[float, ...], tuple[float, ...]] = (_PRIOR_P, _PRIOR_SCORE)) -> tuple[float, ...]:
    """Return the posterior score quantiles at PROBS for one bin's sorted scores (weighing `weight`).

    `prior` is the bin's prior distribution as (cumulative probabilities, scores), linear between.
    """
    n = len(scores)
    weight = n if weight is None else min(weight, n)
    prior_p, prior_score = prior
    if n == 0:
        return tuple(round(_interpolate(p, prior_p, prior_score), 4) for p in PROBS)
    low = min(prior_score[0], scores[0]) - 1.0
    high = max(prior_score[-1], scores[-1]) + 1.0

    def cdf(x: float) -> float:
        return (strength * _interpolate(x, prior_score, prior_p) + weight * bisect_right(scores, x) / n) / (
            strength + weight)

    quantiles = []
    for p in PROBS:  # the smallest x with F(x) >= p, by bisection (F is monotone)
        lo, hi = low, high
        for _ in range(48):
            mid = (lo + hi) / 2
            if cdf(mid) >= p:
                hi = mid
            else:
                lo = mid
        quantiles.append(round(hi, 4))
    return tuple(quantiles)


MEDIAN = PROBS.index(0.5)
ESTIMATORS = {True: "smoothed", False: "latest", None: "undecided"}
_VERDICTS = {name: verdict for verdict, name in ESTIMATORS.items()}
INTERVALS_KEPT = 2048  # per calibration, then it starts afresh: the leads a route's pushes ask, at 0.1 minute


@dataclass(frozen=True)
class Calibration:
    """Per lead-time bin, the score quantiles at PROBS and how many residuals they rest on.

    `warm` (optional) are the quantiles of scores corrected by the route's bias of the day
    (app/eta/route_day.py); `for_route` turns them, shifted by a route's offsets, into the
    calibration its texts read. `smoothed` says whose errors these are: the carrier's latest ETA
    (False) or the smoothed ETA (app/eta/smoothing.py), whichever erred less for this carrier; None
    (undecided, too few deliveries): the latest's, and each stop's roughness picks the ETA.
    """

    quantiles: tuple[tuple[float, ...], ...]
    counts: tuple[int, ...]
    warm: tuple[tuple[float, ...], ...] | None = None
    smoothed: bool | None = None
    # Per bin, the median lead its residuals were taken at (see `table`); a bin without any: its upper edge.
    leads: tuple[float, ...] = UPPER_EDGES
    # Intervals already computed, by (lead in tenths of a minute, coverage): a route push asks for the windows
    # of dozens of stops at nearby leads, and each costs a pass over an interpolated table.
    _intervals: dict = field(default_factory=dict, init=False, compare=False, repr=False)
    # Likewise the interpolated tables cdf reads, by lead in tenths of a minute (a window asks for two).
    _tables: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def centre(self) -> tuple[float, ...]:
        """Return the median score per bin: what an ordinary day's residuals are measured against."""
        return tuple(q[MEDIAN] for q in self.quantiles)

    def with_warm(self, warm: Calibration) -> Calibration:
        """Return this calibration carrying `warm`'s quantiles as its route-corrected ones."""
        return Calibration(self.quantiles, self.counts, warm.quantiles, self.smoothed, self.leads)

    def for_route(self, day) -> Calibration:
        """Return the calibration for a route whose day so far is `day` (a RouteDay, or None: not known)."""
        if day is None or not day.warm or self.warm is None:
            return self
        return Calibration(tuple(tuple(q + offset for q in table) for table, offset in zip(
            self.warm, day.offsets, strict=True)), self.counts, smoothed=self.smoothed, leads=self.leads)

    def to_json(self) -> dict:
        """Return a JSON-ready dict (stored per carrier)."""
        data = {"version": VERSION, "bins": list(LEAD_BINS), "probs_step": 0.005,
                "spread": [SPREAD_SHARE, SPREAD_MINUTES], "counts": list(self.counts),
                "quantiles": [list(q) for q in self.quantiles],
                "estimator": ESTIMATORS[self.smoothed], "leads": list(self.leads)}
        if self.warm is not None:
            data["warm"] = [list(q) for q in self.warm]
        return data

    @classmethod
    def from_json(cls, data: dict | None) -> Calibration:
        """Read a stored calibration; anything from another layout falls back to the prior."""
        if not data or data.get("version") != VERSION or data.get("bins") != list(LEAD_BINS):
            return PRIOR
        quantiles = tuple(tuple(float(v) for v in q) for q in data["quantiles"])
        if len(quantiles) != len(LEAD_BINS) or any(len(q) != len(PROBS) for q in quantiles):
            return PRIOR
        warm = tuple(tuple(float(v) for v in q) for q in data["warm"]) if data.get("warm") else None
        if warm is not None and (len(warm) != len(LEAD_BINS) or any(len(q) != len(PROBS) for q in warm)):
            warm = None
        leads = tuple(float(v) for v in data.get("leads") or UPPER_EDGES)
        if len(leads) != len(LEAD_BINS) or any(b >= a for a, b in zip(leads[1:], leads, strict=False)):
            leads = UPPER_EDGES
        return cls(quantiles, tuple(int(c) for c in data["counts"]), warm, _VERDICTS.get(data.get("estimator")), leads)

    def table(self, lead_minutes: float) -> tuple[float, ...]:
        """Return the score quantiles at this lead, read between the bins' own leads.

        A bin's residuals are those of the first ETA heard in it, so most were taken near its upper edge (a
        stop enters 10-20 from above, at 19.9 minutes): each bin stands for the median lead of its residuals,
        and a lead between two of those reads between their quantiles. Measured on generated days: read
        from its bin alone, "about N minutes" 13 minutes out took the errors of 20 minutes out.
        """
        below, above, share = self._between(lead_minutes)
        if share == 0.0:
            return below
        return tuple(x + share * (y - x) for x, y in zip(below, above, strict=True))

    def _between(self, lead_minutes: float) -> tuple[tuple[float, ...], tuple[float, ...], float]:
        """Return the two bins' tables a lead reads between, and how far it is toward the second."""
        leads = self.leads
        i = bisect_right(leads, lead_minutes)
        if i == 0:
            return self.quantiles[0], self.quantiles[0], 0.0
        if i == len(leads):
            return self.quantiles[-1], self.quantiles[-1], 0.0
        share = (lead_minutes - leads[i - 1]) / (leads[i] - leads[i - 1])
        return self.quantiles[i - 1], self.quantiles[i], share

    def quantile(self, lead_minutes: float, p: float) -> float:
        """Return the p-quantile of the error (minutes, + is late) at this lead."""
        below, above, share = self._between(lead_minutes)  # two numbers, not a whole table: the hot path asks
        low, high = _interpolate(p, PROBS, below), _interpolate(p, PROBS, above)
        return (low + share * (high - low)) * spread(lead_minutes)

    def cdf(self, lead_minutes: float, error_minutes: float) -> float:
        """Return the probability that the error at this lead is at most `error_minutes`."""
        return _table_cdf(self._table_near(lead_minutes), error_minutes / spread(lead_minutes))

    def _table_near(self, lead_minutes: float) -> tuple[float, ...]:
        """Return `table` at the lead rounded to a tenth of a minute, kept for the next ask."""
        key = round(lead_minutes * 10)
        return _kept(self._tables, key, lambda: self.table(key / 10))

    def likeliest(self, lead_minutes: float, within: float) -> float:
        """Return the error (minutes) whose ±`within` minutes hold the most probability at this lead.

        What "about N minutes" should say to be right within a few minutes as often as possible. Where errors
        are skewed (a long stop or a jam after the ETA makes it late by many minutes, never early by as many)
        that is nearer the bulk than the median, which the tail pulls late; where they are symmetric it is the
        median. Among intervals within one grid step (0.5 %) of the best, the one nearest the median wins.
        """
        table = self.table(lead_minutes)
        unit = spread(lead_minutes)
        width = 2 * within / unit
        held = [_table_cdf(table, low + width) - p for low, p in zip(table, PROBS, strict=True)]
        enough = max(held) - PROBS[0]  # within one grid step: a flat top is no reason to leave the median
        median = table[MEDIAN]
        best = min((i for i, mass in enumerate(held) if mass >= enough),
                   key=lambda i: abs(table[i] + width / 2 - median))
        return (table[best] + width / 2) * unit

    def interval(self, lead_minutes: float, coverage: float) -> tuple[float, float]:
        """Return the shortest (early, late) error interval in minutes holding `coverage` (lead to 0.1 minute)."""
        key = (round(lead_minutes * 10), coverage)
        return _kept(self._intervals, key, lambda: self._shortest(key[0] / 10, coverage))

    def _shortest(self, lead_minutes: float, coverage: float) -> tuple[float, float]:
        steps = round(coverage / 0.005 + 1e-9)
        if coverage > 0.99 or steps < 1:
            raise ValueError(f"coverage must lie in (0, 0.99], got {coverage}")
        table = self._table_near(lead_minutes)
        best = min(range(len(PROBS) - steps), key=lambda i: table[i + steps] - table[i])
        unit = spread(lead_minutes)
        return table[best] * unit, table[best + steps] * unit


def _kept(store: dict, key, compute):
    """Return store[key], computing and keeping it; the store starts afresh at INTERVALS_KEPT entries."""
    found = store.get(key)
    if found is None:
        if len(store) >= INTERVALS_KEPT:
            store.clear()
        found = store[key] = compute()
    return found


def _table_cdf(table: tuple[float, ...], score: float) -> float:
    """Return P(score' <= score) read off quantiles at PROBS, linear between them."""
    if score < table[0]:
        return PROBS[0] * 0.5  # beyond the stored tail: small, never certain
    if score >= table[-1]:
        return 1 - (1 - PROBS[-1]) * 0.5
    i = bisect_left(table, score)
    if table[i] == score:
        return PROBS[i]
    x0, x1 = table[i - 1], table[i]
    return PROBS[i - 1] + (PROBS[i] - PROBS[i - 1]) * (score - x0) / (x1 - x0)


def _as_prior(table: tuple[float, ...]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Turn stored quantiles into a prior distribution (tails a score unit beyond the last quantiles)."""
    return (0.0, *PROBS, 1.0), (table[0] - 1.0, *table, table[-1] + 1.0)


def fit(residuals: Iterable[tuple[float, float]], strength: float = PRIOR_STRENGTH,
        days: int | None = None, per_day: float = PER_DAY, prior: Calibration | None = None,
        smoothed: bool | None = None) -> Calibration:
    """Learn a calibration from (lead minutes, error minutes) pairs over `days` days, shrunk toward the prior.

    Without `days` every residual counts as independent (right for synthetic, unrelated errors).
    `prior` replaces the built-in prior (the warm model leans on the carrier's cold one where it lacks data).
    `smoothed`: the residuals are the smoothed ETA's (app/eta/smoothing.py), not the latest push's.
    """
    scores: list[list[float]] = [[] for _ in LEAD_BINS]
    leads: list[list[float]] = [[] for _ in LEAD_BINS]
    for lead, error in residuals:
        b = lead_bin(lead)
        scores[b].append(error / spread(lead))
        leads[b].append(lead)
    for bin_scores in scores:
        bin_scores.sort()
    weight = None if days is None else per_day * max(days, 1)
    priors = [_as_prior(table) for table in prior.quantiles] if prior else [(_PRIOR_P, _PRIOR_SCORE)] * len(LEAD_BINS)
    return Calibration(tuple(_bin_quantiles(s, strength, weight, p) for s, p in zip(scores, priors, strict=True)),
                       tuple(len(s) for s in scores), smoothed=smoothed, leads=_bin_leads(leads))


def _bin_leads(leads: list[list[float]]) -> tuple[float, ...]:
    """Return each bin's median lead (its upper edge when empty), kept strictly increasing."""
    out: list[float] = []
    for b, values in enumerate(leads):
        values.sort()
        low = LEAD_BINS[b] if b else 0.0
        here = values[len(values) // 2] if values else UPPER_EDGES[b]
        out.append(max(here, low, out[-1] + 0.01 if out else here))
    return tuple(out)


PRIOR = Calibration(tuple(_bin_quantiles([], PRIOR_STRENGTH) for _ in LEAD_BINS), tuple(0 for _ in LEAD_BINS))
