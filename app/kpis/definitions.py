"""The KPIs, their targets and how each is read from a tally. Pure; docs/kpis.md says the same in words.

`better` says which side of the target is good; a KPI without a target is shown, not judged.
Targets marked "guide" come from the carrier-performance guide the product grew from; the others
are Bijna's own (the promise of a 95 % window, see docs/eta-accuracy.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.eta import LEAD_BINS
from app.kpis.tally import Tally, quantile


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: str  # "h", "share", "per_1000", "min", "s", "count", "score"
    target: float | None = None
    better: str | None = None  # "lower" | "higher"
    source: str = "bijna"
    drill: str | None = None  # the parcel filter behind the figure (see store.DRILLS)


KPIS: tuple[Kpi, ...] = (
    Kpi("first_scan_median_h", "Registration to first scan (median)", "h", 2.0, "lower", "guide", "late_first_scan"),
    Kpi("first_scan_p90_h", "Registration to first scan (p90)", "h", None, None, "guide", "late_first_scan"),
    Kpi("first_scan_in_target", "First scan within 2 h", "share", None, None, "guide", "late_first_scan"),
    Kpi("scan_compliance", "Scan compliance", "share", 0.95, "higher", "guide", "incomplete_scans"),
    Kpi("exceptions_per_1000", "Exceptions per 1,000 parcels", "per_1000", 5.0, "lower", "guide", "exception"),
    Kpi("on_time_rate", "On time (promised window)", "share", 0.95, "higher", "bijna", "late"),
    Kpi("window_hit_rate", "Bijna's window held", "share", 0.95, "higher", "bijna", "window_missed"),
    Kpi("first_attempt_rate", "First-attempt success", "share", 0.95, "higher", "bijna", "failed_attempt"),
    Kpi("failed_attempts_avoided", "Failed attempts avoided by replies", "count", None, None, "bijna", "avoided"),
    Kpi("reply_rate", "Reply rate", "share", None, None, "bijna", "replied"),
    Kpi("replies_understood", "Replies understood", "share", 0.9, "higher", "bijna"),
    Kpi("rebookings_accepted", "Rebookings accepted", "count", None, None, "bijna", "rebooked"),
    Kpi("rebookings_refused", "Rebookings refused", "count", None, None, "bijna", "rebooked"),
    Kpi("carrier_answer_median_s", "Carrier's answer time (median)", "s", None, None, "bijna"),
    Kpi("carrier_answer_p90_s", "Carrier's answer time (p90)", "s", None, None, "bijna"),
    Kpi("texts_sent", "Texts sent", "count", None, None, "bijna"),
    Kpi("segments_sent", "Segments sent (cost)", "count", None, None, "bijna"),
    Kpi("opt_outs", "Opt-outs", "count", None, None, "bijna", "opted_out"),
    Kpi("feedback_score", "Feedback score (1-5)", "score", 4.0, "higher", "bijna"),
)
BY_KEY = {kpi.key: kpi for kpi in KPIS}
ETA_BINS = tuple(LEAD_BINS)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _hours(minutes: int | None) -> float | None:
    return None if minutes is None else minutes / 60


def figures(tally: Tally) -> dict:
    """Read every KPI (and the counts behind it) from a tally; a figure with nothing to judge is None."""
    c, h = tally.counts, tally.histograms
    eta = {}
    for edge in ETA_BINS:
        hist = h.get(f"eta_error_{edge}")
        if hist:
            eta[str(edge)] = {"n": sum(hist.values()), "median_min": quantile(hist, 0.5),
                              "p90_min": quantile(hist, 0.9)}
    return {
        "parcels": c["parcels"], "open": c["open"], "no_scan": c["no_scan"], "delivered": c["delivered"],
        "first_scan_median_h": _hours(quantile(h.get("first_scan_minutes"), 0.5)),
        "first_scan_p90_h": _hours(quantile(h.get("first_scan_minutes"), 0.9)),
        "first_scan_in_target": _share(c["first_scan_in_target"], c["scanned"]),
        "scan_compliance": _share(c["scans_complete"], c["scans_complete_judged"]),
        "scan_compliance_n": c["scans_complete_judged"],
        "exceptions": c["exceptions"],
        "exceptions_per_1000": _share(1000 * c["exceptions"], c["parcels"]),
        "on_time_rate": _share(c["on_time"], c["on_time_judged"]), "on_time_n": c["on_time_judged"],
        "window_hit_rate": _share(c["window_held"], c["window_held_judged"]),
        "window_hit_n": c["window_held_judged"],
        "first_attempt_rate": _share(c["first_attempt_ok"], c["first_attempt_ok_judged"]),
        "first_attempt_n": c["first_attempt_ok_judged"],
        "failed_attempts_avoided": c["avoided"],
        "avoided_by_action": {action: c[f"avoided_{action}"] for action in ("neighbour", "reschedule", "pickup_point")},
        "reply_rate": _share(c["replied"], c["texted"]), "texted": c["texted"],
        "replies": c["replies"], "replies_understood": _share(c["replies_understood"], c["replies"]),
        "rebookings_accepted": c["rebookings_accepted"], "rebookings_refused": c["rebookings_refused"],
        "carrier_answer_median_s": quantile(h.get("answer_seconds"), 0.5),
        "carrier_answer_p90_s": quantile(h.get("answer_seconds"), 0.9),
        "texts_sent": c["texts_sent"], "segments_sent": c["segments_sent"], "opt_outs": c["opt_outs"],
        "feedback_score": _share(c["rating_sum"], c["ratings"]), "ratings": c["ratings"],
        "eta_error_by_lead": eta,
    }


def verdict(key: str, value: float | None) -> str | None:
    """Say "met" or "missed" for a KPI with a target, None when there is nothing to judge."""
    kpi = BY_KEY.get(key)
    if kpi is None or kpi.target is None or value is None:
        return None
    good = value < kpi.target if kpi.better == "lower" else value > kpi.target
    return "met" if good else "missed"
