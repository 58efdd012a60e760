"""Carrier API v1: status events and driver ETAs, authenticated by the carrier token."""

from __future__ import annotations

from flask import Blueprint, g, request
from marshmallow import ValidationError

from app.auth import carrier_required
from app.carrier_api import schemas
from app.clock import now
from app.errors import ApiError
from app.ingestion.etas import StopEta, ingest_etas
from app.ingestion.events import CarrierEvent, ingest_events
from app.schemas import load_json

bp = Blueprint("carrier_api", __name__, url_prefix="/api/v1/carrier")
bp.before_request(carrier_required(lambda: None))


@bp.post("/events")
def events():
    """Record status events for one or many parcels."""
    data = load_json(schemas.EventsIn())
    result = ingest_events(g.carrier, [CarrierEvent(**event) for event in data["events"]], now())
    return schemas.EventsOut().dump(result.as_dict())


@bp.post("/routes/<route_id>/etas")
def route_etas(route_id: str):
    """Apply one driver's whole route of ETAs at once (the hot path)."""
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "invalid_json", "The body must be a JSON object (Content-Type: application/json).")
    if len(route_id) > 100 or "\x00" in route_id:
        raise ValidationError({"route_id": ["At most 100 characters."]})
    observed_at, stops = schemas.load_route_etas(body)
    return ingest_etas(g.carrier, route_id, observed_at, stops, now()).as_dict()


@bp.post("/etas")
def stop_eta():
    """Apply one stop's ETA."""
    data = load_json(schemas.StopEtaIn())
    stop = StopEta(data["tracking_number"], data["eta"], data["stop_sequence"])
    return schemas.IngestOut().dump(ingest_etas(g.carrier, data["route_id"], data["observed_at"], [stop],
                                                now()).as_dict())
