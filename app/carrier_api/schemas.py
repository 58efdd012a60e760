"""Carrier API shapes. Events go through marshmallow; route ETAs through a lean loader of the same shape.

A 150-stop route through marshmallow costs more than the rest of its ingestion; the hot path
checks the same rules by hand and reports errors in the same contract (`stops.17.eta`).
"""

from __future__ import annotations

from datetime import datetime

from marshmallow import Schema, ValidationError, fields, validate

from app.ingestion.etas import StopEta
from app.schemas import MAX_SEQUENCE, Moment, StrictSchema, check_moment

MAX_STOPS = 1000
MAX_TRACKING = 100
MAX_EVENTS = 1000


class EventIn(StrictSchema):
    tracking_number = fields.String(required=True, validate=validate.Length(min=1, max=100))
    code = fields.String(required=True, validate=validate.Length(min=1, max=60),
                         metadata={"description": "The carrier's raw status code."})
    occurred_at = Moment(required=True)
    location = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class EventsIn(StrictSchema):
    events = fields.List(fields.Nested(EventIn), required=True, validate=validate.Length(min=1, max=MAX_EVENTS))


class StopIn(StrictSchema):
    tracking_number = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TRACKING))
    stop_sequence = fields.Integer(load_default=None, allow_none=True,
                                   validate=validate.Range(min=0, max=MAX_SEQUENCE))
    eta = Moment(required=True)


class RouteEtasIn(StrictSchema):
    observed_at = Moment(required=True,
                         metadata={"description": "When the planner computed these ETAs."})
    stops = fields.List(fields.Nested(StopIn), required=True, validate=validate.Length(min=1, max=MAX_STOPS))


class StopEtaIn(StopIn):
    observed_at = Moment(required=True)
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
    problem = check_moment(moment)
    if problem:
        errors[path] = [problem]
        return None
    return moment


def _stop_errors(stop, seen: set[str]) -> dict[str, str]:
    """Check one stop against StopIn's rules; return messages by field."""
    if not isinstance(stop, dict) or set(stop) - {"tracking_number", "stop_sequence", "eta"}:
        return {"": "A stop has tracking_number, eta and optionally stop_sequence."}
    found = {}
    number, sequence = stop.get("tracking_number"), stop.get("stop_sequence")
    if not isinstance(number, str) or not 0 < len(number) <= MAX_TRACKING or "\x00" in number:
        found["tracking_number"] = f"A string of 1 to {MAX_TRACKING} characters."
    elif number in seen:
        found["tracking_number"] = "This parcel is already a stop on this route."
    if sequence is not None and (type(sequence) is not int or not 0 <= sequence <= MAX_SEQUENCE):
        found["stop_sequence"] = f"A whole number from 0 to {MAX_SEQUENCE}."
    return found


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
    stops, seen = [], set()
    for i, stop in enumerate(stops_in):
        problems = _stop_errors(stop, seen)
        for name, problem in problems.items():
            errors[f"stops.{i}.{name}".rstrip(".")] = [problem]
        if "" in problems:
            continue
        eta = _aware(stop.get("eta"), f"stops.{i}.eta", errors)
        if eta is not None and not problems:
            seen.add(stop["tracking_number"])
            stops.append(StopEta(stop["tracking_number"], eta, stop.get("stop_sequence")))
    if errors:
        raise ValidationError(errors)
    return observed_at, stops


DOCUMENTED = ["EventIn", "EventsIn", "StopIn", "RouteEtasIn", "StopEtaIn", "IngestOut", "EventsOut"]
