"""Helpers shared by the browser tests (imported by name: conftest modules are not importable reliably)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from bijna_testing import test_now

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def late_morning_today() -> datetime:
    """Return 11:00 in Amsterdam on the test's today: a delivery day with hours left before midnight."""
    return datetime.combine(test_now().astimezone(AMSTERDAM).date(), time(11), AMSTERDAM).astimezone(UTC)
