"""The carrier contract's endpoints (/v1): signed, idempotent, fault-injectable."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue

from app.carriers.signing import SIGNATURE_HEADER, verify
from carrier_sim.idempotency import Claim
from carrier_sim.state import current, error, error_body
from carrier_sim.world import Parcel, Refusal, World

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255

bp = Blueprint("contract", __name__, url_prefix="/v1")

Command = Callable[[World, Parcel, dict[str, Any], str], dict[str, Any]]


@bp.before_request
def _authenticate() -> ResponseReturnValue | None:
    """Apply outage faults, then refuse requests whose signature does not verify."""
    sim = current()
    g.fault = sim.faults.take()
    if g.fault.mode == "down":
        return error(503, "unavailable", "the carrier is down (simulated)")
    if g.fault.mode == "throttle":
        response = jsonify(error_body("rate_limited", "too many requests (simulated)"))
        response.status_code = 429
        response.headers["Retry-After"] = "1"
        return response
    now = int(sim.clock().timestamp())
    header = request.headers.get(SIGNATURE_HEADER)
    if not verify(sim.signing_secret, _signed_payload(), header, now):
        return error(401, "bad_signature", f"missing, stale or wrong {SIGNATURE_HEADER}")
    return None


@bp.errorhandler(Refusal)
def _refused(refusal: Refusal) -> ResponseReturnValue:
    """Answer a refusal in the contract's error shape."""
    return error(refusal.status, refusal.code, refusal.message)


@bp.get("/parcels/<tracking_number>/slots")
def slots(tracking_number: str) -> ResponseReturnValue:
    """List a parcel's free delivery windows."""
    after = _after_param()
    _misbehave()
    world = current().world
    parcel = world.parcel(tracking_number, request.args.get("route_id"))
    return {"tracking_number": tracking_number, "slots": world.slots(parcel, after)}


@bp.get("/parcels/<tracking_number>/pickup-points")
def pickup_points(tracking_number: str) -> ResponseReturnValue:
    """List the pickup points near a parcel's address."""
    _misbehave()
    world = current().world
    parcel = world.parcel(tracking_number, request.args.get("route_id"))
    return {"tracking_number": tracking_number, "pickup_points": world.pickup_points(parcel)}


@bp.get("/routes/<route_id>/stops")
def route_stops(route_id: str) -> ResponseReturnValue:
    """List a route's current stops in driving order."""
    _misbehave()
    return {"route_id": route_id, "stops": current().world.route_stops(route_id)}


@bp.post("/parcels/<tracking_number>/redirect-to-neighbour")
def redirect_to_neighbour(tracking_number: str) -> ResponseReturnValue:
    """Have the driver leave the parcel with a neighbour."""
    return _command(
        tracking_number,
        lambda world, parcel, body, key: world.redirect_to_neighbour(
            parcel, _field(body, "note", required=False), key
        ),
    )


@bp.post("/parcels/<tracking_number>/reschedule")
def reschedule(tracking_number: str) -> ResponseReturnValue:
    """Move a parcel's delivery to an offered slot."""
    return _command(
        tracking_number,
        lambda world, parcel, body, key: world.reschedule(
            parcel, _field(body, "slot_id", required=True), key
        ),
    )


@bp.post("/parcels/<tracking_number>/redirect-to-pickup-point")
def redirect_to_pickup_point(tracking_number: str) -> ResponseReturnValue:
    """Send a parcel to a pickup point instead of the door."""
    return _command(
        tracking_number,
        lambda world, parcel, body, key: world.redirect_to_pickup_point(
            parcel, _field(body, "pickup_point_id", required=False), key
        ),
    )


def _command(tracking_number: str, execute: Command) -> ResponseReturnValue:
    """Run a rebooking at most once per idempotency key and answer (or replay) the result."""
    sim = current()
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        message = f"send an {IDEMPOTENCY_HEADER} of 1-{MAX_KEY_LENGTH} characters"
        return error(400, "idempotency_key_required", message)
    claim, stored = sim.idempotency.claim(key, _fingerprint())
    if claim is Claim.REUSED:
        return error(409, "idempotency_key_reused", "this key was used for a different request")
    if claim is Claim.IN_USE:
        return error(409, "idempotency_key_in_use", "a request with this key is still running")
    if claim is Claim.REPLAY and stored is not None:
        response = jsonify(stored.body)
        response.headers["Idempotent-Replayed"] = "true"
        return response, stored.status
    try:
        _misbehave()
        body = _command_body(tracking_number)
        parcel = sim.world.parcel(tracking_number, _field(body, "route_id", required=False))
        status, answer = 200, execute(sim.world, parcel, body, key)
    except Refusal as refusal:
        status, answer = refusal.status, error_body(refusal.code, refusal.message)
    except BaseException:
        sim.idempotency.release(key)  # a crash is no answer: let the retry execute
        raise
    sim.idempotency.finish(key, status, answer)
    return jsonify(answer), status


def _misbehave() -> None:
    """Apply this request's slow or refuse fault, if any."""
    fault = g.fault
    if fault.mode == "slow":
        time.sleep(fault.delay_ms / 1000)
    elif fault.mode == "refuse":
        raise Refusal(fault.refuse_code, f"{fault.refuse_code} (simulated)")


def _signed_payload() -> bytes:
    """Return what the client signed: the raw body, or the request target for a GET."""
    if request.method in ("GET", "HEAD"):
        target = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
        if not target:
            query = request.query_string.decode("latin-1")
            target = request.path + (f"?{query}" if query else "")
        return target.encode("latin-1")
    return request.get_data(cache=True)


def _fingerprint() -> str:
    """Identify a command by its path and body, compared as JSON so key order doesn't matter."""
    raw = request.get_data(cache=True)
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = raw
    return hashlib.sha256(request.path.encode() + b"\n" + canonical).hexdigest()


def _command_body(tracking_number: str) -> dict[str, Any]:
    """Return the command's JSON object; its tracking number must match the URL's."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refusal("invalid_request", "the body must be a JSON object", status=400)
    if body.get("tracking_number") != tracking_number:
        raise Refusal("invalid_request", "body tracking_number must match the URL", status=400)
    return body


def _field(body: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise Refusal("invalid_request", f"{name} must be a non-empty string", status=400)
    return value.strip()


def _after_param() -> datetime | None:
    value = request.args.get("after")
    if value is None:
        return None
    try:
        after = datetime.fromisoformat(value)
    except ValueError:
        after = None
    if after is None or after.tzinfo is None:
        raise Refusal("invalid_request", "after must be an ISO 8601 time with offset", status=400)
    return after
