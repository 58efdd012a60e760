"""A carrier simulator on a real loopback port, and the generic adapter pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from app.carriers.http_json import HttpJsonCarrier
from carrier_sim import create_app
from carrier_sim.client import SimClient
from devtools.serve import serve_in_thread

CARRIER_SECRET = "test-carrier-secret"


@pytest.fixture(scope="module")
def carrier_sim_url() -> Iterator[str]:
    """Serve one simulator per test module over real HTTP."""
    with serve_in_thread(create_app(CARRIER_SECRET, seed=7)) as base_url:
        yield base_url


@pytest.fixture
def carrier_secret() -> str:
    """Return the secret the simulator verifies signatures with."""
    return CARRIER_SECRET


@pytest.fixture
def carrier_sim(carrier_sim_url: str) -> Iterator[SimClient]:
    """Give each test an empty simulator that refuses parcels it was not told about."""
    sim = SimClient(carrier_sim_url)
    sim.reset(auto_register=False)
    yield sim
    sim.close()


@pytest.fixture
def http_carrier(carrier_sim_url: str) -> Iterator[HttpJsonCarrier]:
    """Return the generic adapter signed with the simulator's secret."""
    session = requests.Session()
    yield HttpJsonCarrier(carrier_sim_url, CARRIER_SECRET, timeout=2.0, session=session)
    session.close()
