"""The carrier simulator's app factory: Bijna's carrier contract served from memory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from carrier_sim import admin, contract, shop_sink
from carrier_sim.faults import Faults
from carrier_sim.idempotency import IdempotencyStore
from carrier_sim.state import EXTENSION_KEY, Simulator, error
from carrier_sim.world import World


def create_app(
    signing_secret: str,
    seed: int = 0,
    *,
    clock: Callable[[], datetime] | None = None,
    auto_register: bool = True,
) -> Flask:
    """Create a simulated carrier verifying requests with ``signing_secret``.

    ``seed`` makes slots, addresses and pickup points reproducible; ``clock``
    (an aware ``datetime`` source) drives slot dates and signature freshness;
    ``auto_register`` puts parcels it has never seen onto a route on first use.
    """
    if not signing_secret:
        raise ValueError("the carrier simulator needs a signing secret")
    clock = clock or (lambda: datetime.now(UTC))
    app = Flask(__name__)
    app.extensions[EXTENSION_KEY] = Simulator(
        signing_secret=signing_secret,
        clock=clock,
        world=World(seed, clock, auto_register),
        faults=Faults(),
        idempotency=IdempotencyStore(),
        shop_webhooks=shop_sink.ShopWebhookSink(),
    )
    app.register_blueprint(contract.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(shop_sink.bp)
    app.register_error_handler(HTTPException, _http_error)
    return app


def _http_error(exception: HTTPException) -> ResponseReturnValue:
    """Answer routing and method errors in the contract's JSON error shape."""
    # "unknown_endpoint", not "not_found": a wrong URL must never read as "no such parcel".
    if exception.code == 404:
        code = "unknown_endpoint"
    else:
        code = (exception.name or "error").lower().replace(" ", "_")
    return error(exception.code or 500, code, exception.description or code)
