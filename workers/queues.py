"""Queues named by purpose; the worker listens to them in this order of urgency."""

from __future__ import annotations

from rq import Queue

from app.extensions import redis_connection

TEXTS = "bijna-texts"  # outbound texts: time-critical
REPLIES = "bijna-replies"  # inbound texts to understand and answer
CARRIER = "bijna-carrier"  # rebooking commands and slot look-ups at carriers
DEFAULT = "bijna-default"  # shop webhooks, sweeps and anything that can wait
ALL = (TEXTS, REPLIES, CARRIER, DEFAULT)


def queue(name: str) -> Queue:
    """Return the named queue on the app's Redis."""
    return Queue(name, connection=redis_connection())
