"""A shop's own template: refused when saved if it cannot render, used for its texts once saved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.models import Message

URL = "/api/v1/shop/templates"


def test_a_template_that_cannot_render_is_refused_at_save_time(client, shop_headers):
    for body in ("Hoi {{ first_name ", "Hoi {{ voornaam }}", "{{ tracking_url }}" + "x" * 700):
        response = client.put(f"{URL}/arriving_soon/nl", json={"body": body}, headers=shop_headers)
        assert response.status_code == 422, body
        assert response.get_json()["error"]["fields"]["body"]
    assert client.get(URL, headers=shop_headers).get_json()["items"] == []


def test_unknown_kind_or_language_is_named(client, shop_headers):
    response = client.put(f"{URL}/fireworks/xx", json={"body": "x"}, headers=shop_headers)
    assert response.status_code == 422
    assert {"kind", "language"} <= set(response.get_json()["error"]["fields"])


def test_a_saved_template_is_previewed_and_used_for_the_next_text(client, db, shop_headers, make_shipment,
                                                                   carrier_headers):
    body = ("{{ shop_name }}: nog {{ minutes }} min! {% if two_way %}1=buren 2=later 3=afhaalpunt{% endif %} "
            "{{ tracking_url }}")
    saved = client.put(f"{URL}/arriving_soon/nl", json={"body": body}, headers=shop_headers).get_json()
    assert saved["custom"] and saved["segments"] == 1 and ": nog " in saved["preview"]
    shipment = make_shipment()
    now = datetime.now(UTC)
    client.post("/api/v1/carrier/routes/R1/etas", headers=carrier_headers, json={
        "observed_at": now.isoformat(),
        "stops": [{"tracking_number": "3SBIJ0001", "eta": (now + timedelta(minutes=12)).isoformat()}]})
    text = db.session.execute(select(Message).where(Message.shipment_id == shipment["id"])).scalar_one()
    assert text.body.startswith("Bloemenshop: nog 1") and "1=buren" in text.body
    assert client.delete(f"{URL}/arriving_soon/nl", headers=shop_headers).status_code == 204
    assert client.get(f"{URL}/arriving_soon/nl", headers=shop_headers).get_json()["custom"] is False
    assert client.delete(f"{URL}/arriving_soon/nl", headers=shop_headers).status_code == 404
