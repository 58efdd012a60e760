"""The one JSON error contract: {"error": {"code", "message", "fields"}}, registered once."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error a client can act on: an HTTP status, a stable code and the fields at fault."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None,
                 headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}
        self.headers = headers or {}


def not_found(what: str = "resource") -> ApiError:
    """Build the 404 used for anything missing or belonging to someone else."""
    return ApiError(404, "not_found", f"No such {what}.")


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    """Return the JSON body of an error."""
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
    503: "unavailable",
}


def init_app(app: Flask) -> None:
    """Map every error, ours and Werkzeug's, to the JSON contract; an error changes nothing."""
    from app.extensions import db

    @app.teardown_request
    def _rollback_on_error(error: BaseException | None) -> None:
        if error is not None:
            db.session.rollback()

    @app.before_request
    def _refuse_nul_characters() -> None:
        # PostgreSQL cannot hold a NUL in text: refuse it at the door, before it reaches a query.
        from flask import request

        if any("\x00" in str(value) for value in (request.view_args or {}).values()):
            raise not_found()
        bad = {name.replace("\x00", ""): ["Contains a NUL character."]
               for name, value in request.args.items(multi=True) if "\x00" in name or "\x00" in value}
        if bad:
            raise ValidationError(bad)

    @app.errorhandler(RecursionError)
    def too_deep(error: RecursionError):
        # json.loads (or a schema walking the result) gives up on absurdly nested JSON.
        db.session.rollback()
        return jsonify(error_body("bad_request", "The JSON is nested too deeply.")), 400

    @app.errorhandler(ApiError)
    def api_error(error: ApiError):
        db.session.rollback()
        return jsonify(error_body(error.code, error.message, error.fields)), error.status, error.headers

    @app.errorhandler(ValidationError)
    def validation_error(error: ValidationError):
        db.session.rollback()
        fields = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        return jsonify(error_body("validation_failed", "The request has invalid fields.", fields)), 422

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        body = error_body(_CODES.get(status, "http_error"), error.description or error.name)
        response = jsonify(body)
        if status == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response, status

    from app.observability.outages import register_outage_handlers

    register_outage_handlers(app)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error")
        db.session.rollback()
        return jsonify(error_body("internal_error", "Something went wrong on our side.")), 500
