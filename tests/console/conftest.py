"""Console fixtures: staff logins for two shops, and a browser-like login through the real form."""

from __future__ import annotations

import pytest
from console_testing import PASSWORD, log_in

from app.console.accounts import create_staff_user
from bijna_testing import shipment_body, test_now


@pytest.fixture
def agent(shop):
    return create_staff_user(shop.id, "agent@bloemenshop.test", PASSWORD, "agent", test_now())


@pytest.fixture
def admin(shop):
    return create_staff_user(shop.id, "admin@bloemenshop.test", PASSWORD, "admin", test_now())


@pytest.fixture
def rival(db, client, carrier):
    """Another shop with its own parcel and agent: nothing of it may show up for the first shop."""
    from app.cli import create_shop

    rival_shop, key = create_shop("Boekhandel", sender="+3197010203041")
    body = shipment_body(order_ref="R-1", tracking_number="3SRIVAL1",
                         recipient={"phone": "06 23456789", "name": "Rik Rivaal"})
    response = client.post("/api/v1/shipments", json=body, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 201
    user = create_staff_user(rival_shop.id, "agent@boekhandel.test", PASSWORD, "agent", test_now())
    return {"shop": rival_shop, "shipment_id": response.get_json()["id"], "agent": user, "key": key}


@pytest.fixture
def logged_in(client, agent):
    response = log_in(client, agent.email)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
