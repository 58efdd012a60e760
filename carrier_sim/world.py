"""The simulated carrier's state: routes, parcels, slots, pickup points and executed commands.

In memory on purpose: this stands in for an external system, never for Bijna's own storage.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

LOCAL_TIME = ZoneInfo("Europe/Amsterdam")
DEFAULT_ROUTE = "sim-route-1"
PARCEL_STATUSES = ("on_route", "rescheduled", "at_pickup_point", "delivered")

_STREETS = ("Kerkstraat", "Dorpsstraat", "Molenweg", "Stationsweg", "Lindelaan", "Marktplein")
_POSTCODE_LETTERS = "ABCDEGHJKLMNPRSTVWXZ"
_SHOPS = (
    "Tabakszaak De Hoek",
    "Boekhandel Het Plein",
    "Supermarkt Centrum",
    "Fietsenmaker Snel",
    "Bloemist Lente",
    "Pakketkluis Station",
)


class Refusal(Exception):
    """A definite no from the carrier, answered as ``{"error": {...}}`` with ``status``."""

    def __init__(self, code: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass
class Parcel:
    """One parcel as the carrier sees it."""

    tracking_number: str
    route_id: str | None
    address: str
    postcode: str
    neighbour_allowed: bool = True
    status: str = "on_route"
    instruction: str | None = None
    slot_id: str | None = None
    pickup_point_id: str | None = None


class World:
    """Everything the simulated carrier knows, guarded by one lock (the server is threaded)."""

    def __init__(
        self,
        seed: int,
        clock: Callable[[], datetime],
        auto_register: bool = True,
    ) -> None:
        self.seed = seed
        self.clock = clock
        self.lock = threading.RLock()
        self.reset(auto_register)

    def reset(self, auto_register: bool = True) -> None:
        """Forget all parcels, routes, taken slots and commands."""
        with self.lock:
            self.auto_register = auto_register
            self.parcels: dict[str, Parcel] = {}
            self.routes: dict[str, list[str]] = {}
            self.taken_slots: set[str] = set()
            self.commands: list[dict[str, Any]] = []

    def register(
        self,
        tracking_number: str,
        route_id: str | None = DEFAULT_ROUTE,
        stop_sequence: int | None = None,
        *,
        address: str | None = None,
        postcode: str | None = None,
        neighbour_allowed: bool = True,
        status: str = "on_route",
    ) -> Parcel:
        """Create or replace a parcel and put it on ``route_id`` at ``stop_sequence`` (1-based)."""
        if status not in PARCEL_STATUSES:
            raise ValueError(f"status must be one of {PARCEL_STATUSES}")
        made_up_address, made_up_postcode = self._made_up_address(tracking_number)
        parcel = Parcel(
            tracking_number=tracking_number,
            route_id=route_id,
            address=address or made_up_address,
            postcode=postcode or made_up_postcode,
            neighbour_allowed=neighbour_allowed,
            status=status,
        )
        with self.lock:
            self._leave_route(tracking_number)
            self.parcels[tracking_number] = parcel
            if route_id is not None and status == "on_route":
                stops = self.routes.setdefault(route_id, [])
                position = len(stops) if stop_sequence is None else max(0, stop_sequence - 1)
                stops.insert(position, tracking_number)
        return parcel

    def parcel(self, tracking_number: str, route_hint: str | None = None) -> Parcel:
        """Return a known parcel, registering an unknown one when auto-registration is on."""
        with self.lock:
            known = self.parcels.get(tracking_number)
            if known is not None:
                return known
            if not self.auto_register:
                raise Refusal("unknown_parcel", f"no parcel {tracking_number}", status=404)
            return self.register(tracking_number, route_hint or DEFAULT_ROUTE)

    def take_slot(self, slot_id: str) -> None:
        """Mark a delivery window full for every parcel."""
        with self.lock:
            self.taken_slots.add(slot_id)

    def slots(self, parcel: Parcel, after: datetime | None = None) -> list[dict[str, str]]:
        """Return the parcel's free windows: the next 3 days, a morning and an evening each."""
        with self.lock:
            free = [slot for slot in self._all_slots(parcel) if slot["id"] not in self.taken_slots]
        if after is not None:
            free = [slot for slot in free if datetime.fromisoformat(slot["starts_at"]) >= after]
        return free

    def pickup_points(self, parcel: Parcel) -> list[dict[str, str]]:
        """Return three pickup points near the parcel's postcode, nearest first."""
        rng = random.Random(f"{self.seed}:pickup:{parcel.postcode}")
        city = parcel.address.rsplit(" ", 1)[-1]
        slug = parcel.postcode.replace(" ", "").lower()
        return [
            {
                "id": f"pp-{slug}-{number}",
                "name": name,
                "address": _street_address(rng, parcel.postcode, city),
            }
            for number, name in enumerate(rng.sample(_SHOPS, 3), start=1)
        ]

    def route_stops(self, route_id: str) -> list[dict[str, Any]]:
        """Return a route's stops in driving order, numbered from 1."""
        with self.lock:
            if route_id not in self.routes:
                raise Refusal("unknown_route", f"no route {route_id}", status=404)
            return [
                {
                    "sequence": position,
                    "tracking_number": tracking_number,
                    "address": self.parcels[tracking_number].address,
                    "instruction": self.parcels[tracking_number].instruction,
                }
                for position, tracking_number in enumerate(self.routes[route_id], start=1)
            ]

    def redirect_to_neighbour(self, parcel: Parcel, note: str | None, key: str) -> dict[str, Any]:
        """Keep the stop on the route with a "deliver to neighbour" instruction for the driver."""
        with self.lock:
            self._check_rebookable(parcel)
            if not parcel.neighbour_allowed:
                raise Refusal("not_allowed", "this parcel may not be left with a neighbour")
            parcel.instruction = (
                f"deliver to neighbour: {note}" if note else "deliver to a neighbour"
            )
            return self._record("redirect_to_neighbour", parcel, key, {"note": note})

    def reschedule(self, parcel: Parcel, slot_id: str, key: str) -> dict[str, Any]:
        """Take the stop off today's route and book it into ``slot_id``."""
        with self.lock:
            self._check_rebookable(parcel)
            if slot_id not in {slot["id"] for slot in self._all_slots(parcel)}:
                raise Refusal("unknown_slot", f"slot {slot_id} is not offered for this parcel")
            if slot_id in self.taken_slots:
                raise Refusal("slot_taken", f"slot {slot_id} is full")
            self._leave_route(parcel.tracking_number)
            parcel.status, parcel.slot_id, parcel.instruction = "rescheduled", slot_id, None
            return self._record("reschedule", parcel, key, {"slot_id": slot_id})

    def redirect_to_pickup_point(
        self, parcel: Parcel, pickup_point_id: str | None, key: str
    ) -> dict[str, Any]:
        """Take the stop off the route and send the parcel to a pickup point (None: nearest)."""
        with self.lock:
            self._check_rebookable(parcel)
            offered = [point["id"] for point in self.pickup_points(parcel)]
            chosen = pickup_point_id or offered[0]
            if chosen not in offered:
                message = f"pickup point {chosen} is not near this parcel"
                raise Refusal("unknown_pickup_point", message)
            self._leave_route(parcel.tracking_number)
            parcel.status, parcel.pickup_point_id = "at_pickup_point", chosen
            parcel.instruction = None
            return self._record(
                "redirect_to_pickup_point", parcel, key, {"pickup_point_id": chosen}
            )

    def describe(self, parcel: Parcel) -> dict[str, Any]:
        """Return the parcel as JSON-ready data."""
        with self.lock:
            return asdict(parcel)

    def _check_rebookable(self, parcel: Parcel) -> None:
        if parcel.status == "delivered":
            raise Refusal("too_late", "the parcel has already been delivered")
        if parcel.status != "on_route":
            raise Refusal("not_allowed", f"the parcel was already rebooked ({parcel.status})")

    def _record(
        self, kind: str, parcel: Parcel, key: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        """Log an executed command and return the carrier's acceptance body."""
        reference = f"sim-cmd-{len(self.commands) + 1:06d}"
        self.commands.append(
            {
                "carrier_reference": reference,
                "type": kind,
                "tracking_number": parcel.tracking_number,
                "idempotency_key": key,
                "params": params,
                "executed_at": self.clock().astimezone(UTC).isoformat(),
            }
        )
        return {"accepted": True, "carrier_reference": reference, "parcel": asdict(parcel)}

    def _leave_route(self, tracking_number: str) -> None:
        for stops in self.routes.values():
            if tracking_number in stops:
                stops.remove(tracking_number)

    def _all_slots(self, parcel: Parcel) -> list[dict[str, str]]:
        """Return the windows offered to a parcel, taken or not, derived from seed and parcel."""
        today = self.clock().astimezone(LOCAL_TIME).date()
        slots = []
        for day in (today + timedelta(days=offset) for offset in (1, 2, 3)):
            rng = random.Random(f"{self.seed}:slots:{parcel.tracking_number}:{day.isoformat()}")
            for start_hour, hours in ((rng.choice((8, 9, 10)), 4), (rng.choice((17, 18)), 3)):
                slots.append(_slot(day, start_hour, hours))
        return slots

    def _made_up_address(self, tracking_number: str) -> tuple[str, str]:
        rng = random.Random(f"{self.seed}:address:{tracking_number}")
        letters = "".join(rng.choice(_POSTCODE_LETTERS) for _ in range(2))
        postcode = f"{rng.randint(1000, 9999)} {letters}"
        return f"{rng.choice(_STREETS)} {rng.randint(1, 200)}, {postcode} Utrecht", postcode


def _street_address(rng: random.Random, postcode: str, city: str) -> str:
    return f"{rng.choice(_STREETS)} {rng.randint(1, 120)}, {postcode} {city}"


def _slot(day: date, start_hour: int, hours: int) -> dict[str, str]:
    starts_at = datetime.combine(day, time(start_hour), tzinfo=LOCAL_TIME)
    ends_at = datetime.combine(day, time(start_hour + hours), tzinfo=LOCAL_TIME)
    return {
        "id": f"{day:%Y%m%d}-{start_hour:02d}-{start_hour + hours:02d}",
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
    }
