"""The page's delivery choices, handed to the very code an SMS reply goes through.

The page never talks to a carrier itself: slots and pickup points come from the rebooking
service's listings and every choice becomes `request_rebooking(..., source="page")`, so a
choice made on the page and one made by SMS are the same command, with the same checks,
idempotency, carrier call, confirmation text and shop webhook. Only options the carrier
offers are accepted: a choice is checked against the listing the page showed.

Each carrier call holds one web worker for up to CARRIER_TIMEOUT, so the page keeps a
parcel's listing in Redis for LISTING_TTL (a failed one for QUIET_TTL): reloads, the way
back from a choice and the choice itself do not ask the carrier again. A choice made
forgets the listing, so a refused one is offered again from a fresh one. Without Redis the
page simply asks the carrier every time.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime

from redis.exceptions import RedisError

from app.carriers.adapter import CarrierError, PickupPoint, Slot
from app.extensions import redis_connection
from app.rebooking import service as rebooking
from app.tracking.service import format_window

log = logging.getLogger(__name__)
MAX_NOTE = rebooking.MAX_NOTE  # the same limit the SMS path puts on a neighbour note
CARRIER_TIMEOUT = 3.0  # seconds the page waits for the carrier at most (the view passes less when configured lower)
LISTING_TTL = 60  # seconds a carrier's slots or pickup points are reused by the page
QUIET_TTL = 10  # seconds a carrier that failed to answer is left alone by the page
LISTING_KINDS = ("slots", "pickup_points")


@dataclass(frozen=True)
class Option:
    """A slot or pickup point as the page offers it."""

    id: str
    label: str
    detail: str
    params: dict


class CarrierQuiet(Exception):
    """The carrier could not list options just now; the page says so and offers to try again."""


def slots_for(shipment, now: datetime, timeout: float = CARRIER_TIMEOUT) -> list[Option]:
    """Return the slots the carrier offers for this parcel, earliest first."""
    language = shipment.recipient_language or shipment.shop.language

    def ask_carrier() -> list[dict]:
        slots = rebooking.available_slots_for(shipment, after=now, timeout=timeout)
        return [{"id": slot.id, "starts_at": slot.starts_at.isoformat(), "ends_at": slot.ends_at.isoformat()}
                for slot in slots]

    slots = [Slot(item["id"], datetime.fromisoformat(item["starts_at"]), datetime.fromisoformat(item["ends_at"]))
             for item in _listing(shipment, "slots", ask_carrier)]
    return [Option(slot.id, format_window(slot.starts_at, slot.ends_at, now, shipment.shop.timezone, language), "",
                   rebooking.slot_params(slot)) for slot in slots
            if slot.starts_at >= now]  # a slot in a kept listing may have begun since


def pickup_points_for(shipment, now: datetime, timeout: float = CARRIER_TIMEOUT) -> list[Option]:
    """Return the pickup points near the parcel, nearest first (`now` for the same shape as slots_for)."""

    def ask_carrier() -> list[dict]:
        return [asdict(point) for point in rebooking.pickup_points_for(shipment, timeout=timeout)]

    points = [PickupPoint(**item) for item in _listing(shipment, "pickup_points", ask_carrier)]
    return [Option(point.id, point.name, point.address,
                   {"pickup_point_id": point.id, "name": point.name, "address": point.address}) for point in points]


def forget_listings(shipment) -> None:
    """Drop the parcel's kept listings: after a choice, the carrier's offer is news again."""
    try:
        redis_connection().delete(*(_key(kind, shipment.id) for kind in LISTING_KINDS))
    except RedisError as error:
        log.warning("could not forget the listings of shipment %s: %s", shipment.id, error)


def offered(options: list[Option], option_id: str) -> Option | None:
    """Return the offered option with this id; None when the carrier does not offer it (any more)."""
    return next((option for option in options if option.id == option_id), None)


def choose(shipment, action: str, params: dict, now: datetime) -> bool:
    """Request the rebooking exactly as an SMS reply would; False when it is not possible now."""
    command = rebooking.request_rebooking(shipment, action, params, source="page", now=now)
    if command is not None:
        forget_listings(shipment)
    return command is not None


def _listing(shipment, kind: str, ask_carrier: Callable[[], list[dict]]) -> list[dict]:
    """Return the kept listing, or ask the carrier and keep its answer; raise CarrierQuiet when it has none."""
    key = _key(kind, shipment.id)
    kept = _read(key)
    if kept is not None:
        if kept.get("quiet"):
            raise CarrierQuiet
        return kept["items"]
    try:
        items = ask_carrier()
    except CarrierError as error:
        log.warning("%s for shipment %s unavailable: %s", kind, shipment.id, error)
        _keep(key, {"quiet": True}, QUIET_TTL)
        raise CarrierQuiet from error
    _keep(key, {"items": items}, LISTING_TTL)
    return items


def _key(kind: str, shipment_id: str) -> str:
    return f"bijna:page-listing:{kind}:{shipment_id}"


def _read(key: str) -> dict | None:
    try:
        raw = redis_connection().get(key)
    except RedisError as error:
        log.warning("page listing cache unreadable, asking the carrier: %s", error)
        return None
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _keep(key: str, value: dict, ttl: int) -> None:
    try:
        redis_connection().set(key, json.dumps(value), ex=ttl)
    except RedisError as error:
        log.warning("page listing not kept: %s", error)
