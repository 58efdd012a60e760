"""Fixtures: a real PostgreSQL (migrated once per run) and a real Redis database, clean per test.

BIJNA_TEST_DB and BIJNA_TEST_REDIS_DB let several runs share one machine without meeting.
"""

from __future__ import annotations

import os

import pytest
from flask_migrate import upgrade
from redis import Redis
from sqlalchemy import text

from app import create_app
from app.extensions import db as _db
from bijna_testing import DB_NAME, REDIS_URL, app_config, recreate_database, shipment_body, test_now

# Run a second time by `make test` with BIJNA_TEST_YEARS_AHEAD set (see bijna_testing.YEARS_AHEAD):
# the tests where a wall-clock read in product code would change what happens.
CLOCK_SENSITIVE = ("flow/test_route_day.py", "flow/test_sending.py", "flow/test_retention.py",
                   "flow/test_route_ingestion.py", "flow/test_replies_options.py",
                   "flow/test_replies_conversation.py", "flow/test_rebooking_resilience.py",
                   "notify/test_notify_quiet_hours.py", "architecture/test_wall_clock.py",
                   "flow/test_message_order.py", "page/test_delivery_day.py", "flow/test_replay_day.py")


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.as_posix().endswith(CLOCK_SENSITIVE):
            item.add_marker(pytest.mark.clock_sensitive)


@pytest.fixture(scope="session")
def app():
    """One app for the run, on a database migrated from empty by Alembic."""
    recreate_database(DB_NAME)
    os.environ.setdefault("REDIS_URL", REDIS_URL)
    application = create_app(app_config())  # its clock is test_now, moved with the run (bijna_testing)
    with application.app_context():
        upgrade(directory=str(application.config["MIGRATIONS_DIR"]), revision="heads")
        _db.engine.dispose()
    return application


@pytest.fixture
def redis_client():
    """The test Redis database, flushed before and after."""
    client = Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def db(app, redis_client):
    """A clean database and Redis for one test, inside an app context."""
    with app.app_context():
        tables = ", ".join(t.name for t in reversed(_db.metadata.sorted_tables))
        _db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        _db.session.commit()
        yield _db
        _db.session.rollback()
        _db.session.remove()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture
def shop_and_key(db):
    from app.cli import create_shop

    return create_shop("Bloemenshop", sender="+3197010203040")


@pytest.fixture
def shop(shop_and_key):
    return shop_and_key[0]


@pytest.fixture
def shop_headers(shop_and_key):
    return {"Authorization": f"Bearer {shop_and_key[1]}"}


@pytest.fixture
def carrier_and_token(db):
    from app.cli import create_carrier

    return create_carrier("simcarrier", "Simulated Carrier", api_base_url="http://127.0.0.1:1",
                          signing_secret="test-carrier-secret")


@pytest.fixture
def carrier(carrier_and_token):
    return carrier_and_token[0]


@pytest.fixture
def carrier_headers(carrier_and_token):
    return {"Authorization": f"Bearer {carrier_and_token[1]}"}


@pytest.fixture
def make_shipment(client, shop_headers, carrier):
    """Create a shipment through the API and return its JSON."""

    def make(**overrides) -> dict:
        response = client.post("/api/v1/shipments", json=shipment_body(**overrides), headers=shop_headers)
        assert response.status_code in (200, 201), response.get_json()
        return response.get_json()

    return make


@pytest.fixture
def twilio(app, db):
    """Point the app at a local Twilio stand-in through the real SDK for one test."""
    from devtools.twilio_standin import TwilioStandin

    saved = {key: app.config[key] for key in ("SMS_PROVIDER", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
                                              "TWILIO_FROM", "TWILIO_API_BASE_URL")}
    with TwilioStandin(clock=test_now) as standin:
        app.config.update(SMS_PROVIDER="twilio", TWILIO_ACCOUNT_SID="AC" + "0" * 32, TWILIO_AUTH_TOKEN="test-token",
                          TWILIO_FROM="+3197010203040", TWILIO_API_BASE_URL=standin.base_url)
        app.extensions.pop("sms_provider", None)
        yield standin
    app.config.update(saved)
    app.extensions.pop("sms_provider", None)


@pytest.fixture
def run_jobs(app):
    """Run every queued RQ job with a real burst worker; return how many ran."""
    from workers.run import build_worker

    def run() -> None:
        build_worker(app).work(burst=True, with_scheduler=False)
        _db.session.expire_all()

    return run


@pytest.fixture
def clock(app):
    """A clock the app reads instead of the real one; set `clock.now` to move time."""

    class Clock:
        now = None

    app.config["CLOCK"] = lambda: Clock.now or test_now()
    yield Clock
    app.config["CLOCK"] = test_now
