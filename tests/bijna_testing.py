"""Shared test helpers (imported by name; conftest modules are not importable reliably)."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import psycopg

PG_ADMIN = os.environ.get("BIJNA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BIJNA_TEST_DB", "bijna_test")
REDIS_DB = int(os.environ.get("BIJNA_TEST_REDIS_DB", "15"))
DATABASE_URL = PG_ADMIN.rsplit("/", 1)[0] + f"/{DB_NAME}"
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"

# `make test` runs the clock-sensitive tests a second time with their dates moved this many years
# ahead, so product code that reads the wall clock instead of app.clock fails in one of the runs.
# 28 years keep weekdays, leap days and daylight-saving dates where they were.
YEARS_AHEAD = int(os.environ.get("BIJNA_TEST_YEARS_AHEAD", "0"))
YEAR = 2026 + YEARS_AHEAD


def moved(moment: datetime) -> datetime:
    """Return `moment` in the test run's years (unchanged in the first run)."""
    return moment.replace(year=moment.year + YEARS_AHEAD)


def test_now() -> datetime:
    """The test's idea of "now": the wall clock, moved like every date of the run."""
    return moved(datetime.now(UTC))


test_now.__test__ = False  # a helper, not a test


def recreate_database(name: str) -> None:
    """Drop and create a PostgreSQL database (used for a clean migration from empty)."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def app_config(**overrides) -> dict:
    """The config every test app starts from."""
    return {"ENV": "test", "TESTING": True, "SQLALCHEMY_DATABASE_URI": DATABASE_URL.replace(
        "postgresql://", "postgresql+psycopg://"), "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL,
        "PUBLIC_BASE_URL": "https://bijna.test", "SMS_PROVIDER": "simulator", "CLOCK": test_now, **overrides}


def shipment_body(**overrides) -> dict:
    """A valid create-shipment body; tests override what they exercise."""
    body = {"order_ref": "1001", "carrier": "simcarrier", "tracking_number": "3SBIJ0001",
            "recipient": {"phone": "06 12345678", "name": "Anna de Vries", "city": "Utrecht"}}
    body.update(overrides)
    return body
