"""A database or Redis outage is our trouble, not the caller's mistake: 503 with Retry-After, in the JSON contract.

Carriers and shops retry a 503 (the carrier contract says so); a 500 reads as a bug and is often not retried.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, OperationalError

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
UNAVAILABLE = (OperationalError, RedisConnectionError, RedisTimeoutError)


def is_outage(error: BaseException) -> bool:
    """Tell whether an error means the database or Redis cannot be reached (not that a query was wrong)."""
    if isinstance(error, UNAVAILABLE):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def unavailable_response():
    """Return the 503 answer: the JSON error contract with a Retry-After header."""
    from app.errors import error_body

    body = error_body("unavailable", "A service Bijna depends on is unavailable; try again shortly.")
    response = jsonify(body)
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def register_outage_handlers(app: Flask) -> None:
    """Answer 503 for outages; any other database error falls through to the generic 500."""
    from app.errors import error_body
    from app.extensions import db

    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError):
        _rollback(db)
        if not is_outage(error):  # a real bug, answered like any other
            log.exception("unhandled database error")
            return jsonify(error_body("internal_error", "Something went wrong on our side.")), 500
        log.warning("database unavailable: %s", type(error.orig).__name__ if error.orig else type(error).__name__)
        return unavailable_response()

    @app.errorhandler(RedisConnectionError)
    @app.errorhandler(RedisTimeoutError)
    def redis_error(error: Exception):
        log.warning("Redis unavailable: %s", type(error).__name__)
        return unavailable_response()


def _rollback(db) -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the session is thrown away at teardown anyway
        log.debug("rollback after an outage failed", exc_info=True)
