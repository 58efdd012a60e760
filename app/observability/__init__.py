"""What an operator sees: JSON logs without personal data, request ids, Prometheus metrics, outage answers."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Set up logging (JSON, redacted, request ids) and the /metrics endpoint."""
    from app.observability import logs, metrics

    logs.init_app(app)
    metrics.init_app(app)
