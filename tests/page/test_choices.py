"""The page's choices go through the same rebooking path as an SMS reply, against a real carrier simulator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from tracking_testing import token_of

from app.models import RebookingCommand
from carrier_sim import create_app as create_carrier_sim
from carrier_sim.client import SimClient
from devtools.serve import serve_in_thread

SECRET = "test-carrier-secret"


@pytest.fixture(scope="module")
def carrier_sim_url() -> Iterator[str]:
    with serve_in_thread(create_carrier_sim(SECRET, seed=11)) as base_url:
        yield base_url


@pytest.fixture
def parcel(db, clock, carrier, carrier_sim_url, make_shipment, carrier_event):
    """An English recipient's parcel on its way, its carrier reachable through the simulator."""
    SimClient(carrier_sim_url).reset(auto_register=True)
    carrier.api_base_url = carrier_sim_url
    db.session.commit()
    clock.now = datetime.now(UTC)
    shipment = make_shipment(recipient={"phone": "06 12345678", "name": "Anna de Vries", "language": "en"})
    carrier_event("HUB_SCAN", clock.now - timedelta(hours=1))
    return shipment


def _commands(db, shipment_id):
    db.session.expire_all()
    return list(db.session.execute(select(RebookingCommand).where(RebookingCommand.shipment_id == shipment_id)
                                   .order_by(RebookingCommand.created_at)).scalars())


def test_the_page_offers_the_three_choices_while_on_its_way(client, parcel):
    html = client.get(f"/t/{token_of(parcel)}").get_data(as_text=True)
    for label in ("Leave it with the neighbours", "Pick a new slot", "Send it to a pickup point"):
        assert label in html


def test_neighbours_with_a_note_becomes_the_same_command_an_sms_reply_makes(client, db, parcel):
    token = token_of(parcel)
    response = client.post(f"/t/{token}/neighbour", data={"note": "  nr 12, yellow door  "})
    assert response.status_code == 303 and response.headers["Location"].endswith("#rebooking")
    (command,) = _commands(db, parcel["id"])
    assert (command.action, command.params, command.source, command.status) == (
        "neighbour", {"note": "nr 12, yellow door"}, "page", "pending")
    html = client.get(f"/t/{token}").get_data(as_text=True)
    assert "passed your choice to the courier" in html and 'id="choices"' not in html
    # A second click is the same pending command, not a second one.
    client.post(f"/t/{token}/neighbour", data={"note": "nr 12, yellow door"})
    assert len(_commands(db, parcel["id"])) == 1


def test_new_slot_lists_the_carriers_slots_and_books_only_an_offered_one(client, db, parcel):
    token = token_of(parcel)
    page = client.get(f"/t/{token}/slots")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="slot_id"' in html and " between " in html
    slot_id = html.split('name="slot_id" value="', 1)[1].split('"', 1)[0]
    forged = client.post(f"/t/{token}/slots", data={"slot_id": "not-offered"})
    assert forged.status_code == 409 and _commands(db, parcel["id"]) == []
    assert client.post(f"/t/{token}/slots", data={"slot_id": slot_id}).status_code == 303
    (command,) = _commands(db, parcel["id"])
    assert command.action == "reschedule" and command.params["slot_id"] == slot_id and command.source == "page"
    assert datetime.fromisoformat(command.params["starts_at"]).tzinfo is not None


def test_pickup_point_lists_nearby_points_and_sends_the_chosen_one(client, db, parcel):
    token = token_of(parcel)
    html = client.get(f"/t/{token}/pickup-points").get_data(as_text=True)
    point_id = html.split('name="pickup_point_id" value="', 1)[1].split('"', 1)[0]
    assert client.post(f"/t/{token}/pickup-points", data={"pickup_point_id": point_id}).status_code == 303
    (command,) = _commands(db, parcel["id"])
    assert command.action == "pickup_point" and command.params["pickup_point_id"] == point_id
    assert command.params["name"]


def test_no_choices_once_delivered(client, db, parcel, clock, carrier_event):
    token = token_of(parcel)
    carrier_event("DELIVERED", clock.now - timedelta(minutes=1))
    assert 'id="choices"' not in client.get(f"/t/{token}").get_data(as_text=True)
    assert client.post(f"/t/{token}/neighbour", data={"note": "nr 12"}).status_code == 409
    assert client.get(f"/t/{token}/slots").get_data(as_text=True).count('name="slot_id"') == 0
    assert _commands(db, parcel["id"]) == []


def test_no_choices_when_the_carrier_has_no_api(client, db, parcel, carrier):
    carrier.api_base_url = None
    db.session.commit()
    token = token_of(parcel)
    assert 'id="choices"' not in client.get(f"/t/{token}").get_data(as_text=True)
    assert client.post(f"/t/{token}/neighbour", data={}).status_code == 409


def test_an_unreachable_carrier_gets_an_apology_not_an_error(client, db, parcel, carrier):
    carrier.api_base_url = "http://127.0.0.1:1"
    db.session.commit()
    response = client.get(f"/t/{token_of(parcel)}/slots")
    assert response.status_code == 503 and "reach the courier right now" in response.get_data(as_text=True)
