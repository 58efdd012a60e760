"""The console through its real HTTP entry points: log in, find a parcel, read its story, act on it."""

from __future__ import annotations


def test_an_agent_finds_a_parcel_by_a_phone_number_in_another_format(logged_in, make_shipment):
    parcel = make_shipment()
    response = logged_in.get("/console/search", query_string={"q": "+31 6-12 34 56 78"})
    assert response.status_code == 302 and response.location.endswith(f"/console/parcels/{parcel['id']}")
    page = logged_in.get(response.location).get_data(as_text=True)
    assert "Anna de Vries" in page and "/t/" in page
