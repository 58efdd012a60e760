"""Liveness and readiness probes."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify
from sqlalchemy import text

from app.extensions import db, redis_connection

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Answer while the process is up."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Answer 200 when the database and Redis answer, else 503 naming what does not."""
    failing = {}
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any failure means not ready; say which
        db.session.rollback()
        failing["database"] = type(error).__name__
    try:
        redis_connection().ping()
    except Exception as error:
        failing["redis"] = type(error).__name__
    if failing:
        names = ", ".join(failing)
        body = {"error": {"code": "not_ready", "message": f"Not ready: {names} unreachable.", "fields": failing}}
        return jsonify(body), 503
    return jsonify(status="ready", database="ok", redis="ok")


def init_app(app: Flask) -> None:
    """Register the probes."""
    app.register_blueprint(bp)
