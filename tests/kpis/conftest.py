"""KPI fixtures: a shop's small week of parcels, pushed through the real shop and carrier APIs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bijna_testing import YEAR, shipment_body

MONDAY = datetime(YEAR, 3, 23, 8, 0, tzinfo=UTC)  # 09:00 in Amsterdam; ISO week 13 in 2026 and moved years


@pytest.fixture
def week_of_parcels(client, clock, shop_headers, carrier_headers, carrier):
    """Four parcels registered on Monday: on time, late, with an exception, and one never scanned."""

    def register(ref: str, city: str, at: datetime) -> str:
        clock.now = at
        body = shipment_body(order_ref=ref, tracking_number=f"3S{ref}",
                             recipient={"phone": "06 12345678", "name": "Anna", "city": city},
                             window={"start": (at + timedelta(hours=24)).isoformat(),
                                     "end": (at + timedelta(hours=29)).isoformat()})
        response = client.post("/api/v1/shipments", json=body, headers=shop_headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def push(*events) -> None:
        body = {"events": [{"tracking_number": f"3S{ref}", "code": code, "occurred_at": at.isoformat()}
                           for ref, code, at in events]}
        response = client.post("/api/v1/carrier/events", json=body, headers=carrier_headers)
        assert response.status_code == 200, response.get_json()

    ids = {ref: register(ref, city, MONDAY + timedelta(minutes=i))
           for i, (ref, city) in enumerate([("A", "Utrecht"), ("B", "Utrecht"), ("C", "Den Haag"), ("D", "Utrecht")])}
    day = MONDAY
    clock.now = day + timedelta(days=2)
    push(("A", "HUB_SCAN", day + timedelta(hours=1)), ("A", "OUT_FOR_DELIVERY", day + timedelta(hours=24)),
         ("A", "DELIVERED", day + timedelta(hours=26)),
         # B: events pushed out of order; delivered after its window closed
         ("B", "DELIVERED", day + timedelta(hours=30)), ("B", "HUB_SCAN", day + timedelta(hours=3)),
         ("B", "OUT_FOR_DELIVERY", day + timedelta(hours=24)),
         ("C", "HUB_SCAN", day + timedelta(minutes=30)), ("C", "DAMAGED", day + timedelta(hours=10)))
    return ids
