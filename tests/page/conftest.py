"""Helpers for the tracking page tests: move a parcel through the real carrier API."""

from __future__ import annotations

from datetime import datetime

import pytest


@pytest.fixture
def carrier_event(client, carrier_headers):
    """Push one status event for a tracking number through the carrier API."""

    def push(code: str, at: datetime, tracking_number: str = "3SBIJ0001") -> dict:
        body = {"events": [{"tracking_number": tracking_number, "code": code, "occurred_at": at.isoformat()}]}
        response = client.post("/api/v1/carrier/events", json=body, headers=carrier_headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return push


@pytest.fixture
def route_eta(client, carrier_headers):
    """Push a driver's ETA for one stop through the route API."""

    def push(eta: datetime, observed_at: datetime, tracking_number: str = "3SBIJ0001", route: str = "R1") -> dict:
        body = {"observed_at": observed_at.isoformat(),
                "stops": [{"tracking_number": tracking_number, "stop_sequence": 1, "eta": eta.isoformat()}]}
        response = client.post(f"/api/v1/carrier/routes/{route}/etas", json=body, headers=carrier_headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return push
