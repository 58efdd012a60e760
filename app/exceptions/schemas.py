"""The ladder's shop API shapes: tickets (also the ticket.opened webhook's data), settings, code pools."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates

from app.exceptions.pool import MAX_UPLOAD
from app.schemas import StrictSchema

_HOURS = validate.Range(min=1, max=24 * 60)


class TicketOut(Schema):
    id = fields.String()
    shipment_id = fields.String()
    order_ref = fields.String()
    tracking_number = fields.String()
    kind = fields.String(metadata={"description": "silence (the exception ladder), problem_report (the "
                                                  "recipient, from the tracking page), reply_needs_person, manual"})
    status = fields.String(metadata={"description": "open or closed"})
    urgent = fields.Boolean(metadata={"description": "A VIP parcel: call the recipient personally before due_at."})
    due_at = fields.AwareDateTime(allow_none=True)
    overdue = fields.Boolean(metadata={"description": "Open, urgent and past due_at."})
    summary = fields.String(metadata={"description": "What happened; for problem reports, the recipient's words "
                                                     "(removed after the retention period)."})
    opened_by = fields.String(metadata={"description": "system, recipient, or a staff user's id"})
    created_at = fields.AwareDateTime()
    closed_at = fields.AwareDateTime(allow_none=True)


class TicketList(Schema):
    tickets = fields.List(fields.Nested(TicketOut))


class TicketQuery(StrictSchema):
    status = fields.String(validate=validate.OneOf(("open", "closed", "all")), load_default="all")
    kind = fields.String(validate=validate.Length(max=30))
    limit = fields.Integer(validate=validate.Range(min=1, max=200), load_default=50)


class LadderSettingsOut(Schema):
    ticket_after_hours = fields.Integer(metadata={"description": "Quiet this long: a ticket (default 48)."})
    apology_after_hours = fields.Integer(metadata={"description": "Quiet this long: an apology text with a new "
                                                                  "estimate (default 72)."})
    compensation_after_hours = fields.Integer(metadata={"description": "Quiet this long: the shop's compensation "
                                                                       "code by text and on the page (default 120)."})
    compensation_delay_hours = fields.Integer(allow_none=True, metadata={
        "description": "Also compensate a parcel this many hours past the end of its promised window "
                       "(null: only after the silence above)."})
    ticket_on = fields.Boolean()
    apology_on = fields.Boolean()
    compensation_on = fields.Boolean()
    pool_low_level = fields.Integer(metadata={"description": "compensation.pool_low is sent once when the codes "
                                                             "left fall to this many (default 10)."})


class LadderSettingsPatch(StrictSchema):
    ticket_after_hours = fields.Integer(validate=_HOURS)
    apology_after_hours = fields.Integer(validate=_HOURS)
    compensation_after_hours = fields.Integer(validate=_HOURS)
    compensation_delay_hours = fields.Integer(validate=_HOURS, allow_none=True)
    ticket_on = fields.Boolean()
    apology_on = fields.Boolean()
    compensation_on = fields.Boolean()
    pool_low_level = fields.Integer(validate=validate.Range(min=0, max=1_000_000))



class CompensationCodesIn(StrictSchema):
    codes = fields.List(fields.String(validate=validate.Length(min=1, max=64)), required=True,
                        validate=validate.Length(min=1, max=MAX_UPLOAD))

    @validates("codes")
    def _printable(self, codes, **kwargs):
        bad = [index for index, code in enumerate(codes) if not code.strip() or not code.isprintable()]
        if bad:
            raise ValidationError(f"Codes must be printable and not blank (positions {bad[:5]}).")


class CompensationCodesOut(Schema):
    received = fields.Integer(metadata={"description": "Codes in the request."})
    added = fields.Integer(metadata={"description": "New codes added to the pool."})
    duplicates = fields.Integer(metadata={"description": "Codes already in the pool (or repeated), skipped."})
    remaining = fields.Integer(metadata={"description": "Codes not issued yet."})
    issued = fields.Integer(metadata={"description": "Codes given to recipients."})
    pool_low_level = fields.Integer()
