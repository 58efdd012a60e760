"""Rebooking commands change the courier's route, exactly once per idempotency key."""

from __future__ import annotations

import pytest

from app.carriers.adapter import CarrierContractError, RebookingResult
from app.carriers.http_json import HttpJsonCarrier
from carrier_sim.client import SimClient
from carrier_sim.world import DEFAULT_ROUTE


def _stops(carrier: HttpJsonCarrier) -> dict[str, dict]:
    return {stop["tracking_number"]: stop for stop in carrier.route_stops(DEFAULT_ROUTE)}


@pytest.fixture
def route(carrier_sim: SimClient) -> SimClient:
    """Put three parcels on today's route; 3SBIJ0002 is the one being rebooked."""
    for tracking_number in ("3SBIJ0001", "3SBIJ0002", "3SBIJ0003"):
        carrier_sim.add_parcel(tracking_number)
    return carrier_sim


def test_neighbour_redirect_gives_the_driver_an_instruction(
    route: SimClient, http_carrier: HttpJsonCarrier
) -> None:
    result = http_carrier.redirect_to_neighbour("3SBIJ0002", "nr 12", idempotency_key="cmd-1")

    assert result.accepted and result.carrier_reference
    stop = _stops(http_carrier)["3SBIJ0002"]
    assert stop["instruction"] == "deliver to neighbour: nr 12"
    assert stop["sequence"] == 2


def test_neighbour_redirect_without_a_note_leaves_the_choice_to_the_driver(
    route: SimClient, http_carrier: HttpJsonCarrier
) -> None:
    assert http_carrier.redirect_to_neighbour("3SBIJ0002", None, idempotency_key="cmd-1").accepted

    assert _stops(http_carrier)["3SBIJ0002"]["instruction"] == "deliver to a neighbour"


def test_reschedule_takes_the_stop_off_todays_route(
    route: SimClient, http_carrier: HttpJsonCarrier
) -> None:
    slot = http_carrier.available_slots("3SBIJ0002")[3]

    result = http_carrier.reschedule("3SBIJ0002", slot.id, idempotency_key="cmd-1")

    assert result.accepted
    assert list(_stops(http_carrier)) == ["3SBIJ0001", "3SBIJ0003"]
    assert route.parcel("3SBIJ0002")["slot_id"] == slot.id


def test_pickup_point_redirect_takes_the_stop_off_the_route(
    route: SimClient, http_carrier: HttpJsonCarrier
) -> None:
    point = http_carrier.pickup_points("3SBIJ0002")[1]

    result = http_carrier.redirect_to_pickup_point("3SBIJ0002", point.id, idempotency_key="cmd-1")

    assert result.accepted
    assert "3SBIJ0002" not in _stops(http_carrier)
    assert route.parcel("3SBIJ0002")["pickup_point_id"] == point.id


def test_pickup_point_redirect_without_a_choice_goes_to_the_nearest(
    route: SimClient, http_carrier: HttpJsonCarrier
) -> None:
    nearest = http_carrier.pickup_points("3SBIJ0002")[0]

    result = http_carrier.redirect_to_pickup_point("3SBIJ0002", None, idempotency_key="cmd-1")

    assert result.accepted
    assert route.parcel("3SBIJ0002")["pickup_point_id"] == nearest.id


def test_the_same_key_twice_executes_once_and_replays_the_answer(
    route: SimClient, http_carrier: HttpJsonCarrier
) -> None:
    first = http_carrier.redirect_to_neighbour("3SBIJ0002", "nr 12", idempotency_key="cmd-1")
    again = http_carrier.redirect_to_neighbour("3SBIJ0002", "nr 12", idempotency_key="cmd-1")

    assert again == first
    assert [command["idempotency_key"] for command in route.commands()] == ["cmd-1"]


def test_the_same_key_with_another_body_is_a_contract_error_and_changes_nothing(
    route: SimClient, http_carrier: HttpJsonCarrier
) -> None:
    http_carrier.redirect_to_neighbour("3SBIJ0002", "nr 12", idempotency_key="cmd-1")

    with pytest.raises(CarrierContractError) as conflict:
        http_carrier.redirect_to_neighbour("3SBIJ0002", "nr 14", idempotency_key="cmd-1")

    assert (conflict.value.status, conflict.value.code) == (409, "idempotency_key_reused")
    assert _stops(http_carrier)["3SBIJ0002"]["instruction"] == "deliver to neighbour: nr 12"
    assert len(route.commands()) == 1


def test_a_refusal_is_final_for_its_key(route: SimClient, http_carrier: HttpJsonCarrier) -> None:
    slot = http_carrier.available_slots("3SBIJ0002")[0]
    route.take_slot(slot.id)
    refused = http_carrier.reschedule("3SBIJ0002", slot.id, idempotency_key="cmd-1")

    assert http_carrier.reschedule("3SBIJ0002", slot.id, idempotency_key="cmd-1") == refused
    assert route.commands() == []


def test_a_full_slot_is_refused(route: SimClient, http_carrier: HttpJsonCarrier) -> None:
    slot = http_carrier.available_slots("3SBIJ0002")[0]
    route.take_slot(slot.id)

    result = http_carrier.reschedule("3SBIJ0002", slot.id, idempotency_key="cmd-1")

    assert result == RebookingResult(False, "slot_taken", f"slot {slot.id} is full", None)
    assert "3SBIJ0002" in _stops(http_carrier)


@pytest.mark.parametrize(
    ("parcel", "expected_code"),
    [
        ({"neighbour_allowed": False}, "not_allowed"),
        ({"status": "delivered"}, "too_late"),
        ({"status": "at_pickup_point"}, "not_allowed"),
    ],
)
def test_a_neighbour_redirect_the_carrier_cannot_do_is_refused(
    carrier_sim: SimClient, http_carrier: HttpJsonCarrier, parcel: dict, expected_code: str
) -> None:
    carrier_sim.add_parcel("3SBIJ0002", **parcel)

    result = http_carrier.redirect_to_neighbour("3SBIJ0002", "nr 12", idempotency_key="cmd-1")

    assert (result.accepted, result.reason_code) == (False, expected_code)
    assert result.message
    assert carrier_sim.commands() == []


def test_rebooking_an_unknown_parcel_is_refused(
    carrier_sim: SimClient, http_carrier: HttpJsonCarrier
) -> None:
    result = http_carrier.reschedule("3SNOBODY", "20261124-08-12", idempotency_key="cmd-1")

    assert (result.accepted, result.reason_code) == (False, "unknown_parcel")


@pytest.mark.parametrize(
    ("rebooking", "choice", "expected_code"),
    [
        ("reschedule", "19990101-08-12", "unknown_slot"),
        ("redirect_to_pickup_point", "pp-elsewhere", "unknown_pickup_point"),
    ],
)
def test_choices_the_carrier_never_offered_are_refused(
    route: SimClient, http_carrier: HttpJsonCarrier, rebooking: str, choice: str, expected_code: str
) -> None:
    result = getattr(http_carrier, rebooking)("3SBIJ0002", choice, idempotency_key="cmd-1")

    assert (result.accepted, result.reason_code) == (False, expected_code)
    assert "3SBIJ0002" in _stops(http_carrier)


def test_a_second_rebooking_of_a_rescheduled_parcel_is_refused(
    route: SimClient, http_carrier: HttpJsonCarrier
) -> None:
    slot = http_carrier.available_slots("3SBIJ0002")[0]
    http_carrier.reschedule("3SBIJ0002", slot.id, idempotency_key="cmd-1")

    result = http_carrier.redirect_to_neighbour("3SBIJ0002", "nr 12", idempotency_key="cmd-2")

    assert (result.accepted, result.reason_code) == (False, "not_allowed")


def test_a_rebooking_needs_an_idempotency_key(http_carrier: HttpJsonCarrier) -> None:
    with pytest.raises(ValueError):
        http_carrier.redirect_to_neighbour("3SBIJ0002", "nr 12", idempotency_key="")
