"""Helpers shared by the tracking page tests (imported by name: conftest modules are not importable reliably)."""

from __future__ import annotations


def token_of(shipment: dict) -> str:
    """Return the token in a shipment's tracking URL."""
    return shipment["tracking_url"].rsplit("/", 1)[1]
