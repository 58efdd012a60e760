"""Register the console: sessions and CSRF, then its pages."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Bind the console's login and CSRF handling and register its pages."""
    from app.console import auth
    from app.console.parcel_views import bp as parcels
    from app.console.user_views import bp as users
    from app.console.views import bp as console

    auth.init_app(app)
    for blueprint in (console, parcels, users):
        app.register_blueprint(blueprint)
