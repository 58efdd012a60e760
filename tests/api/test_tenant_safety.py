"""Nobody poses as someone else: senders are assigned or confirmed, keys and tokens rotate, expire and revoke."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bijna_testing import test_now

ACCOUNT = "AC" + "0" * 32


def _patch_sender(client, headers, sender):
    return client.patch("/api/v1/shop", json={"sender": sender}, headers=headers)


@pytest.fixture
def other_shop(db):
    from app.cli import create_shop

    return create_shop("Concurrent", sender="+3197010207777")


@pytest.mark.parametrize("sender", ["MijnBank", "ING", "+3197010201234"])
def test_a_sender_nobody_assigned_or_confirmed_is_refused(client, shop_headers, sender):
    response = _patch_sender(client, shop_headers, sender)
    assert response.status_code == 422 and "sender" in response.get_json()["error"]["fields"]
    assert client.get("/api/v1/shop", headers=shop_headers).get_json()["sender"] == "+3197010203040"


def test_another_shops_number_is_refused(client, shop_headers, other_shop, runner):
    response = _patch_sender(client, shop_headers, "+3197010207777")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "sender_taken"
    assert runner.invoke(args=["shops", "assign-sender", other_shop[0].id, "Concurrent"]).exit_code == 0
    assert _patch_sender(client, shop_headers, "Concurrent").status_code == 409
    assert client.get("/api/v1/shop", headers=shop_headers).get_json()["sender"] == "+3197010203040"


def test_an_operator_assigned_sender_is_accepted(client, shop, shop_headers, runner):
    result = runner.invoke(args=["shops", "assign-sender", shop.id, "Bloemen"])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/shop", headers=shop_headers).get_json()["sender"] == "Bloemen"
    assert _patch_sender(client, shop_headers, "+3197010203040").status_code == 422  # no longer its own
    assert _patch_sender(client, shop_headers, None).status_code == 200  # Bijna's own sender
    assert _patch_sender(client, shop_headers, "Bloemen").status_code == 200


def test_a_number_twilio_says_the_account_rents_is_accepted(client, shop_headers, twilio):
    twilio.own_number(ACCOUNT, "+3197010205555")
    assert _patch_sender(client, shop_headers, "+3197010205556").status_code == 422
    response = _patch_sender(client, shop_headers, "+3197010205555")
    assert response.status_code == 200 and response.get_json()["sender"] == "+3197010205555"


def test_a_rotated_key_stops_at_once_or_after_its_grace(client, shop_headers, clock):
    rotated = client.post("/api/v1/shop/keys/rotate", json={}, headers=shop_headers)
    assert rotated.status_code == 201
    new_headers = {"Authorization": f"Bearer {rotated.get_json()['api_key']}"}
    assert client.get("/api/v1/shop", headers=shop_headers).status_code == 401
    assert client.get("/api/v1/shop", headers=new_headers).status_code == 200
    graced = client.post("/api/v1/shop/keys/rotate", json={"grace_seconds": 3600}, headers=new_headers)
    newest = {"Authorization": f"Bearer {graced.get_json()['api_key']}"}
    assert graced.get_json()["previous_key_valid_until"]
    assert client.get("/api/v1/shop", headers=new_headers).status_code == 200  # still in its grace
    clock.now = test_now() + timedelta(hours=2)
    assert client.get("/api/v1/shop", headers=new_headers).status_code == 401
    assert client.get("/api/v1/shop", headers=newest).status_code == 200


def test_a_key_may_expire(client, shop_headers, clock):
    expires = (test_now() + timedelta(days=1)).isoformat()
    rotated = client.post("/api/v1/shop/keys/rotate", json={"expires_at": expires}, headers=shop_headers)
    headers = {"Authorization": f"Bearer {rotated.get_json()['api_key']}"}
    assert client.get("/api/v1/shop", headers=headers).status_code == 200
    clock.now = test_now() + timedelta(days=2)
    assert client.get("/api/v1/shop", headers=headers).status_code == 401
    past = client.post("/api/v1/shop/keys/rotate", json={"expires_at": "2001-01-01T00:00:00Z"}, headers=headers)
    assert past.status_code == 401


def test_carrier_tokens_rotate_and_revoke_from_the_cli(client, runner, carrier, carrier_headers):
    result = runner.invoke(args=["carriers", "rotate-token", "simcarrier", "--grace-hours", "1"])
    token = result.output.rsplit(" ", 1)[-1].strip()
    body = {"events": []}
    assert client.post("/api/v1/carrier/events", json=body, headers=carrier_headers).status_code != 401
    new_headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/carrier/events", json=body, headers=new_headers).status_code != 401
    assert runner.invoke(args=["carriers", "revoke-token", "simcarrier"]).exit_code == 0
    for headers in (carrier_headers, new_headers):
        assert client.post("/api/v1/carrier/events", json=body, headers=headers).status_code == 401
