"""Carrier API shapes. Events go through marshmallow; route ETAs through a lean loader of the same shape.

A 150-stop route through marshmallow costs more than the rest of its ingestion; the hot path
checks the same rules by hand and reports errors in the same contract (`stops.17.eta`).
"""

from __future__ import annotations

from datetime import datetime

from marshmallow import Schema, ValidationError, fields, validate

from app.ingestion.etas import StopEta
from app.schemas import StrictSchema

MAX_STOPS = 1000
MAX_EVENTS = 1000


class EventIn(StrictSchema):
    tracking_number = fields.String(required=True, validate=validate.Length(min=1, max=100))
    code = fields.String(required=True, validate=validate.Length(min=1, max=60),
                         metadata={"description": "The carrier's raw status code."})
    occurred_at = fields.AwareDateTime(required=True)
    location = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class EventsIn(StrictSchema):
    events = fields.List(fields.Nested(EventIn), required=True, validate=validate.Length(min=1, max=MAX_EVENTS))


class StopIn(StrictSchema):
    tracking_number = fields.String(required=True, validate=validate.Length(min=1, max=100))
    stop_sequence = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0))
    eta = fields.AwareDateTime(required=True)


class RouteEtasIn(StrictSchema):
    observed_at = fields.AwareDateTime(required=True, metadata={"description": "When the planner computed these ETAs."})
    stops = fields.List(fields.Nested(StopIn), required=True, validate=validate.Length(min=1, max=MAX_STOPS))


class StopEtaIn(StopIn):
    observed_at = fields.AwareDateTime(required=True)
    route_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


class IngestOut(Schema):
    accepted = fields.Integer()
    ignored_stale = fields.Integer()
    unknown_parcels = fields.List(fields.String())
    texts_queued = fields.Integer()


class EventsOut(Schema):
    applied = fields.Integer()
    ignored_stale = fields.Integer()
    unknown_parcels = fields.List(fields.String())
    unmapped_codes = fields.List(fields.String())
    texts_queued = fields.Integer()


def _aware(value, path: str, errors: dict) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        errors[path] = ["Not an ISO 8601 date-time."]
        return None
    if moment.tzinfo is None:
        errors[path] = ["Give a time zone offset, e.g. 2026-11-23T14:05:00+01:00."]
        return None
    return moment


def load_route_etas(body) -> tuple[datetime, list[StopEta]]:
    """Load a route ETA body as RouteEtasIn would, fast; raise ValidationError naming each field."""
    if not isinstance(body, dict):
        raise ValidationError({"_schema": ["The body must be a JSON object."]})
    errors: dict = {}
    unknown = set(body) - {"observed_at", "stops"}
    for name in unknown:
        errors[name] = ["Unknown field."]
    observed_at = _aware(body.get("observed_at"), "observed_at", errors) if "observed_at" in body else None
    if "observed_at" not in body:
        errors["observed_at"] = ["Missing data for required field."]
    stops_in = body.get("stops")
    if not isinstance(stops_in, list) or not 1 <= len(stops_in) <= MAX_STOPS:
        errors["stops"] = [f"Give a list of 1 to {MAX_STOPS} stops."]
        raise ValidationError(errors)
    stops = []
    for i, stop in enumerate(stops_in):
        if not isinstance(stop, dict) or set(stop) - {"tracking_number", "stop_sequence", "eta"}:
            errors[f"stops.{i}"] = ["A stop has tracking_number, eta and optionally stop_sequence."]
            continue
        number, sequence = stop.get("tracking_number"), stop.get("stop_sequence")
        if not isinstance(number, str) or not 0 < len(number) <= 100:
            errors[f"stops.{i}.tracking_number"] = ["A string of 1 to 100 characters."]
        if sequence is not None and (type(sequence) is not int or sequence < 0):
            errors[f"stops.{i}.stop_sequence"] = ["A whole number, 0 or more."]
        eta = _aware(stop.get("eta"), f"stops.{i}.eta", errors)
        if eta is not None and isinstance(number, str):
            stops.append(StopEta(number, eta, sequence))
    if errors:
        raise ValidationError(errors)
    return observed_at, stops


DOCUMENTED = ["EventIn", "EventsIn", "StopIn", "RouteEtasIn", "StopEtaIn", "IngestOut", "EventsOut"]
