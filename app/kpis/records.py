"""The plain records a parcel's KPIs are computed from: what the database holds, without the database. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Scan:
    """One carrier event: its canonical status (None when the raw code is unmapped) and when it happened."""

    status: str | None
    occurred_at: datetime


@dataclass(frozen=True)
class Rebooking:
    """A recipient's choice sent to the carrier, and when the carrier answered (accepted or refused)."""

    action: str  # neighbour | reschedule | pickup_point
    status: str  # pending | accepted | refused | dead
    created_at: datetime
    answered_at: datetime | None = None


@dataclass(frozen=True)
class Reply:
    """An inbound text about the parcel and how the reader understood it (None: not understood)."""

    understood_as: str | None
    confidence: float | None = None


@dataclass(frozen=True)
class EtaSeen:
    """A carrier ETA heard at some lead time, and when the van really came (None: not yet)."""

    lead_minutes: float
    eta: datetime
    arrived_at: datetime | None


@dataclass(frozen=True)
class ParcelRecord:
    """Everything the KPIs read about one parcel."""

    shipment_id: str
    carrier: str
    region: str
    registered_at: datetime
    status: str
    status_at: datetime | None = None
    window: tuple[datetime, datetime] | None = None  # promised at order (the shop's / carrier's slot)
    announced: tuple[datetime, datetime] | None = None  # the narrowed window Bijna last told by text
    scans: tuple[Scan, ...] = ()
    rebookings: tuple[Rebooking, ...] = ()
    texts_sent: int = 0
    segments_sent: int = 0
    replies: tuple[Reply, ...] = ()
    etas: tuple[EtaSeen, ...] = ()
    rating: int | None = None
    opted_out: bool = False
