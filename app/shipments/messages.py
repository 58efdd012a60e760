"""Shop API v1: every text sent or received for the shop's shipments, with its status."""

from __future__ import annotations

from flask import Blueprint, g
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from app.auth import shop_required
from app.extensions import db
from app.models import Message
from app.schemas import StrictSchema, load_query
from app.shipments.service import get_shipment

bp = Blueprint("shop_messages", __name__, url_prefix="/api/v1")
bp.before_request(shop_required(lambda: None))


class MessageOut(Schema):
    id = fields.String()
    shipment_id = fields.String(allow_none=True)
    direction = fields.String()
    kind = fields.String()
    to = fields.String(attribute="to_number")
    body = fields.String()
    encoding = fields.String(allow_none=True)
    segments = fields.Integer()
    status = fields.String()
    error_code = fields.Integer(allow_none=True)
    error_message = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    send_after = fields.AwareDateTime(allow_none=True)
    sent_at = fields.AwareDateTime(allow_none=True)


class MessageList(Schema):
    items = fields.List(fields.Nested(MessageOut))


class MessageQuery(StrictSchema):
    status = fields.String()
    kind = fields.String()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


@bp.get("/shipments/<shipment_id>/messages")
def for_shipment(shipment_id: str):
    """List the texts of one shipment, oldest first."""
    shipment = get_shipment(g.shop, shipment_id)
    rows = db.session.execute(select(Message).where(Message.shipment_id == shipment.id)
                              .order_by(Message.created_at)).scalars()
    return MessageList().dump({"items": rows})


@bp.get("/messages")
def index():
    """List the shop's latest texts, filtered by status or kind."""
    query = load_query(MessageQuery())
    statement = select(Message).where(Message.shop_id == g.shop.id)
    for name in ("status", "kind"):
        if name in query:
            statement = statement.where(getattr(Message, name) == query[name])
    rows = db.session.execute(statement.order_by(Message.created_at.desc()).limit(query["limit"])).scalars()
    return MessageList().dump({"items": rows})


DOCUMENTED = ["MessageOut", "MessageList"]
