"""Carriers' raw status codes → Bijna's canonical statuses.

A carrier row may carry its own map; the generic contract's codes (and the canonical names
themselves) are always understood. Unknown codes are kept raw and reported, never fatal.
"""

from __future__ import annotations

from app.notify.statuses import CANONICAL

GENERIC_CODES = {
    "PRE_ADVICE": "registered", "DATA_RECEIVED": "registered",
    "HUB_SCAN": "sorted", "SORTED": "sorted",
    "LINEHAUL": "in_transit", "DEPOT_ARRIVAL": "in_transit", "IN_TRANSIT": "in_transit",
    "OUT_FOR_DELIVERY": "out_for_delivery", "LOADED_ON_VAN": "out_for_delivery",
    "DELIVERED": "delivered", "DELIVERED_NEIGHBOUR": "delivered", "DELIVERED_PICKUP_POINT": "delivered",
    "NOT_HOME": "failed_attempt", "DELIVERY_FAILED": "failed_attempt",
    "DELAYED": "delayed", "MISSORT": "delayed",
    "DAMAGED": "exception", "ADDRESS_ISSUE": "exception", "EXCEPTION": "exception",
    "RETURN_TO_SENDER": "returned", "RETURNED": "returned",
    "CANCELLED": "cancelled",
}


def canonical_status(raw_code: str, carrier_map: dict | None) -> str | None:
    """Return the canonical status of a raw code, or None when nobody knows it."""
    code = raw_code.strip()
    for mapping in (carrier_map or {}, GENERIC_CODES):
        if code in mapping and mapping[code] in CANONICAL:
            return mapping[code]
    lowered = code.lower()
    return lowered if lowered in CANONICAL else None
