"""Shop API v1: shipments through HTTP, against the migrated PostgreSQL."""

from __future__ import annotations

import pytest

from bijna_testing import shipment_body

URL = "/api/v1/shipments"


@pytest.mark.parametrize("raw", ["06 12345678", "+31 6 12345678", "0031612345678"])
def test_dutch_number_formats_become_e164(client, shop_headers, carrier, raw):
    body = shipment_body(recipient={"phone": raw})
    response = client.post(URL, json=body, headers=shop_headers)
    assert response.status_code == 201
    shipment = response.get_json()
    assert shipment["recipient"]["phone"] == "+31612345678"
    assert shipment["tracking_url"].startswith("https://bijna.test/t/")
    assert len(shipment["tracking_url"].rsplit("/", 1)[1]) >= 22  # ≥128 bits of randomness


@pytest.mark.parametrize("raw, reason", [("020 1234567", "mobile"), ("12345", "valid"), ("hello", "phone")])
def test_landlines_and_junk_numbers_are_refused_naming_the_field(client, shop_headers, carrier, raw, reason):
    response = client.post(URL, json=shipment_body(recipient={"phone": raw}), headers=shop_headers)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert reason in error["fields"]["recipient"]["phone"][0].lower()
    assert client.get(URL, headers=shop_headers).get_json()["items"] == []


@pytest.mark.parametrize("body, field", [
    ({"carrier": "simcarrier", "tracking_number": "X", "recipient": {"phone": "0612345678"}}, "order_ref"),
    (shipment_body(carrier="nope"), "carrier"),
    (shipment_body(tracking_number=""), "tracking_number"),
    (shipment_body(recipient={"phone": "0612345678", "language": "de"}), "recipient"),
    (shipment_body(notify="maybe"), "notify"),
    (shipment_body(window={"start": "2026-11-23T14:00:00+01:00", "end": "2026-11-23T12:00:00+01:00"}), "window"),
    (shipment_body(window={"start": "2026-11-23T14:00:00", "end": "2026-11-23T19:00:00"}), "window"),
    (shipment_body(surprise=1), "surprise"),
])
def test_each_invalid_field_is_named(client, shop_headers, carrier, body, field):
    response = client.post(URL, json=body, headers=shop_headers)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_a_body_that_is_not_json_is_a_clear_400(client, shop_headers):
    response = client.post(URL, data="not json", headers={**shop_headers, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"


def test_repeated_idempotency_key_returns_the_same_shipment(client, shop_headers, carrier):
    headers = {**shop_headers, "Idempotency-Key": "order-1001-try"}
    first = client.post(URL, json=shipment_body(), headers=headers)
    second = client.post(URL, json=shipment_body(), headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json()["id"] == second.get_json()["id"]
    reused = client.post(URL, json=shipment_body(order_ref="other"), headers=headers)
    assert reused.status_code == 409
    assert len(client.get(URL, headers=shop_headers).get_json()["items"]) == 1


def test_same_order_and_tracking_number_never_makes_a_second_shipment(client, shop_headers, carrier):
    first = client.post(URL, json=shipment_body(), headers=shop_headers).get_json()
    again = client.post(URL, json=shipment_body(), headers=shop_headers)
    assert again.status_code == 200 and again.get_json()["id"] == first["id"]
    other_parcel = client.post(URL, json=shipment_body(tracking_number="3SBIJ0002"), headers=shop_headers)
    assert other_parcel.status_code == 201


def test_another_shop_cannot_see_or_change_a_shipment(client, shop_headers, carrier, db):
    from app.cli import create_shop

    shipment = client.post(URL, json=shipment_body(), headers=shop_headers).get_json()
    _, other_key = create_shop("Other shop")
    other = {"Authorization": f"Bearer {other_key}"}
    assert client.get(f"{URL}/{shipment['id']}", headers=other).status_code == 404
    assert client.patch(f"{URL}/{shipment['id']}", json={"notify": False}, headers=other).status_code == 404
    assert client.post(f"{URL}/{shipment['id']}/cancel", headers=other).status_code == 404
    assert client.get(URL, headers=other).get_json()["items"] == []
    assert client.get(f"{URL}/{shipment['id']}", headers=shop_headers).get_json()["notify"] is True


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}])
def test_missing_or_wrong_key_is_401(client, db, headers):
    response = client.get(URL, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_update_notify_recipient_and_window(client, shop_headers, make_shipment):
    shipment = make_shipment()
    changes = {"notify": False, "recipient": {"phone": "+31 6 87654321", "language": "en"},
               "window": {"start": "2026-11-24T13:00:00+01:00", "end": "2026-11-24T18:00:00+01:00"}}
    updated = client.patch(f"{URL}/{shipment['id']}", json=changes, headers=shop_headers).get_json()
    assert updated["notify"] is False
    assert updated["recipient"]["phone"] == "+31687654321"
    assert updated["recipient"]["language"] == "en"
    assert updated["window"]["start"].startswith("2026-11-24T12:00:00")


def test_update_with_a_landline_changes_nothing(client, shop_headers, make_shipment):
    shipment = make_shipment()
    response = client.patch(f"{URL}/{shipment['id']}", json={"notify": False, "recipient": {"phone": "0201234567"}},
                            headers=shop_headers)
    assert response.status_code == 422
    assert client.get(f"{URL}/{shipment['id']}", headers=shop_headers).get_json()["notify"] is True


def test_cancel_is_idempotent_and_closes_the_shipment(client, shop_headers, make_shipment):
    shipment = make_shipment()
    first = client.post(f"{URL}/{shipment['id']}/cancel", headers=shop_headers)
    second = client.post(f"{URL}/{shipment['id']}/cancel", headers=shop_headers)
    assert first.get_json()["status"] == second.get_json()["status"] == "cancelled"
    blocked = client.patch(f"{URL}/{shipment['id']}", json={"notify": True}, headers=shop_headers)
    assert blocked.status_code == 409


def test_list_filters_and_cursor_pagination(client, shop_headers, make_shipment):
    ids = {make_shipment(order_ref=f"o{i}", tracking_number=f"T{i}", notify=i % 2 == 0)["id"] for i in range(7)}
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get(URL, query_string=query, headers=shop_headers).get_json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert pages == 3 and len(seen) == 7 and set(seen) == ids
    muted = client.get(URL, query_string={"notify": "false"}, headers=shop_headers).get_json()["items"]
    assert len(muted) == 3 and all(not item["notify"] for item in muted)
    by_ref = client.get(URL, query_string={"order_ref": "o4"}, headers=shop_headers).get_json()["items"]
    assert [item["order_ref"] for item in by_ref] == ["o4"]


@pytest.mark.parametrize("query, field", [({"cursor": "garbage"}, "cursor"), ({"limit": 0}, "limit"),
                                          ({"status": "lost"}, "status"), ({"color": "red"}, "color")])
def test_bad_list_queries_name_the_field(client, shop_headers, query, field):
    response = client.get(URL, query_string=query, headers=shop_headers)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
