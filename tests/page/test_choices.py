"""The page's choices go through the same rebooking path as an SMS reply, against a real carrier simulator."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis
from sqlalchemy import select
from tracking_testing import token_of

from app.carriers.http_json import HttpJsonCarrier
from app.models import RebookingCommand, Shipment
from app.notify.statuses import CANONICAL, LIVE
from app.rebooking.service import can_rebook
from app.tracking.choices import CARRIER_TIMEOUT
from carrier_sim import create_app as create_carrier_sim
from carrier_sim.client import SimClient
from devtools.serve import serve_in_thread

SECRET = "test-carrier-secret"


@pytest.fixture(scope="module")
def carrier_sim_url(app) -> Iterator[str]:
    """A carrier simulator on the app's (test) clock: its slot dates and signature checks follow the test's time."""
    with serve_in_thread(create_carrier_sim(SECRET, seed=11, clock=lambda: app.config["CLOCK"]())) as base_url:
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


@pytest.mark.parametrize("language", ["en", "nl"])
def test_opening_the_neighbour_choice_shows_one_neighbour_button_and_a_submit_that_says_what_it_does(
        client, db, clock, make_shipment, carrier_event, language):
    clock.now = datetime.now(UTC)
    parcel = make_shipment(recipient={"phone": "06 12345678", "name": "Anna", "language": language})
    carrier_event("HUB_SCAN", clock.now - timedelta(hours=1))
    html = client.get(f"/t/{token_of(parcel)}").get_data(as_text=True)
    choice = html.split('<details class="choice">', 1)[1].split("</details>", 1)[0]
    summary = re.search(r"<summary[^>]*>(.*?)</summary>", choice).group(1)
    submit = re.search(r'<button type="submit"[^>]*>(.*?)</button>', choice).group(1)
    assert summary == {"en": "Leave it with the neighbours", "nl": "Bij de buren afgeven"}[language]
    assert submit == {"en": "Send to the driver", "nl": "Doorgeven aan de bezorger"}[language]
    assert html.count(f">{summary}<") == 1


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


@pytest.fixture
def carrier_calls(monkeypatch) -> list[tuple[str, float]]:
    """Record each listing that reaches the carrier, with the adapter's timeout (the real call still happens)."""
    calls = []
    for name in ("available_slots", "pickup_points"):
        def spy(adapter, *args, _real=getattr(HttpJsonCarrier, name), _name=name, **kwargs):
            calls.append((_name, adapter._timeout))
            return _real(adapter, *args, **kwargs)

        monkeypatch.setattr(HttpJsonCarrier, name, spy)
    return calls


def _option_ids(html: str, field: str) -> list[str]:
    return re.findall(rf'name="{field}" value="([^"]+)"', html)


def test_reloading_the_slots_asks_the_carrier_once_and_the_choice_is_checked_against_that_listing(
        client, db, parcel, carrier_calls):
    token = token_of(parcel)
    first, again = client.get(f"/t/{token}/slots"), client.get(f"/t/{token}/slots")
    assert first.status_code == again.status_code == 200
    slot_ids = _option_ids(first.get_data(as_text=True), "slot_id")
    assert slot_ids and _option_ids(again.get_data(as_text=True), "slot_id") == slot_ids
    assert client.post(f"/t/{token}/slots", data={"slot_id": "not-offered"}).status_code == 409
    assert client.post(f"/t/{token}/slots", data={"slot_id": slot_ids[-1]}).status_code == 303
    assert carrier_calls == [("available_slots", CARRIER_TIMEOUT)]  # shorter than the workers' 5 s
    (command,) = _commands(db, parcel["id"])
    assert command.params["slot_id"] == slot_ids[-1]


def test_reloading_the_pickup_points_asks_the_carrier_once(client, db, parcel, carrier_calls):
    token = token_of(parcel)
    pages = [client.get(f"/t/{token}/pickup-points").get_data(as_text=True) for _ in range(3)]
    point_ids = _option_ids(pages[0], "pickup_point_id")
    assert point_ids and all(_option_ids(page, "pickup_point_id") == point_ids for page in pages)
    assert client.post(f"/t/{token}/pickup-points", data={"pickup_point_id": point_ids[0]}).status_code == 303
    assert carrier_calls == [("pickup_points", CARRIER_TIMEOUT)]


def test_a_configured_carrier_timeout_below_the_pages_own_is_kept(app, client, parcel, carrier_calls):
    usual, app.config["CARRIER_TIMEOUT_SECONDS"] = app.config["CARRIER_TIMEOUT_SECONDS"], 1.5
    try:
        assert client.get(f"/t/{token_of(parcel)}/slots").status_code == 200
    finally:
        app.config["CARRIER_TIMEOUT_SECONDS"] = usual
    assert carrier_calls == [("available_slots", 1.5)]


def test_a_carrier_that_cannot_answer_is_not_asked_again_on_every_reload(client, db, parcel, carrier_sim_url,
                                                                         carrier_calls):
    SimClient(carrier_sim_url).fault("down")
    token = token_of(parcel)
    for _ in range(3):
        response = client.get(f"/t/{token}/slots")
        assert response.status_code == 503 and "reach the courier right now" in response.get_data(as_text=True)
    assert client.post(f"/t/{token}/slots", data={"slot_id": "anything"}).status_code == 503
    assert carrier_calls == [("available_slots", CARRIER_TIMEOUT)] and _commands(db, parcel["id"]) == []


def test_after_a_refused_choice_the_page_lists_fresh_slots(client, db, parcel, carrier_sim_url, carrier_calls,
                                                            run_jobs):
    token = token_of(parcel)
    slot_ids = _option_ids(client.get(f"/t/{token}/slots").get_data(as_text=True), "slot_id")
    SimClient(carrier_sim_url).fault("refuse", refuse_code="slot_taken", count=1)
    assert client.post(f"/t/{token}/slots", data={"slot_id": slot_ids[0]}).status_code == 303
    run_jobs()
    assert _commands(db, parcel["id"])[0].status == "refused"
    assert "the courier couldn&#39;t make that change" in client.get(f"/t/{token}").get_data(as_text=True)
    assert _option_ids(client.get(f"/t/{token}/slots").get_data(as_text=True), "slot_id")
    page_calls = [name for name, timeout in carrier_calls if timeout == CARRIER_TIMEOUT]  # not the worker's
    assert page_calls == ["available_slots", "available_slots"]


def test_without_redis_the_page_still_lists_by_asking_the_carrier(app, client, parcel, carrier_calls, monkeypatch):
    monkeypatch.setitem(app.extensions, "redis", Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1))
    token = token_of(parcel)
    for _ in range(2):
        response = client.get(f"/t/{token}/slots")
        assert response.status_code == 200 and _option_ids(response.get_data(as_text=True), "slot_id")
    assert len(carrier_calls) == 2


@pytest.mark.parametrize("status", CANONICAL)
def test_the_page_offers_choices_exactly_when_an_sms_reply_could_make_one(client, db, parcel, status):
    shipment = db.session.get(Shipment, parcel["id"])
    shipment.status = status
    db.session.commit()
    html = client.get(f"/t/{token_of(parcel)}").get_data(as_text=True)
    assert ('id="choices"' in html) is can_rebook(shipment) is (status in LIVE)
