"""Every blueprint Bijna serves, registered in one place."""

from __future__ import annotations

from flask import Flask


def register_api(app: Flask) -> None:
    """Register the shop API, carrier API, webhooks, pages and API docs."""
    from app import openapi
    from app.carrier_api.views import bp as carrier_api
    from app.console import blueprints as console
    from app.exceptions.api import bp as shop_exception_ladder
    from app.exceptions.page_views import bp as problem_report
    from app.kpis.api import bp as shop_kpis
    from app.kpis.dashboard import bp as kpi_dashboard
    from app.rebooking.views import bp as shop_rebookings
    from app.shipments.messages import bp as shop_messages
    from app.shipments.views import bp as shipments
    from app.shops.templates_api import bp as shop_templates
    from app.shops.views import bp as shop_settings
    from app.simulation.scorecard_api import bp as shop_eta_scorecard
    from app.tracking import favicon
    from app.tracking.feedback_api import bp as shop_feedback
    from app.tracking.views import bp as tracking_page
    from app.webhooks.views import bp as twilio_webhooks

    for blueprint in (shipments, shop_messages, shop_settings, shop_templates, shop_feedback, shop_eta_scorecard,
                      carrier_api, twilio_webhooks, shop_rebookings, tracking_page, openapi.bp, shop_kpis,
                      kpi_dashboard):
        app.register_blueprint(blueprint)
    app.register_blueprint(shop_exception_ladder)
    app.register_blueprint(problem_report)
    favicon.init_app(app)
    console.init_app(app)
    register_dev_pages(app)


def register_dev_pages(app: Flask) -> None:
    """Register the phone simulator only with the simulator provider and outside production."""
    from app.devphone.reply import enabled

    if enabled(app.config):
        from app.devphone.views import bp as devphone

        app.register_blueprint(devphone)
