"""Public URLs, built from PUBLIC_BASE_URL so they are right behind any proxy."""

from __future__ import annotations

from flask import current_app


def public_url(path: str) -> str:
    """Return the public URL of a path on this Bijna."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def tracking_url(token: str) -> str:
    """Return the recipient's tracking page link."""
    return public_url(f"/t/{token}")
