"""Shop API shapes for rebooking commands (read-only: shops see them, recipients make them)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas import StrictSchema

STATUSES = ("pending", "accepted", "refused", "dead")
ACTIONS = ("neighbour", "reschedule", "pickup_point")


class RebookingOut(Schema):
    id = fields.String(metadata={"description": "Also the idempotency key the carrier saw."})
    shipment_id = fields.String()
    action = fields.String(metadata={"description": "neighbour | reschedule | pickup_point"})
    params = fields.Dict(metadata={"description": "note; slot_id, starts_at, ends_at; pickup_point_id, name"})
    source = fields.String(metadata={"description": "sms | page"})
    status = fields.String(metadata={"description": "pending | accepted | refused | dead"})
    attempts = fields.Integer()
    reason_code = fields.Function(lambda c: (c.result or {}).get("reason_code"), allow_none=True)
    carrier_reference = fields.Function(lambda c: (c.result or {}).get("carrier_reference"), allow_none=True)
    last_error = fields.String(allow_none=True)
    next_attempt_at = fields.Function(lambda c: c.next_attempt_at.isoformat() if c.status == "pending" else None,
                                      allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class RebookingList(Schema):
    items = fields.List(fields.Nested(RebookingOut))


class RebookingQuery(StrictSchema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    action = fields.String(validate=validate.OneOf(ACTIONS))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


DOCUMENTED = ["RebookingOut", "RebookingList"]
