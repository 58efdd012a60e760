"""Fixtures for the exception ladder: silent parcels on a moving clock, a shop that listens to webhooks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from ladder_testing import T0, event


@pytest.fixture
def listening_shop(db, shop):
    """The shop, with a helpdesk endpoint for its signed webhooks."""
    shop.webhook_url, shop.webhook_secret = "https://helpdesk.example/bijna", "whsec-test"
    db.session.commit()
    return shop


@pytest.fixture
def silent_parcel(client, clock, carrier_headers, make_shipment, listening_shop):
    """Create a parcel whose last carrier event (in transit) was at T0 + `at`; return its id."""
    count = [0]

    def make(at: timedelta = timedelta(0), **overrides) -> str:
        count[0] += 1
        number = f"3SBIJ{count[0]:04d}"
        clock.now = T0 + at
        shipment = make_shipment(order_ref=f"{1000 + count[0]}", tracking_number=number, **overrides)
        event(client, carrier_headers, number, "IN_TRANSIT", T0 + at)
        return shipment["id"]

    return make
