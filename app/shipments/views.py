"""Shop API v1: shipments."""

from __future__ import annotations

from flask import Blueprint, g, request

from app.auth import shop_required
from app.schemas import load_json, load_query
from app.shipments import schemas, service

bp = Blueprint("shipments", __name__, url_prefix="/api/v1/shipments")
bp.before_request(shop_required(lambda: None))


@bp.post("")
def create():
    """Create a shipment; a repeated Idempotency-Key or order returns the first one."""
    data = load_json(schemas.ShipmentCreate())
    key = request.headers.get("Idempotency-Key") or None
    shipment, created = service.create_shipment(g.shop, data, key)
    return schemas.ShipmentOut().dump(shipment), 201 if created else 200


@bp.get("")
def index():
    """List the shop's shipments, filtered, newest first, a cursor per page."""
    items, next_cursor = service.list_shipments(g.shop, load_query(schemas.ShipmentQuery()))
    return schemas.ShipmentPage().dump({"items": items, "next_cursor": next_cursor})


@bp.get("/<shipment_id>")
def show(shipment_id: str):
    """Fetch one shipment."""
    return schemas.ShipmentOut().dump(service.get_shipment(g.shop, shipment_id))


@bp.patch("/<shipment_id>")
def update(shipment_id: str):
    """Change notify, the recipient or the promised window."""
    changes = load_json(schemas.ShipmentPatch())
    return schemas.ShipmentOut().dump(service.update_shipment(g.shop, shipment_id, changes))


@bp.post("/<shipment_id>/cancel")
def cancel(shipment_id: str):
    """Cancel a shipment: no more texts for it."""
    return schemas.ShipmentOut().dump(service.cancel_shipment(g.shop, shipment_id))
