"""Every blueprint Bijna serves, registered in one place."""

from __future__ import annotations

from flask import Flask


def register_api(app: Flask) -> None:
    """Register the shop API, carrier API, webhooks, pages and API docs."""
    from app import openapi
    from app.carrier_api.views import bp as carrier_api
    from app.shipments.messages import bp as shop_messages
    from app.shipments.views import bp as shipments
    from app.shops.templates_api import bp as shop_templates
    from app.shops.views import bp as shop_settings
    from app.webhooks.views import bp as twilio_webhooks

    for blueprint in (shipments, shop_messages, shop_settings, shop_templates, carrier_api, twilio_webhooks, openapi.bp):
        app.register_blueprint(blueprint)
