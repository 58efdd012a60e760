"""Register the console: sessions and CSRF, its pages, the shop API for its logins, `flask shops add-user`."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Bind the console's login and CSRF handling and register its pages, API and command."""
    from app.console import auth
    from app.console import cli as _add_user_command  # noqa: F401 - joins the `flask shops` group
    from app.console.parcel_views import bp as parcels
    from app.console.user_views import bp as users
    from app.console.users_api import bp as users_api
    from app.console.views import bp as console

    auth.init_app(app)
    for blueprint in (console, parcels, users, users_api):
        app.register_blueprint(blueprint)
    _document_users_api()


def _document_users_api() -> None:
    """Add the shop users API to the OpenAPI document (once, however many apps are built)."""
    from app import openapi
    from app.console import users_api

    if users_api in openapi.EXTRA_SCHEMA_MODULES:
        return
    openapi.EXTRA_SCHEMA_MODULES.append(users_api)
    for declared in users_api.OPERATIONS:
        openapi.operation(*declared)
