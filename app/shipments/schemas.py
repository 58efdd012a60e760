"""Shop API shapes for shipments: separate schemas in and out."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.notify.statuses import CANONICAL
from app.notify.templates import LANGUAGES as TEMPLATE_LANGUAGES
from app.schemas import Moment, StrictSchema
from app.urls import tracking_url

# A language Bijna has texts for (a folder of sms_templates/): nl, en, fr, ...
LANGUAGES = TEMPLATE_LANGUAGES


class RecipientIn(StrictSchema):
    phone = fields.String(required=True, validate=validate.Length(min=3, max=40))
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    language = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LANGUAGES))
    city = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))


class RecipientPatch(RecipientIn):
    phone = fields.String(validate=validate.Length(min=3, max=40))


class WindowIn(StrictSchema):
    start = Moment(required=True)
    end = Moment(required=True)


class ShipmentCreate(StrictSchema):
    order_ref = fields.String(required=True, validate=validate.Length(min=1, max=100))
    carrier = fields.String(required=True, validate=validate.Length(min=1, max=40),
                            metadata={"description": "The carrier's code, e.g. 'simcarrier'."})
    tracking_number = fields.String(required=True, validate=validate.Length(min=1, max=100))
    recipient = fields.Nested(RecipientIn, required=True)
    window = fields.Nested(WindowIn, load_default=None, allow_none=True,
                           metadata={"description": "The window promised to the customer."})
    notify = fields.Boolean(load_default=True)


class ShipmentPatch(StrictSchema):
    notify = fields.Boolean()
    recipient = fields.Nested(RecipientPatch)
    window = fields.Nested(WindowIn, allow_none=True)


class ShipmentQuery(StrictSchema):
    status = fields.String(validate=validate.OneOf(CANONICAL))
    order_ref = fields.String()
    tracking_number = fields.String()
    notify = fields.Boolean()
    created_after = Moment()
    created_before = Moment()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String()


class RecipientOut(Schema):
    phone = fields.String()
    name = fields.String(allow_none=True)
    language = fields.String()
    city = fields.String(allow_none=True)


class WindowOut(Schema):
    start = fields.AwareDateTime()
    end = fields.AwareDateTime()


class ShipmentOut(Schema):
    id = fields.String()
    order_ref = fields.String()
    carrier = fields.Function(lambda s: s.carrier.code)
    tracking_number = fields.String()
    recipient = fields.Function(lambda s: RecipientOut().dump({
        "phone": s.recipient_phone, "name": s.recipient_name,
        "language": s.recipient_language, "city": s.recipient_city}))
    window = fields.Function(lambda s: WindowOut().dump({"start": s.window_start, "end": s.window_end})
                             if s.window_start else None)
    status = fields.String()
    raw_status = fields.String(allow_none=True)
    eta = fields.AwareDateTime(allow_none=True)
    # When the carrier's ETA was last heard: route pushes leave updated_at (changes to the record itself) alone.
    eta_observed_at = fields.AwareDateTime(allow_none=True)
    route_id = fields.String(allow_none=True)
    stop_sequence = fields.Integer(allow_none=True)
    instruction = fields.Dict(allow_none=True)
    notify = fields.Boolean()
    two_way = fields.Function(lambda s: s.shop.two_way)
    tracking_url = fields.Function(lambda s: tracking_url(s.tracking_token))
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class ShipmentPage(Schema):
    items = fields.List(fields.Nested(ShipmentOut))
    next_cursor = fields.String(allow_none=True)
