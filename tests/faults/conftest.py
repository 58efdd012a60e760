"""The fault suite's process set, started once for the module that uses it (see stack.py)."""

from __future__ import annotations

import json
import os
import shutil
from types import SimpleNamespace

import pytest
import requests
from faults.stack import (
    AUTH_TOKEN,
    CARRIER_SECRET,
    METRICS_TOKEN,
    ROOT,
    SENDER,
    SID,
    FileClock,
    OwnRedis,
    Postgres,
    Processes,
    free_port,
    scratch_dir,
    wait_until,
    web_ready,
)

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def stack():
    """Our own PostgreSQL and Redis, gunicorn, two workers, the sweeper, a Twilio stand-in and a carrier."""
    from flask_migrate import upgrade

    from app import create_app
    from app.cli import create_carrier, create_shop
    from bijna_testing import app_config
    from carrier_sim.app import create_app as create_carrier_sim
    from carrier_sim.client import SimClient
    from devtools.serve import serve_in_thread
    from devtools.twilio_standin import TwilioStandin

    base = scratch_dir()
    postgres, redis = Postgres(base), OwnRedis()
    clock = FileClock(base / "clock")
    processes = None
    try:
        postgres.start()
        redis.start()
        uri = postgres.url.replace("postgresql://", "postgresql+psycopg://")
        app = create_app(app_config(DATABASE_URL=postgres.url, SQLALCHEMY_DATABASE_URI=uri, REDIS_URL=redis.url,
                                    CLOCK=clock.now))
        with app.app_context():
            upgrade(directory=str(app.config["MIGRATIONS_DIR"]), revision="heads")
        with TwilioStandin(clock=clock.now) as standin, \
                serve_in_thread(create_carrier_sim(CARRIER_SECRET, seed=5, clock=clock.now)) as carrier_url:
            with app.app_context():
                shop, shop_key = create_shop("Fault shop", sender=SENDER)
                carrier, carrier_token = create_carrier("simcarrier", "Simulated Carrier", api_base_url=carrier_url,
                                                        signing_secret=CARRIER_SECRET)
            web_port = free_port()
            web_url = f"http://127.0.0.1:{web_port}"
            env = {**os.environ, "ENV": "test", "DATABASE_URL": postgres.url, "REDIS_URL": redis.url,
                   "SMS_PROVIDER": "twilio", "TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                   "TWILIO_FROM": SENDER, "TWILIO_API_BASE_URL": standin.base_url, "PUBLIC_BASE_URL": web_url,
                   "CLOCK_FILE": str(clock.path), "METRICS_TOKEN": METRICS_TOKEN, "LOG_FORMAT": "json",
                   "PROMETHEUS_MULTIPROC_DIR": str(base / "metrics"), "SENDER_RATE_PER_SECOND": "10000",
                   "CARRIER_TIMEOUT_SECONDS": "1", "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
            (base / "metrics").mkdir()
            processes = Processes(base, env, web_port)
            for name in ("web", "worker1", "worker2", "sweeper"):
                processes.start(name)
            wait_until(lambda: web_ready(web_url), 30, "gunicorn to answer /healthz")
            results = {}
            yield SimpleNamespace(app=app, postgres=postgres, redis=redis, clock=clock, standin=standin,
                                  sim=SimClient(carrier_url), processes=processes, web_url=web_url,
                                  shop_key=shop_key, carrier_token=carrier_token, http=requests.Session(),
                                  results=results)
            # The counts docs/reliability.md quotes, from the last run.
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / "faults.json").write_text(json.dumps(results, indent=1, default=str))
    finally:
        if processes is not None:
            processes.stop_all()
        if redis.process is not None and redis.process.poll() is None:
            redis.stop()
        try:
            postgres.stop()
        except Exception:  # already down (a failed restart): nothing to stop
            pass
        if not os.environ.get("BIJNA_FAULTS_KEEP"):  # set it to read the processes' logs after a failure
            shutil.rmtree(base, ignore_errors=True)
