"""Daily tallies grouped into periods, regions and carriers; the CSV export; the weekly summary. Pure."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from app.kpis.definitions import BY_KEY, ETA_BINS, figures, verdict
from app.kpis.periods import period_label, period_start
from app.kpis.tally import Tally

ALL = "all"
MIN_PARCELS_FOR_WORST = 20  # a region with three parcels is noise, not a worst region


@dataclass(frozen=True)
class DayRow:
    """The stored tally of one carrier, region and local day."""

    carrier: str
    region: str
    day: date
    tally: Tally


def group(rows: Iterable[DayRow], period: str, *, by_region: bool = False, by_carrier: bool = True) -> list[dict]:
    """Sum daily rows into (carrier, period[, region]) groups; return them sorted, with their figures."""
    groups: dict[tuple, Tally] = {}
    for row in rows:
        key = (row.carrier if by_carrier else ALL, period_start(row.day, period), row.region if by_region else ALL)
        groups.setdefault(key, Tally()).merge(row.tally)
    return [{"carrier": carrier, "period": period_label(start, period), "period_start": start.isoformat(),
             "region": region, "figures": figures(tally)}
            for (carrier, start, region), tally in sorted(groups.items())]


CSV_COLUMNS = ("parcels", "open", "no_scan", "delivered", "first_scan_median_h", "first_scan_p90_h",
               "first_scan_in_target", "scan_compliance", "scan_compliance_n", "exceptions", "exceptions_per_1000",
               "on_time_rate", "on_time_n", "window_hit_rate", "window_hit_n", "first_attempt_rate",
               "first_attempt_n", "failed_attempts_avoided", "reply_rate", "replies", "replies_understood",
               "rebookings_accepted", "rebookings_refused", "carrier_answer_median_s", "carrier_answer_p90_s",
               "texts_sent", "segments_sent", "opt_outs", "feedback_score", "ratings")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def to_csv(groups: list[dict], carrier_codes: dict[str, str]) -> str:
    """Render grouped figures as CSV: one line per group, ETA error per lead bin as extra columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    eta_columns = [f"eta_error_{edge}m_{q}" for edge in ETA_BINS for q in ("median_min", "p90_min")]
    writer.writerow(["carrier", "period", "period_start", "region", *CSV_COLUMNS, *eta_columns])
    for item in groups:
        numbers = item["figures"]
        eta = numbers["eta_error_by_lead"]
        writer.writerow([carrier_codes.get(item["carrier"], item["carrier"]), item["period"], item["period_start"],
                         item["region"], *(_cell(numbers[name]) for name in CSV_COLUMNS),
                         *(_cell(eta.get(str(edge), {}).get(q)) for edge in ETA_BINS
                           for q in ("median_min", "p90_min"))])
    return out.getvalue()


def judged(numbers: dict) -> list[dict]:
    """Return each KPI of a figure set with its target and verdict, in the order of the definitions."""
    return [{"key": key, "label": kpi.label, "unit": kpi.unit, "value": numbers.get(key), "target": kpi.target,
             "better": kpi.better, "verdict": verdict(key, numbers.get(key)), "drill": kpi.drill}
            for key, kpi in BY_KEY.items()]


def worst_regions(rows: list[DayRow], count: int = 3) -> list[dict]:
    """Return the regions with the most broken promises: lowest on-time rate, then most exceptions.

    Regions with fewer than MIN_PARCELS_FOR_WORST parcels are left out: a few parcels are noise.
    """
    merged: dict[str, Tally] = {}
    for row in rows:
        merged.setdefault(row.region, Tally()).merge(row.tally)
    ranked = []
    for region, tally in merged.items():
        numbers = figures(tally)
        if numbers["parcels"] < MIN_PARCELS_FOR_WORST:
            continue
        on_time = numbers["on_time_rate"]
        ranked.append((1.0 if on_time is None else on_time, -(numbers["exceptions_per_1000"] or 0), region, numbers))
    ranked.sort(key=lambda item: item[:3])
    return [{"region": region, "figures": numbers} for *_, region, numbers in ranked[:count]]
