"""Helpers shared by the exception ladder tests (imported by name: conftest modules are not importable reliably)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bijna_testing import moved

# A Monday at 11:00 in Amsterdam: every threshold the tests cross lands in the daytime.
T0 = moved(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
HOUR = timedelta(hours=1)


def event(client, carrier_headers, number: str, code: str, at: datetime) -> None:
    """Push one carrier event through the carrier API."""
    body = {"events": [{"tracking_number": number, "code": code, "occurred_at": at.isoformat()}]}
    response = client.post("/api/v1/carrier/events", json=body, headers=carrier_headers)
    assert response.status_code == 200, response.get_json()
