"""Outages, slowness, throttling, bad signatures and off-contract answers, over real HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import pytest
import requests

from app.carriers.adapter import CarrierContractError, CarrierUnavailable
from app.carriers.http_json import HttpJsonCarrier
from app.carriers.signing import SIGNATURE_HEADER, sign
from carrier_sim.client import SimClient
from devtools.serve import serve_in_thread


@pytest.fixture
def parcel(carrier_sim: SimClient) -> str:
    """Put one parcel on a route and return its tracking number."""
    carrier_sim.add_parcel("3SBIJ0002")
    return "3SBIJ0002"


def _wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def test_an_outage_is_retryable_and_the_retry_executes_once(
    carrier_sim: SimClient, http_carrier: HttpJsonCarrier, parcel: str
) -> None:
    carrier_sim.fault("down", count=1)

    with pytest.raises(CarrierUnavailable) as outage:
        http_carrier.redirect_to_neighbour(parcel, "nr 12", idempotency_key="cmd-1")
    assert outage.value.status == 503
    assert carrier_sim.commands() == []

    assert http_carrier.redirect_to_neighbour(parcel, "nr 12", idempotency_key="cmd-1").accepted
    assert len(carrier_sim.commands()) == 1


def test_a_read_during_an_outage_is_retryable(
    carrier_sim: SimClient, http_carrier: HttpJsonCarrier, parcel: str
) -> None:
    carrier_sim.fault("down")

    with pytest.raises(CarrierUnavailable):
        http_carrier.available_slots(parcel)


def test_throttling_is_retryable_and_says_when(
    carrier_sim: SimClient, http_carrier: HttpJsonCarrier, parcel: str
) -> None:
    carrier_sim.fault("throttle", count=1)

    with pytest.raises(CarrierUnavailable) as throttled:
        http_carrier.reschedule(parcel, "20261124-08-12", idempotency_key="cmd-1")

    assert (throttled.value.status, throttled.value.retry_after) == (429, 1.0)
    assert carrier_sim.commands() == []


def test_an_injected_refusal_is_a_result_with_its_code(
    carrier_sim: SimClient, http_carrier: HttpJsonCarrier, parcel: str
) -> None:
    carrier_sim.fault("refuse", refuse_code="too_late", count=1)

    result = http_carrier.redirect_to_pickup_point(parcel, None, idempotency_key="cmd-1")

    assert (result.accepted, result.reason_code) == (False, "too_late")
    assert carrier_sim.commands() == []


def test_a_slow_answer_times_out_and_the_retries_execute_it_once(
    carrier_sim: SimClient, carrier_sim_url: str, carrier_secret: str, parcel: str
) -> None:
    impatient = HttpJsonCarrier(carrier_sim_url, carrier_secret, timeout=0.3)
    carrier_sim.fault("slow", delay_ms=1200, count=1)

    with pytest.raises(CarrierUnavailable):
        impatient.redirect_to_neighbour(parcel, "nr 12", idempotency_key="cmd-1")
    # Still executing on the carrier's side: the retry is told to come back, not run twice.
    with pytest.raises(CarrierUnavailable) as in_use:
        impatient.redirect_to_neighbour(parcel, "nr 12", idempotency_key="cmd-1")
    assert in_use.value.code == "idempotency_key_in_use"

    _wait_until(lambda: len(carrier_sim.commands()) == 1)
    result = impatient.redirect_to_neighbour(parcel, "nr 12", idempotency_key="cmd-1")

    assert result.accepted
    assert result.carrier_reference == carrier_sim.commands()[0]["carrier_reference"]
    assert len(carrier_sim.commands(idempotency_key="cmd-1")) == 1


def test_a_slow_read_times_out(
    carrier_sim: SimClient, carrier_sim_url: str, carrier_secret: str, parcel: str
) -> None:
    carrier_sim.fault("slow", delay_ms=800, count=1)

    with pytest.raises(CarrierUnavailable, match="timed out"):
        HttpJsonCarrier(carrier_sim_url, carrier_secret, timeout=0.2).pickup_points(parcel)


def test_a_wrong_secret_is_rejected_with_401_and_executes_nothing(
    carrier_sim: SimClient, carrier_sim_url: str, parcel: str
) -> None:
    impostor = HttpJsonCarrier(carrier_sim_url, "not-the-secret")

    with pytest.raises(CarrierContractError) as rejected:
        impostor.redirect_to_neighbour(parcel, "nr 12", idempotency_key="cmd-1")

    assert (rejected.value.status, rejected.value.code) == (401, "bad_signature")
    assert carrier_sim.commands() == []


def test_a_stale_signature_is_rejected(
    carrier_sim: SimClient, carrier_sim_url: str, carrier_secret: str, parcel: str
) -> None:
    def six_minutes_slow() -> float:
        return time.time() - 360

    lagging = HttpJsonCarrier(carrier_sim_url, carrier_secret, clock=six_minutes_slow)

    with pytest.raises(CarrierContractError) as rejected:
        lagging.available_slots(parcel)

    assert rejected.value.status == 401


def test_an_unsigned_request_is_rejected(carrier_sim_url: str, parcel: str) -> None:
    response = requests.get(f"{carrier_sim_url}/v1/parcels/{parcel}/slots", timeout=5)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_signature"


def test_a_read_signature_only_opens_the_resource_it_was_made_for(
    carrier_sim: SimClient, carrier_sim_url: str, carrier_secret: str, parcel: str
) -> None:
    header = sign(carrier_secret, f"/v1/parcels/{parcel}/slots".encode(), int(time.time()))

    response = requests.get(
        f"{carrier_sim_url}/v1/parcels/{parcel}/pickup-points",
        headers={SIGNATURE_HEADER: header},
        timeout=5,
    )

    assert response.status_code == 401


def test_a_command_without_an_idempotency_key_is_rejected(
    carrier_sim: SimClient, carrier_sim_url: str, carrier_secret: str, parcel: str
) -> None:
    body = f'{{"note":"nr 12","tracking_number":"{parcel}"}}'.encode()

    response = requests.post(
        f"{carrier_sim_url}/v1/parcels/{parcel}/redirect-to-neighbour",
        data=body,
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(carrier_secret, body, int(time.time())),
        },
        timeout=5,
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_required"
    assert carrier_sim.commands() == []


def test_an_unreachable_carrier_is_retryable() -> None:
    with serve_in_thread(_answering(200, b"{}")) as base_url:
        pass  # the port is closed again once the server has stopped

    with pytest.raises(CarrierUnavailable, match="unreachable"):
        HttpJsonCarrier(base_url, "secret", timeout=1.0).route_stops("R1")


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, b"<html>Not Found</html>"),
        (404, b'{"error": {"code": "unknown_endpoint", "message": "no such path"}}'),
        (418, b"I'm a teapot"),
        (200, b"<html>Welcome to nginx</html>"),
        (200, b'{"slots": "soon"}'),
        (302, b""),
    ],
)
def test_answers_outside_the_contract_are_contract_errors_not_refusals(
    status: int, body: bytes
) -> None:
    with serve_in_thread(_answering(status, body)) as base_url:
        with pytest.raises(CarrierContractError):
            HttpJsonCarrier(base_url, "secret").available_slots("3SBIJ0002")


def test_a_proxy_error_page_is_retryable() -> None:
    with serve_in_thread(_answering(502, b"<html>Bad Gateway</html>")) as base_url:
        with pytest.raises(CarrierUnavailable) as unavailable:
            HttpJsonCarrier(base_url, "secret").reschedule("3SBIJ0002", "s1", idempotency_key="k")

    assert unavailable.value.status == 502


def _answering(status: int, body: bytes) -> Callable[..., Iterable[bytes]]:
    """Return a WSGI app that gives every request the same raw answer."""

    def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
        start_response(
            f"{status} Whatever",
            [("Content-Length", str(len(body))), ("Location", "http://example.invalid/")],
        )
        return [body]

    return app
