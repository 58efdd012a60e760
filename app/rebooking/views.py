"""Shop API v1: the rebookings recipients made, and the dead letters that need a look."""

from __future__ import annotations

from flask import Blueprint, g

from app.auth import shop_required
from app.rebooking import schemas, service
from app.schemas import load_query
from app.shipments.service import get_shipment

bp = Blueprint("rebookings", __name__, url_prefix="/api/v1")
bp.before_request(shop_required(lambda: None))


@bp.get("/shipments/<shipment_id>/rebookings")
def for_shipment(shipment_id: str):
    """List one shipment's rebooking commands, oldest first."""
    shipment = get_shipment(g.shop, shipment_id)
    return schemas.RebookingList().dump({"items": service.rebookings_of(shipment)})


@bp.get("/rebookings")
def index():
    """List the shop's rebookings, newest first; ?status=dead lists the dead letters."""
    query = load_query(schemas.RebookingQuery())
    return schemas.RebookingList().dump({"items": service.list_rebookings(g.shop, **query)})


@bp.get("/rebookings/<rebooking_id>")
def show(rebooking_id: str):
    """Fetch one rebooking command."""
    return schemas.RebookingOut().dump(service.get_rebooking(g.shop, rebooking_id))
