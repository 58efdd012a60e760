"""Reading slots, pickup points and route stops from a carrier over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.carriers.adapter import CarrierAdapter, CarrierRefused, PickupPoint, Slot
from app.carriers.http_json import HttpJsonCarrier
from carrier_sim.client import SimClient
from carrier_sim.world import DEFAULT_ROUTE


def test_slots_are_the_next_three_days_morning_and_evening(
    carrier_sim: SimClient, http_carrier: HttpJsonCarrier
) -> None:
    carrier_sim.add_parcel("3SBIJ0001")

    slots = http_carrier.available_slots("3SBIJ0001")

    assert len(slots) == 6
    assert all(isinstance(slot, Slot) for slot in slots)
    assert [slot.starts_at for slot in slots] == sorted(slot.starts_at for slot in slots)
    assert all(slot.starts_at.tzinfo is not None for slot in slots)
    assert all(slot.ends_at > slot.starts_at for slot in slots)
    assert slots[0].starts_at > datetime.now(UTC)
    assert len({slot.starts_at.date() for slot in slots}) == 3


def test_slots_are_the_same_on_every_call(
    carrier_sim: SimClient, http_carrier: HttpJsonCarrier
) -> None:
    carrier_sim.add_parcel("3SBIJ0001")

    assert http_carrier.available_slots("3SBIJ0001") == http_carrier.available_slots("3SBIJ0001")


def test_slots_after_a_moment_leave_out_earlier_windows(
    carrier_sim: SimClient, http_carrier: HttpJsonCarrier
) -> None:
    carrier_sim.add_parcel("3SBIJ0001")
    every_slot = http_carrier.available_slots("3SBIJ0001")

    later = http_carrier.available_slots("3SBIJ0001", after=every_slot[2].starts_at)

    assert later == every_slot[2:]


def test_a_full_window_is_no_longer_offered(
    carrier_sim: SimClient, http_carrier: HttpJsonCarrier
) -> None:
    carrier_sim.add_parcel("3SBIJ0001")
    first = http_carrier.available_slots("3SBIJ0001")[0]

    carrier_sim.take_slot(first.id)

    assert first not in http_carrier.available_slots("3SBIJ0001")


def test_a_naive_after_is_a_programming_error(http_carrier: HttpJsonCarrier) -> None:
    with pytest.raises(ValueError):
        http_carrier.available_slots("3SBIJ0001", after=datetime(2026, 11, 24, 12, 0))


def test_pickup_points_near_the_address_are_listed(
    carrier_sim: SimClient, http_carrier: HttpJsonCarrier
) -> None:
    carrier_sim.add_parcel("3SBIJ0001", address="Lindelaan 4, 3511 AB Utrecht", postcode="3511 AB")

    points = http_carrier.pickup_points("3SBIJ0001")

    assert len(points) == 3
    assert all(isinstance(point, PickupPoint) for point in points)
    assert len({point.id for point in points}) == 3
    assert all("3511 AB Utrecht" in point.address and point.name for point in points)


def test_route_stops_come_in_driving_order(
    carrier_sim: SimClient, http_carrier: HttpJsonCarrier
) -> None:
    carrier_sim.add_parcel("3SBIJ0001")
    carrier_sim.add_parcel("3SBIJ0003")
    carrier_sim.add_parcel("3SBIJ0002", stop_sequence=2)

    stops = http_carrier.route_stops(DEFAULT_ROUTE)

    assert [stop["tracking_number"] for stop in stops] == ["3SBIJ0001", "3SBIJ0002", "3SBIJ0003"]
    assert [stop["sequence"] for stop in stops] == [1, 2, 3]
    assert all(stop["address"] and stop["instruction"] is None for stop in stops)


@pytest.mark.parametrize("read", ["available_slots", "pickup_points"])
def test_reading_an_unknown_parcel_is_refused(
    carrier_sim: SimClient, http_carrier: HttpJsonCarrier, read: str
) -> None:
    with pytest.raises(CarrierRefused) as refusal:
        getattr(http_carrier, read)("3SNOBODY")

    assert (refusal.value.code, refusal.value.status) == ("unknown_parcel", 404)


def test_reading_an_unknown_route_is_refused(
    carrier_sim: SimClient, http_carrier: HttpJsonCarrier
) -> None:
    with pytest.raises(CarrierRefused) as refusal:
        http_carrier.route_stops("R-nowhere")

    assert refusal.value.code == "unknown_route"


def test_an_unseen_parcel_joins_the_default_route_when_auto_registration_is_on(
    carrier_sim: SimClient, http_carrier: HttpJsonCarrier
) -> None:
    carrier_sim.reset(auto_register=True)

    assert http_carrier.available_slots("3SNEWCOMER")
    assert carrier_sim.parcel("3SNEWCOMER")["route_id"] == "sim-route-1"


def test_tracking_numbers_are_escaped_in_the_url(
    carrier_sim: SimClient, http_carrier: HttpJsonCarrier
) -> None:
    carrier_sim.add_parcel("JJD 0001+2")

    assert len(http_carrier.available_slots("JJD 0001+2", after=datetime.now(UTC))) == 6


def test_the_generic_adapter_satisfies_the_interface() -> None:
    carrier = HttpJsonCarrier("http://127.0.0.1:9", "secret")

    assert isinstance(carrier, CarrierAdapter)
