"""What one simulator app holds, and how views reach it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import current_app, jsonify
from flask.typing import ResponseReturnValue

from carrier_sim.faults import Faults
from carrier_sim.idempotency import IdempotencyStore
from carrier_sim.world import World

if TYPE_CHECKING:
    from carrier_sim.shop_sink import ShopWebhookSink

EXTENSION_KEY = "carrier_sim"


@dataclass
class Simulator:
    """The simulated carrier's secret, clock and in-memory state."""

    signing_secret: str
    clock: Callable[[], datetime]
    world: World
    faults: Faults
    idempotency: IdempotencyStore
    shop_webhooks: ShopWebhookSink


def current() -> Simulator:
    """Return the simulator of the app handling this request."""
    return current_app.extensions[EXTENSION_KEY]


def error_body(code: str, message: str) -> dict[str, Any]:
    """Return the contract's error shape."""
    return {"error": {"code": code, "message": message}}


def error(status: int, code: str, message: str) -> ResponseReturnValue:
    """Return a contract error response."""
    return jsonify(error_body(code, message)), status
