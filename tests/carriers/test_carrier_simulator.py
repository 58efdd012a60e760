"""The simulator's own promises: reproducible offers, exactly-once under concurrency."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import requests

from app.carriers.adapter import CarrierUnavailable, RebookingResult
from app.carriers.http_json import HttpJsonCarrier
from app.carriers.signing import SIGNATURE_HEADER, sign
from carrier_sim.client import SimClient
from carrier_sim.world import World
from devtools.serve import serve_in_thread

MONDAY_EVENING = datetime(2026, 11, 23, 21, 30, tzinfo=UTC)


def _world(seed: int = 0, now: datetime = MONDAY_EVENING) -> World:
    return World(seed, clock=lambda: now, auto_register=True)


def test_slots_depend_only_on_seed_parcel_and_date() -> None:
    first, second = _world(seed=3), _world(seed=3)

    assert first.slots(first.parcel("3SBIJ0001")) == second.slots(second.parcel("3SBIJ0001"))


def test_slots_start_tomorrow_in_dutch_local_time() -> None:
    # 21:30 UTC on Monday is already 22:30 Monday in Amsterdam: slots start Tuesday the 24th.
    world = _world()

    slots = world.slots(world.parcel("3SBIJ0001"))

    days = [slot["starts_at"][:10] for slot in slots[::2]]
    assert days == ["2026-11-24", "2026-11-25", "2026-11-26"]
    assert all(slot["starts_at"].endswith("+01:00") for slot in slots)


def test_pickup_points_are_shared_by_neighbours_with_the_same_postcode() -> None:
    world = _world()
    world.register("3SBIJ0001", postcode="3511 AB", address="Lindelaan 4, 3511 AB Utrecht")
    world.register("3SBIJ0002", postcode="3511 AB", address="Lindelaan 6, 3511 AB Utrecht")

    first, second = (world.pickup_points(world.parcel(n)) for n in ("3SBIJ0001", "3SBIJ0002"))

    assert first == second


def test_re_registering_a_parcel_moves_its_stop(carrier_sim: SimClient) -> None:
    carrier_sim.add_parcel("3SBIJ0001", route_id="R1")
    carrier_sim.add_parcel("3SBIJ0001", route_id="R2")

    routes = carrier_sim.routes()

    assert (routes["R1"], [stop["tracking_number"] for stop in routes["R2"]]) == ([], ["3SBIJ0001"])


def test_concurrent_retries_with_one_key_execute_once(
    carrier_sim: SimClient, http_carrier: HttpJsonCarrier
) -> None:
    carrier_sim.add_parcel("3SBIJ0002")
    carrier_sim.fault("slow", delay_ms=200, count=1)

    def attempt(_: int) -> RebookingResult | str:
        try:
            return http_carrier.redirect_to_neighbour("3SBIJ0002", "nr 12", idempotency_key="cmd-1")
        except CarrierUnavailable as unavailable:
            return unavailable.code or "unavailable"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(8)))

    assert len(carrier_sim.commands()) == 1
    assert set(map(type, outcomes)) <= {RebookingResult, str}
    refusals = {outcome for outcome in outcomes if isinstance(outcome, str)}
    assert refusals <= {"idempotency_key_in_use"}


def test_shop_webhooks_sent_to_the_dev_sink_can_be_read_back(
    carrier_sim: SimClient, carrier_sim_url: str
) -> None:
    body = b'{"event":"rebooking.accepted","tracking_number":"3SBIJ0002"}'
    signature = sign("whsec-demo", body, int(time.time()))

    requests.post(
        f"{carrier_sim_url}/sim/shop-webhook",
        data=body,
        headers={"Content-Type": "application/json", SIGNATURE_HEADER: signature},
        timeout=5,
    ).raise_for_status()

    [webhook] = carrier_sim.shop_webhooks()
    assert webhook["body"]["event"] == "rebooking.accepted"
    assert webhook["headers"][SIGNATURE_HEADER] == signature


def test_fault_settings_are_validated(carrier_sim: SimClient) -> None:
    with pytest.raises(requests.HTTPError):
        carrier_sim.fault("exploding")


def test_serve_in_thread_frees_its_port_when_done() -> None:
    def hello(environ: dict, start_response) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
        return [b"hello"]

    with serve_in_thread(hello) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert requests.get(base_url, timeout=5).text == "hello"

    with pytest.raises(requests.ConnectionError):
        requests.get(base_url, timeout=1)
