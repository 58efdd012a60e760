"""One parcel's KPI facts, from its plain record. Pure; every definition is spelled out in docs/kpis.md.

Events are treated as a set: carriers push late and out of order, so nothing here depends on the
order scans arrived in, only on when they say they happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from app.eta import lead_bin
from app.kpis.periods import local_day
from app.kpis.records import ParcelRecord
from app.notify.statuses import TERMINAL

HUB = frozenset({"sorted", "in_transit"})  # the carrier's first handling scan: either counts
ARRIVED = frozenset({"delivered", "failed_attempt"})  # the van was at the door
ANSWERED = frozenset({"accepted", "refused"})
# Events that are data, not a hand on the parcel: pre-advice ("registered"), a cancellation, a code nobody mapped.
NOT_A_SCAN = frozenset({None, "registered", "cancelled"})
# Replies the reader could not place: they went to a person, or were not read at all.
NOT_UNDERSTOOD = frozenset({"unknown", "unclear", "needs_person"})


@dataclass(frozen=True)
class ParcelFacts:
    shipment_id: str
    carrier: str
    region: str
    day: date
    counted: bool  # False: cancelled before the carrier ever scanned it (not the carrier's parcel)
    finished: bool
    first_scan_minutes: float | None
    scans_complete: bool | None  # judged once delivered or returned
    exception: bool
    delivered: bool
    on_time: bool | None  # judged when delivered with a promised window
    window_held: bool | None  # judged when delivered after Bijna told a window
    first_attempt_ok: bool | None  # judged once the van came at least once
    avoided: str | None  # the action of a rebooking accepted before the van came
    texts_sent: int
    segments_sent: int
    replies: int
    replies_understood: int
    rebookings_accepted: int
    rebookings_refused: int
    answer_seconds: tuple[float, ...]
    eta_errors: tuple[tuple[int, float], ...]  # (lead bin, |arrival - ETA| minutes)
    opted_out: bool
    rating: int | None


def expected_steps(status: str, failed_attempts: int) -> list[frozenset[str]] | None:
    """Return the scans a finished parcel's path must show (one set of alternatives per step), or None."""
    if status == "delivered":
        return [HUB] + [frozenset({"out_for_delivery"})] * (failed_attempts + 1) + [frozenset({"delivered"})]
    if status == "returned":
        return [HUB, frozenset({"returned"})]
    return None


def _complete(statuses: list[str], steps: list[frozenset[str]]) -> bool:
    """True when each step is matched by its own scan (two out-for-delivery steps need two such scans)."""
    left = list(statuses)
    for step in steps:
        match = next((s for s in left if s in step), None)
        if match is None:
            return False
        left.remove(match)
    return True


def parcel_facts(record: ParcelRecord, zone: ZoneInfo) -> ParcelFacts:
    """Compute one parcel's facts; the parcel belongs to its local registration day."""
    scans = sorted(record.scans, key=lambda scan: scan.occurred_at)
    statuses = [scan.status for scan in scans if scan.status]
    delivered_scans = [scan.occurred_at for scan in scans if scan.status == "delivered"]
    delivered_at = delivered_scans[0] if delivered_scans else (
        record.status_at if record.status == "delivered" else None)
    arrivals = [scan.occurred_at for scan in scans if scan.status in ARRIVED]
    first_arrival = arrivals[0] if arrivals else delivered_at
    # A failed attempt after the parcel was delivered is a stray scan, not an attempt.
    failed = [scan.occurred_at for scan in scans
              if scan.status == "failed_attempt" and (delivered_at is None or scan.occurred_at < delivered_at)]
    steps = expected_steps(record.status, len(failed))
    handled = [scan.occurred_at for scan in scans if scan.status not in NOT_A_SCAN]
    first_scan = None
    if handled:  # a scan stamped before registration (the shop registered late) took no time at all
        first_scan = max((handled[0] - record.registered_at).total_seconds() / 60, 0.0)
    avoided = next((r.action for r in sorted(record.rebookings, key=lambda r: r.created_at)
                    if r.status == "accepted" and (first_arrival is None or r.created_at < first_arrival)), None)
    return ParcelFacts(
        shipment_id=record.shipment_id, carrier=record.carrier, region=record.region,
        day=local_day(record.registered_at, zone),
        counted=not (record.status == "cancelled" and not handled),
        finished=record.status in TERMINAL,
        first_scan_minutes=first_scan,
        scans_complete=_complete(statuses, steps) if steps else None,
        exception="exception" in statuses,
        delivered=delivered_at is not None,
        on_time=_within(delivered_at, record.window),
        window_held=_within(delivered_at, record.announced),
        first_attempt_ok=(not failed and delivered_at is not None) if first_arrival else None,
        avoided=avoided,
        texts_sent=record.texts_sent, segments_sent=record.segments_sent,
        replies=len(record.replies),
        replies_understood=sum(1 for r in record.replies if r.understood_as and r.understood_as not in NOT_UNDERSTOOD),
        rebookings_accepted=sum(1 for r in record.rebookings if r.status == "accepted"),
        rebookings_refused=sum(1 for r in record.rebookings if r.status == "refused"),
        answer_seconds=tuple((r.answered_at - r.created_at).total_seconds() for r in record.rebookings
                             if r.status in ANSWERED and r.answered_at is not None),
        eta_errors=tuple((lead_bin(seen.lead_minutes), abs((seen.arrived_at - seen.eta).total_seconds()) / 60)
                         for seen in record.etas if seen.arrived_at is not None),
        opted_out=record.opted_out,
        rating=record.rating,
    )


def _within(moment, window) -> bool | None:
    if moment is None or window is None:
        return None
    return window[0] <= moment <= window[1]
