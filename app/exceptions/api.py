"""Shop API v1: the exception ladder's settings, the compensation code pool, and the shop's tickets."""

from __future__ import annotations

from flask import Blueprint, g
from marshmallow import ValidationError

from app.auth import shop_required
from app.clock import now
from app.exceptions import pool, schemas, settings
from app.exceptions.tickets import shop_tickets, ticket_document
from app.schemas import load_json, load_query

bp = Blueprint("shop_exception_ladder", __name__, url_prefix="/api/v1/shop")
bp.before_request(shop_required(lambda: None))

ORDERED = ("ticket_after_hours", "apology_after_hours", "compensation_after_hours")


@bp.get("/exception-ladder")
def show_settings():
    """Show the shop's ladder thresholds and switches."""
    return schemas.LadderSettingsOut().dump(settings.shop_rules(g.shop.id))


@bp.patch("/exception-ladder")
def update_settings():
    """Change thresholds, switch steps on or off, set the compensation limit or the low-pool level."""
    changes = load_json(schemas.LadderSettingsPatch())
    merged = {**schemas.LadderSettingsOut().dump(settings.shop_rules(g.shop.id)), **changes}
    hours = [merged[name] for name in ORDERED]
    if hours != sorted(hours):
        raise ValidationError({"apology_after_hours": ["The steps come in order: ticket <= apology <= "
                                                       "compensation hours."]})
    return schemas.LadderSettingsOut().dump(settings.update_rules(g.shop.id, changes))


@bp.post("/compensation-codes")
def upload_codes():
    """Add compensation codes to the shop's pool; codes already there are skipped."""
    body = load_json(schemas.CompensationCodesIn())
    counts = pool.upload_codes(g.shop.id, body["codes"], now())
    return schemas.CompensationCodesOut().dump({**counts, **_pool()}), 201


@bp.get("/compensation-codes")
def show_codes():
    """Show how many codes are left in the pool and how many were issued."""
    return schemas.CompensationCodesOut().dump(_pool())


def _pool() -> dict:
    return {**pool.pool_counts(g.shop.id), "pool_low_level": settings.shop_rules(g.shop.id).pool_low_level}


@bp.get("/tickets")
def list_tickets():
    """List the shop's tickets: ?status=open|closed|all, ?kind=, ?limit= (open urgent ones first)."""
    query = load_query(schemas.TicketQuery())
    moment = now()
    rows = shop_tickets(g.shop.id, query["status"], query.get("kind"), query["limit"])
    return {"tickets": [ticket_document(ticket, shipment, moment) for ticket, shipment in rows]}
