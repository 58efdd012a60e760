"""Feedback after delivery: on the page, by SMS, one row per parcel, visible through the shop API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tracking_testing import token_of

from app.models import Feedback, Shipment
from app.tracking.feedback import FeedbackRefused, record_feedback, store_feedback

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def delivered(clock, make_shipment, carrier_event):
    clock.now = NOW
    parcel = make_shipment(recipient={"phone": "06 12345678", "name": "Anna de Vries", "language": "en"})
    carrier_event("DELIVERED", NOW - timedelta(minutes=10))
    return parcel


def test_feedback_form_appears_only_after_delivery(client, db, clock, make_shipment, carrier_event):
    clock.now = NOW
    parcel = make_shipment()
    token = token_of(parcel)
    assert 'id="feedback"' not in client.get(f"/t/{token}").get_data(as_text=True)
    refused = client.post(f"/t/{token}/feedback", data={"rating": "5"})
    assert refused.status_code == 409 and db.session.get(Feedback, parcel["id"]) is None
    assert "Je kunt de bezorging beoordelen zodra je pakket er is." in refused.get_data(as_text=True)
    carrier_event("DELIVERED", NOW - timedelta(minutes=1))
    assert 'id="feedback"' in client.get(f"/t/{token}").get_data(as_text=True)


def test_feedback_on_the_page_is_stored_and_a_second_one_updates_it(client, db, delivered, shop_headers):
    token = token_of(delivered)
    response = client.post(f"/t/{token}/feedback", data={"rating": "4", "comment": "  Friendly driver  "})
    # Relative, so the redirect stays on the shop's own domain behind its reverse proxy.
    assert response.status_code == 303 and response.headers["Location"] == f"/t/{token}#feedback"
    api = client.get(f"/api/v1/shipments/{delivered['id']}/feedback", headers=shop_headers).get_json()
    assert api["rating"] == 4 and api["comment"] == "Friendly driver" and api["source"] == "page"
    client.post(f"/t/{token}/feedback", data={"rating": "5", "comment": ""})
    again = client.get(f"/api/v1/shipments/{delivered['id']}/feedback", headers=shop_headers).get_json()
    assert again["rating"] == 5 and again["comment"] is None
    assert db.session.query(Feedback).count() == 1
    html = client.get(f"/t/{token}").get_data(as_text=True)
    assert "Thank you! You gave the delivery 5 out of 5." in html and 'value="5" checked' in html


@pytest.mark.parametrize("rating", ["0", "6", "", "4.5", "five", "-1"])
def test_a_bad_rating_changes_nothing(client, db, delivered, rating):
    response = client.post(f"/t/{token_of(delivered)}/feedback", data={"rating": rating})
    assert response.status_code == 422
    assert "Please pick a score from 1 to 5." in response.get_data(as_text=True)
    assert db.session.get(Feedback, delivered["id"]) is None


def test_a_long_comment_is_trimmed_not_refused(client, db, delivered):
    client.post(f"/t/{token_of(delivered)}/feedback", data={"rating": "3", "comment": "x" * 5000})
    assert len(db.session.get(Feedback, delivered["id"]).comment) == 1000


def test_an_sms_rating_lands_in_the_same_row_and_shows_on_the_page(client, db, delivered, shop_headers):
    token = token_of(delivered)
    client.post(f"/t/{token}/feedback", data={"rating": "2", "comment": "Left in the rain"})
    shipment = db.session.get(Shipment, delivered["id"])
    record_feedback(shipment, 3, None, "sms", NOW)
    api = client.get(f"/api/v1/shipments/{delivered['id']}/feedback", headers=shop_headers).get_json()
    assert (api["rating"], api["comment"], api["source"]) == (3, "Left in the rain", "sms")
    assert "You gave the delivery 3 out of 5." in client.get(f"/t/{token}").get_data(as_text=True)


def test_record_feedback_refuses_out_of_range_and_undelivered(db, make_shipment):
    shipment = db.session.get(Shipment, make_shipment()["id"])
    with pytest.raises(FeedbackRefused):
        record_feedback(shipment, 5, None, "page", NOW)
    shipment.status = "delivered"
    with pytest.raises(FeedbackRefused):
        record_feedback(shipment, 9, None, "page", NOW)


def test_feedback_api_404s_until_there_is_feedback_and_hides_other_shops(client, db, delivered, shop_headers):
    from app.cli import create_shop

    missing = client.get(f"/api/v1/shipments/{delivered['id']}/feedback", headers=shop_headers)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    client.post(f"/t/{token_of(delivered)}/feedback", data={"rating": "5"})
    _, other_key = create_shop("Andere winkel")
    other = {"Authorization": f"Bearer {other_key}"}
    assert client.get(f"/api/v1/shipments/{delivered['id']}/feedback", headers=other).status_code == 404
    assert client.get("/api/v1/feedback", headers=other).get_json() == {"items": []}
    assert client.get("/api/v1/feedback").status_code == 401


def test_feedback_list_is_newest_first_and_filters_by_score(client, db, clock, shop_headers, make_shipment,
                                                            carrier_event):
    clock.now = NOW
    for i, rating in enumerate((5, 2, 4)):
        number = f"3SFB{i}"
        parcel = make_shipment(order_ref=f"F{i}", tracking_number=number)
        carrier_event("DELIVERED", NOW - timedelta(minutes=30), tracking_number=number)
        clock.now = NOW + timedelta(minutes=i)
        client.post(f"/t/{token_of(parcel)}/feedback", data={"rating": str(rating)})
    items = client.get("/api/v1/feedback", headers=shop_headers).get_json()["items"]
    assert [item["rating"] for item in items] == [4, 2, 5]
    assert [item["order_ref"] for item in items] == ["F2", "F1", "F0"]
    low = client.get("/api/v1/feedback?rating=2", headers=shop_headers).get_json()["items"]
    assert [item["order_ref"] for item in low] == ["F1"]
    assert client.get("/api/v1/feedback?rating=9", headers=shop_headers).status_code == 422


def test_feedback_endpoints_are_documented(client, db):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/shipments/{shipment_id}/feedback" in spec["paths"] and "/api/v1/feedback" in spec["paths"]
    assert "FeedbackOut" in spec["components"]["schemas"]


def test_a_rating_texted_through_the_phone_simulator_and_one_on_the_page_share_one_row(
        client, db, clock, shop, make_shipment, carrier_event, run_jobs, shop_headers):
    # Real time: the worker sends with the real clock. No quiet hours, so "delivered" goes out at once.
    shop.quiet_start = shop.quiet_end = "00:00"
    db.session.commit()
    clock.now = now = datetime.now(UTC)
    parcel = make_shipment(recipient={"phone": "06 12345678", "name": "Anna de Vries", "language": "en"})
    carrier_event("DELIVERED", now - timedelta(minutes=1))
    run_jobs()  # the delivered text asks for a score
    reply = client.post("/dev/phone/reply", data={"number": "+31612345678", "body": "4"})
    assert "webhook=200" in reply.headers["Location"]
    run_jobs()  # the reply worker reads "4" as a rating
    by_sms = client.get(f"/api/v1/shipments/{parcel['id']}/feedback", headers=shop_headers).get_json()
    assert (by_sms["rating"], by_sms["source"]) == (4, "sms")
    token = token_of(parcel)
    assert "You gave the delivery 4 out of 5." in client.get(f"/t/{token}").get_data(as_text=True)
    client.post(f"/t/{token}/feedback", data={"rating": "5", "comment": "Lovely driver"})
    on_page = client.get(f"/api/v1/shipments/{parcel['id']}/feedback", headers=shop_headers).get_json()
    assert (on_page["rating"], on_page["comment"], on_page["source"]) == (5, "Lovely driver", "page")
    assert db.session.query(Feedback).count() == 1


def test_a_rating_is_kept_once_delivered_even_if_a_stray_scan_moved_the_status_on(db, delivered):
    shipment = db.session.get(Shipment, delivered["id"])
    shipment.status = "in_transit"  # what a carrier scan after delivery can do
    db.session.commit()
    assert store_feedback(shipment, 5, None, "sms", NOW).rating == 5


def test_a_parcel_never_delivered_cannot_be_rated(db, clock, make_shipment, carrier_event):
    clock.now = NOW
    parcel = make_shipment()
    carrier_event("HUB_SCAN", NOW - timedelta(hours=1))
    with pytest.raises(FeedbackRefused):
        store_feedback(db.session.get(Shipment, parcel["id"]), 5, None, "sms", NOW)
    assert db.session.get(Feedback, parcel["id"]) is None
