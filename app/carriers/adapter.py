"""The interface every carrier adapter implements, its result types and its errors.

The domain and the workers talk to carriers only through ``CarrierAdapter``; a
vendor module (PostNL, DHL, DPD) or the generic HTTP/JSON adapter sits behind it.
See docs/carrier-contract.md for the wire contract of the generic adapter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class Slot:
    """A delivery window the carrier offers for one parcel."""

    id: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class PickupPoint:
    """A shop or locker near the recipient where the parcel can be collected."""

    id: str
    name: str
    address: str


@dataclass(frozen=True)
class RebookingResult:
    """The carrier's definite answer to a rebooking command."""

    accepted: bool
    reason_code: str | None = None
    message: str | None = None
    carrier_reference: str | None = None


class CarrierError(Exception):
    """Base class for everything an adapter raises."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class CarrierUnavailable(CarrierError):
    """The carrier could not answer now (network, timeout, 429, 5xx): retry with the same key."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code)
        self.retry_after = retry_after


class CarrierRefused(CarrierError):
    """The carrier said a definite no (slot_taken, not_allowed, too_late, unknown_parcel, ...)."""

    code: str

    def __init__(self, code: str, message: str, *, status: int | None = None) -> None:
        super().__init__(message, status=status, code=code)


class CarrierContractError(CarrierError):
    """The exchange broke the contract: fix configuration or code, a retry won't help.

    Raised for a rejected signature (401/403), a malformed request (400), an
    idempotency key reused with another body (409 idempotency_key_reused), an
    unexpected redirect, or an answer that cannot be read.
    """


@runtime_checkable
class CarrierAdapter(Protocol):
    """What Bijna asks of a carrier; every method makes at most one call to the carrier.

    Retrying is the caller's job (an RQ retry reusing the same idempotency key),
    so a retried rebooking is executed by the carrier at most once.
    """

    def available_slots(self, tracking_number: str, *, after: datetime | None = None) -> list[Slot]:
        """Return the free delivery windows for a parcel, earliest first."""
        ...

    def pickup_points(self, tracking_number: str) -> list[PickupPoint]:
        """Return the pickup points near the parcel's delivery address, nearest first."""
        ...

    def redirect_to_neighbour(
        self, tracking_number: str, note: str | None, *, idempotency_key: str
    ) -> RebookingResult:
        """Ask the courier to leave the parcel with a neighbour (``note`` e.g. "nr 12")."""
        ...

    def reschedule(
        self, tracking_number: str, slot_id: str, *, idempotency_key: str
    ) -> RebookingResult:
        """Move the delivery to one of the offered slots."""
        ...

    def redirect_to_pickup_point(
        self, tracking_number: str, pickup_point_id: str | None, *, idempotency_key: str
    ) -> RebookingResult:
        """Send the parcel to a pickup point (None: the carrier's nearest)."""
        ...

    def route_stops(self, route_id: str) -> list[dict[str, Any]]:
        """Return the route's current stops in driving order."""
        ...
