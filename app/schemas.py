"""Schema helpers shared by every API: load a body or query, refuse unknown input."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import request
from marshmallow import Schema, ValidationError, fields, pre_load, validates_schema

from app.errors import ApiError

EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
MAX_SEQUENCE = 1_000_000


def check_moment(moment: datetime) -> str | None:
    """Say what is wrong with a date-time a client sent (naive, or outside 2000–2100), else None."""
    if moment.tzinfo is None:
        return "Give a time zone offset, e.g. 2026-11-23T14:05:00+01:00."
    if not EARLIEST <= moment < LATEST:
        return "Out of range: give a date between 2000 and 2100."
    return None


class Moment(fields.AwareDateTime):
    """An aware date-time within 2000–2100: what a delivery can be about, and what every database stores."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        problem = check_moment(moment)
        if problem:
            raise ValidationError(problem)
        return moment


def nul_free(value: Any) -> dict | list | None:
    """Find strings holding a NUL character (PostgreSQL cannot store them), nested like the input."""
    if isinstance(value, str):
        return ["Contains a NUL character."] if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    found = {key: problem for key, item in items if (problem := nul_free(item))}
    return found or None


class StrictSchema(Schema):
    """Refuse unknown fields (marshmallow's default), NUL characters, and windows that end before they start."""

    @pre_load
    def _no_nul_characters(self, data, **kwargs):
        problems = nul_free(data)
        if problems:
            raise ValidationError(problems if isinstance(problems, dict) else {"_schema": problems})
        return data

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
