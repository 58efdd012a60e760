"""Fixtures: a real PostgreSQL (migrated once per run) and a real Redis database, clean per test.

BIJNA_TEST_DB and BIJNA_TEST_REDIS_DB let several runs share one machine without meeting.
"""

from __future__ import annotations

import os

import psycopg
import pytest
from flask_migrate import upgrade
from redis import Redis
from sqlalchemy import text

from app import create_app
from app.extensions import db as _db

PG_ADMIN = os.environ.get("BIJNA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BIJNA_TEST_DB", "bijna_test")
REDIS_DB = int(os.environ.get("BIJNA_TEST_REDIS_DB", "15"))
DATABASE_URL = PG_ADMIN.rsplit("/", 1)[0] + f"/{DB_NAME}"
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"


def recreate_database(name: str) -> None:
    """Drop and create a PostgreSQL database (used for a clean migration from empty)."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def app_config(**overrides) -> dict:
    """The config every test app starts from."""
    return {"ENV": "test", "TESTING": True, "SQLALCHEMY_DATABASE_URI": DATABASE_URL.replace(
        "postgresql://", "postgresql+psycopg://"), "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL,
        "PUBLIC_BASE_URL": "https://bijna.test", "SMS_PROVIDER": "simulator", **overrides}


@pytest.fixture(scope="session")
def app():
    """One app for the run, on a database migrated from empty by Alembic."""
    recreate_database(DB_NAME)
    os.environ.setdefault("REDIS_URL", REDIS_URL)
    application = create_app(app_config())
    with application.app_context():
        upgrade(directory=str(application.config["MIGRATIONS_DIR"]))
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


def shipment_body(**overrides) -> dict:
    """A valid create-shipment body; tests override what they exercise."""
    body = {"order_ref": "1001", "carrier": "simcarrier", "tracking_number": "3SBIJ0001",
            "recipient": {"phone": "06 12345678", "name": "Anna de Vries", "city": "Utrecht"}}
    body.update(overrides)
    return body


@pytest.fixture
def make_shipment(client, shop_headers, carrier):
    """Create a shipment through the API and return its JSON."""

    def make(**overrides) -> dict:
        response = client.post("/api/v1/shipments", json=shipment_body(**overrides), headers=shop_headers)
        assert response.status_code in (200, 201), response.get_json()
        return response.get_json()

    return make
