"""Bijna: the app factory is a short list of init_app calls."""

from __future__ import annotations

import logging

from flask import Flask

from app.config import ROOT, Settings


def create_app(config: dict | None = None) -> Flask:
    """Build the web app from the environment, then apply the overrides given (tests)."""
    settings = Settings.from_env()
    app = Flask(__name__, instance_path=str(ROOT / "instance"), static_folder="web/static",
                template_folder="web/templates")
    app.config.update(settings.as_flask_config())
    app.config["MIGRATIONS_DIR"] = ROOT / "migrations"
    if config:
        app.config.update(config)
    app.config["SETTINGS"] = settings
    app.json.sort_keys = False
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    from app import cli, errors, extensions, health, observability
    from app.api import register_api

    observability.init_app(app)
    extensions.init_app(app)
    errors.init_app(app)
    health.init_app(app)
    cli.init_app(app)
    register_api(app)
    return app
