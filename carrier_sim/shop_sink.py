"""A stand-in shop endpoint for `make run`: records the webhooks Bijna sends to shops."""

from __future__ import annotations

import threading
from datetime import UTC
from typing import Any

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from carrier_sim.state import current

# Headers worth seeing when debugging a webhook; the rest is transport noise.
_KEPT_HEADERS = ("Content-Type", "Idempotency-Key", "User-Agent", "X-Bijna-Signature")

bp = Blueprint("shop_sink", __name__, url_prefix="/sim")


class ShopWebhookSink:
    """The webhooks received so far, oldest first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[dict[str, Any]] = []

    def add(self, webhook: dict[str, Any]) -> None:
        """Remember one received webhook."""
        with self._lock:
            self._received.append(webhook)

    def all(self) -> list[dict[str, Any]]:
        """Return every received webhook."""
        with self._lock:
            return list(self._received)

    def clear(self) -> None:
        """Forget every received webhook."""
        with self._lock:
            self._received.clear()


@bp.post("/shop-webhook")
def receive_shop_webhook() -> ResponseReturnValue:
    """Accept a shop webhook and keep it for inspection (its signature is shown, not checked)."""
    sim = current()
    sim.shop_webhooks.add(
        {
            "received_at": sim.clock().astimezone(UTC).isoformat(),
            "headers": {name: value for name, value in request.headers if name in _KEPT_HEADERS},
            "body": request.get_json(silent=True) or request.get_data(as_text=True),
        }
    )
    return "", 204


@bp.get("/shop-webhook")
def list_shop_webhooks() -> ResponseReturnValue:
    """List the shop webhooks received so far, oldest first."""
    return {"webhooks": current().shop_webhooks.all()}
