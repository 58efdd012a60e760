"""Shop API v1: recipients' ratings of their deliveries (from the tracking page and by SMS)."""

from __future__ import annotations

from flask import Blueprint, g
from marshmallow import Schema, fields, validate

from app.auth import shop_required
from app.errors import not_found
from app.schemas import Moment, StrictSchema, load_query
from app.shipments.service import get_shipment
from app.tracking.feedback import feedback_for, list_feedback

bp = Blueprint("shop_feedback", __name__, url_prefix="/api/v1")
bp.before_request(shop_required(lambda: None))


class FeedbackOut(Schema):
    shipment_id = fields.String()
    order_ref = fields.String()
    tracking_number = fields.String()
    rating = fields.Integer(metadata={"description": "1 (poor) to 5 (great)."})
    comment = fields.String(allow_none=True)
    source = fields.String(metadata={"description": "Where the latest rating came from: 'page' or 'sms'."})
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class FeedbackList(Schema):
    items = fields.List(fields.Nested(FeedbackOut))


class FeedbackQuery(StrictSchema):
    rating = fields.Integer(validate=validate.Range(min=1, max=5))
    since = Moment()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


def _out(feedback, shipment) -> dict:
    return {"shipment_id": shipment.id, "order_ref": shipment.order_ref, "tracking_number": shipment.tracking_number,
            "rating": feedback.rating, "comment": feedback.comment, "source": feedback.source,
            "created_at": feedback.created_at, "updated_at": feedback.updated_at}


@bp.get("/shipments/<shipment_id>/feedback")
def for_shipment(shipment_id: str):
    """Show the recipient's rating of one shipment; 404 while there is none."""
    shipment = get_shipment(g.shop, shipment_id)
    feedback = feedback_for(shipment.id)
    if feedback is None:
        raise not_found("feedback")
    return FeedbackOut().dump(_out(feedback, shipment))


@bp.get("/feedback")
def index():
    """List the shop's ratings, most recently given first, optionally by score or since a moment."""
    query = load_query(FeedbackQuery())
    rows = list_feedback(g.shop.id, limit=query["limit"], rating=query.get("rating"), since=query.get("since"))
    return FeedbackList().dump({"items": [_out(feedback, shipment) for feedback, shipment in rows]})


DOCUMENTED = ["FeedbackOut", "FeedbackList"]
