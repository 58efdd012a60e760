"""Bijna's canonical shipment statuses and the groups the rest of the code reasons with: one place."""

from __future__ import annotations

CANONICAL = ("registered", "sorted", "in_transit", "out_for_delivery", "delivered", "failed_attempt", "delayed",
             "exception", "returned", "cancelled")
# The parcel's journey is over: nothing more to tell, nothing to rebook.
TERMINAL = frozenset({"delivered", "cancelled", "returned"})
# Still on its way to the recipient: every status that is not terminal.
LIVE = frozenset(CANONICAL) - TERMINAL
# Moving towards the door: ETA texts (arriving soon, delay) make sense.
IN_FLIGHT = frozenset({"sorted", "in_transit", "out_for_delivery", "delayed"})
