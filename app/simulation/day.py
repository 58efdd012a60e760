"""A delivery day as data: the requests a carrier (and shop) sent, in the order they arrived, and the truth.

A day file is JSON lines, one request a line: {"at": iso, "path": "/api/v1/carrier/...", "body": {...}}.
`at` is when Bijna received it; bodies are exactly what went over the wire (their own observed_at /
occurred_at may be older: late and repeated batches are part of a real day).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

EVENTS_PATH = "/api/v1/carrier/events"
SHIPMENTS_PATH = "/api/v1/shipments"
DELIVERED_CODES = frozenset({"DELIVERED", "DELIVERED_NEIGHBOUR", "DELIVERED_PICKUP_POINT", "delivered"})


def route_etas_path(route_id: str) -> str:
    """Return the path a carrier pushes a whole route's ETAs to."""
    return f"/api/v1/carrier/routes/{route_id}/etas"


@dataclass(frozen=True)
class Request:
    """One request as Bijna received it."""

    at: datetime
    path: str
    body: dict

    def to_json(self) -> str:
        return json.dumps({"at": self.at.isoformat(), "path": self.path, "body": self.body}, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> Request:
        raw = json.loads(line)
        at = datetime.fromisoformat(raw["at"])
        if at.tzinfo is None:
            raise ValueError(f"'at' needs a time zone offset: {raw['at']}")
        return cls(at, raw["path"], raw["body"])


@dataclass(frozen=True)
class StopTruth:
    """What really happened at one stop, and what the shop had promised."""

    tracking_number: str
    phone: str
    arrival: datetime
    window_start: datetime | None = None
    window_end: datetime | None = None

    @property
    def late(self) -> bool:
        """Tell whether the parcel came after the promised window."""
        return self.window_end is not None and self.arrival > self.window_end


@dataclass
class Day:
    """A generated (or recorded) day: requests in arrival order and the truth per tracking number."""

    requests: list[Request]
    truth: dict[str, StopTruth] = field(default_factory=dict)
    notes: dict = field(default_factory=dict)  # what the generator did: jams, the swap, counts


def write_day(requests: Iterable[Request], path: str | Path) -> int:
    """Write requests as JSON lines, sorted by arrival; return how many."""
    ordered = sorted(requests, key=lambda r: r.at)
    Path(path).write_text("".join(r.to_json() + "\n" for r in ordered))
    return len(ordered)


def read_day(path: str | Path) -> list[Request]:
    """Read a day file (blank lines and lines starting with # are skipped), in arrival order."""
    requests = []
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            requests.append(Request.from_json(line))
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"line {number}: {error}") from None
    return sorted(requests, key=lambda r: r.at)  # stable: equal times keep the file's order


def arrivals_from_events(requests: Iterable[Request]) -> dict[str, datetime]:
    """Read the true arrival of each parcel from its first delivered scan (how a recorded day knows the truth)."""
    arrivals: dict[str, datetime] = {}
    for request in requests:
        if request.path != EVENTS_PATH:
            continue
        for event in request.body.get("events", []):
            if event.get("code") in DELIVERED_CODES:
                moment = datetime.fromisoformat(event["occurred_at"])
                number = event["tracking_number"]
                arrivals[number] = min(arrivals.get(number, moment), moment)
    return arrivals
