"""Schema helpers shared by every API: load a body or query, refuse unknown input."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import Schema, ValidationError, validates_schema

from app.errors import ApiError


class StrictSchema(Schema):
    """Refuse unknown fields (marshmallow's default) and windows that end before they start."""

    @validates_schema
    def _window_in_order(self, data: dict, **kwargs):
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            raise ValidationError("end must be after start.", "end")


def load_json(schema: Schema) -> dict[str, Any]:
    """Load the request's JSON body through a schema; 400 if it is not a JSON object."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "The body must be a JSON object (Content-Type: application/json).")
    return schema.load(body)


def load_query(schema: Schema) -> dict[str, Any]:
    """Load the query string through a schema."""
    return schema.load(request.args.to_dict())


def prefix_fields(error: ValidationError, prefix: str) -> ValidationError:
    """Nest a validation error's fields under a prefix, e.g. recipient.phone."""
    return ValidationError({prefix: error.messages})
