"""The page's delivery choices, handed to the very code an SMS reply goes through.

The page never talks to a carrier itself: slots and pickup points come from the rebooking
service's listings and every choice becomes `request_rebooking(..., source="page")`, so a
choice made on the page and one made by SMS are the same command, with the same checks,
idempotency, carrier call, confirmation text and shop webhook. Only options the carrier
offers right now are accepted: the page re-reads the listing when a choice comes in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from app.carriers.adapter import CarrierError
from app.rebooking import service as rebooking
from app.tracking.service import format_window

log = logging.getLogger(__name__)
MAX_NOTE = rebooking.MAX_NOTE  # the same limit the SMS path puts on a neighbour note


@dataclass(frozen=True)
class Option:
    """A slot or pickup point as the page offers it."""

    id: str
    label: str
    detail: str
    params: dict


class CarrierQuiet(Exception):
    """The carrier could not list options just now; the page says so and offers to try again."""


def can_rebook(shipment) -> bool:
    """Tell whether the carrier can take changes at all (same rule the rebooking service applies)."""
    carrier = shipment.carrier
    return bool(carrier.api_base_url and carrier.signing_secret)


def slots_for(shipment, now: datetime) -> list[Option]:
    """Return the slots the carrier offers for this parcel, earliest first."""
    language = shipment.recipient_language or shipment.shop.language
    try:
        slots = rebooking.available_slots_for(shipment, after=now)
    except CarrierError as error:
        log.warning("slots for shipment %s unavailable: %s", shipment.id, error)
        raise CarrierQuiet from error
    return [Option(slot.id, format_window(slot.starts_at, slot.ends_at, now, shipment.shop.timezone, language), "",
                   rebooking.slot_params(slot)) for slot in slots]


def pickup_points_for(shipment, now: datetime) -> list[Option]:
    """Return the pickup points near the parcel, nearest first (`now` for the same shape as slots_for)."""
    try:
        points = rebooking.pickup_points_for(shipment)
    except CarrierError as error:
        log.warning("pickup points for shipment %s unavailable: %s", shipment.id, error)
        raise CarrierQuiet from error
    return [Option(point.id, point.name, point.address,
                   {"pickup_point_id": point.id, "name": point.name, "address": point.address}) for point in points]


def offered(options: list[Option], option_id: str) -> Option | None:
    """Return the offered option with this id; None when the carrier does not offer it (any more)."""
    return next((option for option in options if option.id == option_id), None)


def choose(shipment, action: str, params: dict, now: datetime) -> bool:
    """Request the rebooking exactly as an SMS reply would; False when it is not possible now."""
    return rebooking.request_rebooking(shipment, action, params, source="page", now=now) is not None
