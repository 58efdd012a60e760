"""A shipment as the notification policy sees it, and the decisions it returns. Plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.eta import Calibration


@dataclass(frozen=True)
class ShipmentState:
    """A shipment as the policy sees it, after the update was applied."""

    status: str
    notify: bool
    opted_out: bool
    window_start: datetime | None
    window_end: datetime | None
    eta: datetime | None
    lead_minutes: int
    sent: frozenset[str]
    last_delay_eta: datetime | None
    texts_today: int
    daily_cap: int
    enabled_statuses: frozenset[str]
    two_way: bool
    timezone: str = "UTC"  # the shop's: "today" and quiet hours are local
    calibration: Calibration | None = None  # the carrier's ETA errors; None: the prior
    status_at: datetime | None = None  # when the status began: bounds the wait for a first ETA
    held_for_eta: bool = False  # an out_for_delivery text is waiting for this first ETA
    previous_eta: datetime | None = None  # the ETA before this one: one wild guess alone decides nothing


@dataclass(frozen=True)
class Decision:
    """One text to send: its kind (= template name) and how to send it."""

    kind: str
    urgent: bool
    valid_for: timedelta
    context: dict
