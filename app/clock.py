"""The clock the web layer reads. Tests set config CLOCK to move time without sleeping."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from app.models.base import utcnow


def now() -> datetime:
    """Return the current time (aware UTC), from config CLOCK when one is set."""
    return current_app.config.get("CLOCK", utcnow)()
