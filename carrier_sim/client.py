"""A client for the simulator's /sim admin endpoints, for tests and dev scripts."""

from __future__ import annotations

from typing import Any

import requests

from carrier_sim.world import DEFAULT_ROUTE


class SimClient:
    """Arrange and inspect the simulated carrier through its unsigned admin endpoints."""

    def __init__(self, base_url: str, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = session or requests.Session()

    def reset(self, *, auto_register: bool = True) -> None:
        """Forget every parcel, command, idempotency key and fault."""
        self._post("/sim/reset", {"auto_register": auto_register})

    def add_parcel(
        self, tracking_number: str, route_id: str = DEFAULT_ROUTE, **fields: Any
    ) -> dict[str, Any]:
        """Put a parcel on a route; ``fields`` as in POST /sim/parcels (``stop_sequence``...)."""
        body = {"tracking_number": tracking_number, "route_id": route_id, **fields}
        return self._post("/sim/parcels", body).json()

    def parcel(self, tracking_number: str) -> dict[str, Any]:
        """Return what the carrier knows about a parcel."""
        return self._get(f"/sim/parcels/{tracking_number}")

    def routes(self) -> dict[str, list[dict[str, Any]]]:
        """Return every route's current stops."""
        return self._get("/sim/routes")["routes"]

    def take_slot(self, slot_id: str) -> None:
        """Mark a delivery window full."""
        self._post("/sim/slots/taken", {"slot_id": slot_id})

    def fault(self, mode: str, **options: Any) -> None:
        """Make the next contract requests misbehave: down, throttle, slow, refuse (or ok)."""
        self._post("/sim/faults", {"mode": mode, **options})

    def commands(self, **filters: str) -> list[dict[str, Any]]:
        """Return executed rebooking commands, by ``idempotency_key`` or ``tracking_number``."""
        return self._get("/sim/commands", params=filters)["commands"]

    def shop_webhooks(self) -> list[dict[str, Any]]:
        """Return the shop webhooks received at /sim/shop-webhook, oldest first."""
        return self._get("/sim/shop-webhook")["webhooks"]

    def close(self) -> None:
        """Close the HTTP session."""
        self.http.close()

    def _get(self, path: str, **kwargs: Any) -> Any:
        response = self.http.get(self.base_url + path, timeout=5, **kwargs)
        response.raise_for_status()
        return response.json()

    def _post(self, path: str, body: dict[str, Any]) -> requests.Response:
        response = self.http.post(self.base_url + path, json=body, timeout=5)
        response.raise_for_status()
        return response
