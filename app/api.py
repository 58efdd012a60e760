"""Every blueprint Bijna serves, registered in one place."""

from __future__ import annotations

from flask import Flask


def register_api(app: Flask) -> None:
    """Register the shop API, carrier API, webhooks, pages and API docs."""
    from app import openapi
    from app.carrier_api.views import bp as carrier_api
    from app.shipments.views import bp as shipments
    from app.shops.views import bp as shop_settings

    for blueprint in (shipments, shop_settings, carrier_api, openapi.bp):
        app.register_blueprint(blueprint)
