"""Unsigned admin endpoints (/sim) for tests and local development; never expose them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from carrier_sim.state import current, error
from carrier_sim.world import DEFAULT_ROUTE

bp = Blueprint("sim_admin", __name__, url_prefix="/sim")


@bp.post("/reset")
def reset() -> ResponseReturnValue:
    """Forget parcels, commands, keys, faults and shop webhooks; set auto-registration."""
    sim = current()
    body = _body()
    sim.world.reset(auto_register=bool(body.get("auto_register", True)))
    sim.idempotency.clear()
    sim.faults.set("ok")
    sim.shop_webhooks.clear()
    return "", 204


@bp.post("/parcels")
def register_parcel() -> ResponseReturnValue:
    """Create or replace a parcel on a route."""
    body = _body()
    tracking_number = body.get("tracking_number")
    stop_sequence = body.get("stop_sequence")
    if not isinstance(tracking_number, str) or not tracking_number:
        return error(400, "invalid_request", "tracking_number is required")
    if stop_sequence is not None and not isinstance(stop_sequence, int):
        return error(400, "invalid_request", "stop_sequence must be an integer")
    world = current().world
    try:
        parcel = world.register(
            tracking_number,
            body.get("route_id", DEFAULT_ROUTE),
            stop_sequence,
            address=body.get("address"),
            postcode=body.get("postcode"),
            neighbour_allowed=bool(body.get("neighbour_allowed", True)),
            status=body.get("status", "on_route"),
        )
    except ValueError as problem:
        return error(400, "invalid_request", str(problem))
    return world.describe(parcel), 201


@bp.get("/parcels/<tracking_number>")
def show_parcel(tracking_number: str) -> ResponseReturnValue:
    """Show what the carrier knows about a parcel."""
    world = current().world
    parcel = world.parcels.get(tracking_number)
    if parcel is None:
        return error(404, "unknown_parcel", f"no parcel {tracking_number}")
    return world.describe(parcel)


@bp.get("/routes")
def list_routes() -> ResponseReturnValue:
    """Show every route with its current stops."""
    world = current().world
    with world.lock:
        return {"routes": {route_id: world.route_stops(route_id) for route_id in world.routes}}


@bp.post("/slots/taken")
def take_slot() -> ResponseReturnValue:
    """Mark a delivery window full, as if other recipients booked it first."""
    slot_id = _body().get("slot_id")
    if not isinstance(slot_id, str) or not slot_id:
        return error(400, "invalid_request", "slot_id is required")
    current().world.take_slot(slot_id)
    return "", 204


@bp.get("/faults")
def show_faults() -> ResponseReturnValue:
    """Show the active fault."""
    return current().faults.describe()


@bp.post("/faults")
def set_faults() -> ResponseReturnValue:
    """Make the next contract requests fail: down (503), throttle (429), slow, refuse, or ok."""
    body = _body()
    faults = current().faults
    try:
        faults.set(
            str(body.get("mode", "ok")),
            refuse_code=str(body.get("refuse_code") or "not_allowed"),
            delay_ms=int(body.get("delay_ms") or 0),
            count=None if body.get("count") is None else int(body["count"]),
        )
    except (TypeError, ValueError) as problem:
        return error(400, "invalid_request", str(problem))
    return faults.describe()


@bp.get("/commands")
def list_commands() -> ResponseReturnValue:
    """List executed rebooking commands, oldest first, filtered by key or parcel if asked."""
    world = current().world
    filters = ("idempotency_key", "tracking_number")
    wanted = {name: request.args[name] for name in filters if name in request.args}
    with world.lock:
        commands = [
            command
            for command in world.commands
            if all(command[name] == value for name, value in wanted.items())
        ]
    return {"commands": commands}


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}
