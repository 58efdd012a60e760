"""The web entry point (gunicorn wsgi:app, and FLASK_APP for the CLI)."""

from app import create_app
from app.config import exit_on_config_error

app = exit_on_config_error(create_app)
