"""What the tracking page may know about a shipment, as plain values (no ORM, no Flask)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.notify.statuses import IN_FLIGHT, TERMINAL

# The page's status sets come from the texts' policy, so page and SMS agree on them.
ENDED = TERMINAL  # the journey is over: delivered, returned or cancelled
ON_ITS_WAY = IN_FLIGHT | {"registered"}  # still coming: a window means something, the cross-sell fits


@dataclass(frozen=True)
class RebookingFacts:
    """The latest rebooking command for the parcel, from page or SMS."""

    action: str
    status: str  # pending | accepted | refused | dead
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PageFacts:
    """What the page may know about one shipment: nothing that identifies more than a first name and town."""

    status: str
    shop_name: str
    language: str = "nl"
    timezone: str = "Europe/Amsterdam"
    first_name: str = ""
    city: str | None = None
    tone: str = "warm"
    eta: datetime | None = None
    window_start: datetime | None = None  # the window the shop promised
    window_end: datetime | None = None
    announced_start: datetime | None = None  # the narrowed window the texts told the recipient
    announced_end: datetime | None = None
    delay_announced: bool = False  # a delay text went out for this attempt
    history: tuple[tuple[str, datetime], ...] = ()  # (canonical status, occurred_at), any order
    instruction: dict | None = None
    rebooking: RebookingFacts | None = None
    can_rebook: bool = False  # the rebooking service takes a change now (the rule SMS replies follow)
    rating: int | None = None
    comment: str | None = None
    extras: dict = field(default_factory=dict)
    created_at: datetime | None = None
    ended_at: datetime | None = None
    calibration: object | None = None  # the carrier's learnt ETA error model (app/eta); None: the prior
