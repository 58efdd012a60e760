"""Fixtures for the reply and rebooking flows; load with `pytest_plugins = ("replies_fixtures",)`."""

from __future__ import annotations

import pytest

from bijna_testing import test_now
from carrier_sim import create_app as create_sim
from carrier_sim.client import SimClient
from devtools.serve import serve_in_thread
from replies_testing import CARRIER_SECRET, WEBHOOK_SECRET


@pytest.fixture(scope="session")
def sim_url(app):
    """One carrier simulator for the run, on a real loopback port, living on the app's (test) clock."""
    with serve_in_thread(create_sim(CARRIER_SECRET, seed=7, clock=lambda: app.config["CLOCK"]())) as base_url:
        yield base_url


@pytest.fixture
def sim(sim_url, db, shop, carrier):
    """An empty simulator the carrier points at, and a shop whose webhooks land in it."""
    client = SimClient(sim_url)
    client.reset(auto_register=True)
    carrier.api_base_url = sim_url
    shop.webhook_url, shop.webhook_secret = f"{sim_url}/sim/shop-webhook", WEBHOOK_SECRET
    shop.quiet_start = shop.quiet_end = "00:00"  # no quiet hours: tests run at any hour
    db.session.commit()
    yield client
    client.close()


@pytest.fixture
def t0(clock):
    """Pin the app's clock to now (whole seconds); tests move `clock.now` forward from here."""
    clock.now = test_now().replace(microsecond=0)
    return clock.now
